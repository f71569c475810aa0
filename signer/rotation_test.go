package signer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cliSTSConfig is an aliyun CLI config.json with one StsToken profile.
func cliSTSConfig(token string) string {
	return fmt.Sprintf(`{"current":"default","profiles":[{"name":"default","mode":"StsToken",`+
		`"access_key_id":"STS.rotating","access_key_secret":%q,"sts_token":%q}]}`, testSecret, token)
}

// iniAKConfig is a credentials file with one access_key section.
func iniAKConfig(id string) string {
	return "[default]\ntype = access_key\naccess_key_id = " + id + "\naccess_key_secret = " + testSecret + "\n"
}

// setMtime gives path the modification time t.
func setMtime(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func retrieveOK(t *testing.T, p CredentialsProvider) Credentials {
	t.Helper()
	c, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestProfileProvidersSeeRotation rotates credentials in each profile file
// in the three ways a tool writes a file: in place with a new modification
// time, in place with a new size, and by renaming a new file over it.
func TestProfileProvidersSeeRotation(t *testing.T) {
	type profileKind struct {
		name    string
		file    string
		content func(v string) string // v is the token or ID that rotates
		value   func(Credentials) string
		newP    func(path string) CredentialsProvider
	}
	kinds := []profileKind{
		{"cli", "config.json", cliSTSConfig, func(c Credentials) string { return c.SecurityToken },
			func(path string) CredentialsProvider { return NewCLIProfileProvider(WithProfileFile(path)) }},
		{"ini", "credentials", iniAKConfig, func(c Credentials) string { return c.AccessKeyID },
			func(path string) CredentialsProvider { return NewINIProfileProvider(WithProfileFile(path)) }},
	}
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			clearCredEnv(t)
			path := writeFile(t, filepath.Join(t.TempDir(), k.file), k.content("value-1"))
			setMtime(t, path, t0)
			p := k.newP(path)
			if got := k.value(retrieveOK(t, p)); got != "value-1" {
				t.Fatalf("got %q, want value-1", got)
			}

			writeFile(t, path, k.content("value-2"))
			setMtime(t, path, t0.Add(time.Second))
			if got := k.value(retrieveOK(t, p)); got != "value-2" {
				t.Errorf("rewritten with a new modification time: got %q, want value-2", got)
			}

			writeFile(t, path, k.content("value-three"))
			setMtime(t, path, t0.Add(time.Second))
			if got := k.value(retrieveOK(t, p)); got != "value-three" {
				t.Errorf("rewritten with a new size: got %q, want value-three", got)
			}

			tmp := writeFile(t, path+".tmp", k.content("value-four!")) // as long as value-three
			setMtime(t, tmp, t0.Add(time.Second))
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
			if got := k.value(retrieveOK(t, p)); got != "value-four!" {
				t.Errorf("replaced by rename (same size and time): got %q", got)
			}

			// A rewrite the stat cannot see (same file, size and time) is
			// read after Invalidate with the credentials returned, and only
			// with those.
			before := retrieveOK(t, p)
			writeFile(t, path, k.content("value-fivee")) // as long as value-four!
			setMtime(t, path, t0.Add(time.Second))
			if got := k.value(retrieveOK(t, p)); got != k.value(before) {
				t.Fatalf("unseen rewrite: got %q, want the remembered %q (the test is not testing what it should)", got, k.value(before))
			}
			inv := p.(Invalidator)
			inv.Invalidate(Credentials{AccessKeyID: "someone else's", AccessKeySecret: testSecret})
			if got := k.value(retrieveOK(t, p)); got != k.value(before) {
				t.Errorf("after Invalidate of other credentials: got %q, want %q kept", got, k.value(before))
			}
			inv.Invalidate(before)
			if got := k.value(retrieveOK(t, p)); got != "value-fivee" {
				t.Errorf("after Invalidate: got %q, want value-fivee", got)
			}
		})
	}
}

// TestProfileProviderSeesFileAppearAndGo: a file removed makes the provider
// report ErrNoCredentials, and one created later is read.
func TestProfileProviderSeesFileAppearAndGo(t *testing.T) {
	clearCredEnv(t)
	home := t.TempDir()
	p := NewCLIProfileProvider(withHomeDir(home))
	if _, err := p.Retrieve(context.Background()); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("no file: err = %v, want ErrNoCredentials", err)
	}
	path := writeFile(t, filepath.Join(home, ".aliyun", "config.json"), cliSTSConfig("token-1"))
	if c := retrieveOK(t, p); c.SecurityToken != "token-1" {
		t.Errorf("file created: got %v", c)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Retrieve(context.Background()); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("file removed: err = %v, want ErrNoCredentials", err)
	}
}

// TestProfileProviderRemembersBrokenFile: a malformed file keeps its error
// until it is fixed, and the fix is seen.
func TestProfileProviderRemembersBrokenFile(t *testing.T) {
	clearCredEnv(t)
	path := writeFile(t, filepath.Join(t.TempDir(), "config.json"), `{"profiles": [`+testToken)
	p := NewCLIProfileProvider(WithProfileFile(path))
	for range 2 {
		_, err := p.Retrieve(context.Background())
		assertErr(t, err, p, false, path, "malformed JSON")
	}
	writeFile(t, path, cliSTSConfig("token-fixed"))
	setMtime(t, path, time.Now().Add(time.Minute))
	if c := retrieveOK(t, p); c.SecurityToken != "token-fixed" {
		t.Errorf("fixed file: got %v", c)
	}
}

// TestChainInvalidate: Invalidate reaches every provider of the chain and
// makes it try its providers in order again, so that a source earlier in
// the chain that now has credentials is used.
func TestChainInvalidate(t *testing.T) {
	a := newCounting("a", notFound("a has nothing"))
	b := &invalidatingProvider{CredentialsProvider: NewStaticProvider("B", testSecret, "")}
	chain := NewChainProvider(a, b)
	rejected := retrieveOK(t, chain)
	a.set(found("A"))
	if c := retrieveOK(t, chain); c.AccessKeyID != "B" {
		t.Fatalf("got %v, want B remembered", c)
	}
	chain.(Invalidator).Invalidate(rejected)
	if c := retrieveOK(t, chain); c.AccessKeyID != "A" {
		t.Errorf("after Invalidate: got %v, want A, the first provider with credentials", c)
	}
	if len(b.rejected) != 1 || !sameKeys(b.rejected[0], rejected) {
		t.Errorf("b told %v, want the rejected credentials", b.rejected)
	}
	var nilChain *chainProvider
	nilChain.Invalidate(rejected)
}

// TestMalformedCredentials: Validate and Sign name the field and the kind
// of character, never the value, and Sign leaves the request alone.
func TestMalformedCredentials(t *testing.T) {
	good := Credentials{AccessKeyID: signtestID, AccessKeySecret: signtestSecret, SecurityToken: signtestToken}
	tests := []struct {
		name string
		edit func(*Credentials)
		want string
	}{
		{"id newline", func(c *Credentials) { c.AccessKeyID += "\n" }, "AccessKeyId has a line feed (U+000A) at the end"},
		{"secret CRLF", func(c *Credentials) { c.AccessKeySecret += "\r\n" }, "AccessKeySecret has a carriage return (U+000D) at the end"},
		{"secret leading space", func(c *Credentials) { c.AccessKeySecret = " " + c.AccessKeySecret }, "AccessKeySecret has a space (U+0020) at the start"},
		{"token tab inside", func(c *Credentials) { c.SecurityToken = c.SecurityToken[:3] + "\t" + c.SecurityToken[3:] }, "SecurityToken has a tab (U+0009) inside"},
		{"token NUL", func(c *Credentials) { c.SecurityToken += "\x00" }, "SecurityToken has a control character (U+0000) at the end"},
		{"token DEL", func(c *Credentials) { c.SecurityToken = "\x7f" + c.SecurityToken }, "SecurityToken has a control character (U+007F) at the start"},
		{"secret non-ASCII inside", func(c *Credentials) { c.AccessKeySecret = "é" + c.AccessKeySecret }, "AccessKeySecret has a non-ASCII character at the start"},
		{"first field wins", func(c *Credentials) { c.SecurityToken += "\n"; c.AccessKeyID += "\n" }, "AccessKeyId has"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			err := c.Validate()
			if !errors.Is(err, ErrMalformedCredentials) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want ErrMalformedCredentials saying %q", err, tt.want)
			}
			for _, ver := range []Version{V3, V1} {
				req := signtestRequest(t, http.MethodPost)
				before := req.URL.RawQuery
				s := &Signer{Version: ver, APIVersion: "2016-11-01"}
				err := s.Sign(req, "ListRtcMPUTaskDetail", nil, c)
				if !errors.Is(err, ErrMalformedCredentials) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%v: Sign = %v, want ErrMalformedCredentials saying %q", ver, err, tt.want)
				}
				if req.URL.RawQuery != before || req.Header.Get("Authorization") != "" {
					t.Errorf("%v: a failed Sign modified the request", ver)
				}
			}
			out := fmt.Sprintf("%v %+v %#v %q", err, err, err, err)
			for _, v := range []string{signtestSecret, signtestToken, signtestToken[:3], signtestToken[3:]} {
				if strings.Contains(out, v) {
					t.Errorf("error shows a credential value: %s", out)
				}
			}
		})
	}
	if err := good.Validate(); err != nil {
		t.Errorf("Validate(good) = %v", err)
	}
	if err := (Credentials{AccessKeyID: "x"}).Validate(); !errors.Is(err, ErrMissingCredentials) {
		t.Errorf("Validate(no secret) = %v, want ErrMissingCredentials", err)
	}
}

// TestProfileProviderConcurrentRotation reads and invalidates from many
// goroutines while the file is replaced (by rename, as tools that write
// atomically do): every read sees a whole version, and the last one is seen
// in the end.
func TestProfileProviderConcurrentRotation(t *testing.T) {
	clearCredEnv(t)
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "config.json"), cliSTSConfig("token-0"))
	p := NewDefaultChain()
	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", path)
	done := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				c, err := p.Retrieve(context.Background())
				if err != nil || !strings.HasPrefix(c.SecurityToken, "token-") {
					errs <- fmt.Errorf("got %v, %v", c, err)
					return
				}
				p.(Invalidator).Invalidate(c)
			}
		}()
	}
	for i := 1; i <= 50; i++ {
		tmp := writeFile(t, filepath.Join(dir, "config.json.tmp"), cliSTSConfig(fmt.Sprintf("token-%d", i)))
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if c := retrieveOK(t, p); c.SecurityToken != "token-50" {
		t.Errorf("after the last rotation: got token %q, want token-50", c.SecurityToken)
	}
}
