package signer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The secret and token used by every fixture; no error or printed provider
// may contain them.
const (
	testSecret = "FAKE-SECRET-must-not-leak-7f3a9c"
	testToken  = "FAKE-TOKEN-must-not-leak-91c2d0"
)

// credEnvVars are all the variables the providers read; clearCredEnv blanks
// them so the developer's own environment cannot leak into a test.
var credEnvVars = []string{
	"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_Id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
	"ALIBABACLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_SECURITY_TOKEN",
	"ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET",
	"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_ACCESS_KEY_STS_TOKEN",
	"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
}

func clearCredEnv(t testing.TB) {
	t.Helper()
	for _, k := range credEnvVars {
		t.Setenv(k, "")
	}
}

// assertNoLeak fails if the secret or the token appears in the error's text
// or in any formatting of the error or of the provider.
func assertNoLeak(t *testing.T, err error, p any) {
	t.Helper()
	var outs []string
	if err != nil {
		outs = append(outs, err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err))
	}
	if p != nil {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T"} {
			outs = append(outs, fmt.Sprintf(verb, p))
		}
		outs = append(outs, fmt.Sprintf("%+v", struct{ P any }{p}), fmt.Sprintf("%+v", struct{ p any }{p}))
	}
	for _, s := range outs {
		for _, secret := range []string{testSecret, testToken} {
			if strings.Contains(s, secret) {
				t.Errorf("output leaks a secret: %s", s)
			}
		}
	}
}

// assertErr checks an error against the wanted substrings and its
// ErrNoCredentials classification, and that it leaks nothing.
func assertErr(t *testing.T, err error, p any, notFound bool, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Retrieve succeeded, want an error containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	if got := errors.Is(err, ErrNoCredentials); got != notFound {
		t.Errorf("errors.Is(err, ErrNoCredentials) = %v, want %v (err: %v)", got, notFound, err)
	}
	assertNoLeak(t, err, p)
}

func writeFile(t testing.TB, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStaticProvider(t *testing.T) {
	tests := []struct {
		name            string
		id, secret, tok string
		wantErr         string
		notFound        bool
		wantSTS         bool
	}{
		{name: "ak", id: "LTAI-static", secret: testSecret},
		{name: "sts", id: "STS.static", secret: testSecret, tok: testToken, wantSTS: true},
		{name: "nothing", wantErr: "static: no AccessKey ID and secret given", notFound: true},
		{name: "no id", secret: testSecret, wantErr: "static: AccessKey ID is empty"},
		{name: "no secret", id: "LTAI-static", tok: testToken, wantErr: "static: AccessKey secret is empty"},
		{name: "token only", tok: testToken, wantErr: "static: AccessKey ID is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewStaticProvider(tt.id, tt.secret, tt.tok)
			c, err := p.Retrieve(context.Background())
			if tt.wantErr != "" {
				assertErr(t, err, p, tt.notFound, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Credentials{AccessKeyID: tt.id, AccessKeySecret: tt.secret, SecurityToken: tt.tok}
			if c != want || (c.SecurityToken != "") != tt.wantSTS {
				t.Errorf("got %#v, want %#v", c, want)
			}
			if got := fmt.Sprint(p); got != "static("+tt.id+")" {
				t.Errorf("String = %q", got)
			}
			assertNoLeak(t, nil, p)
		})
	}
}

// TestCredentialsRedacted checks credentials.go: no formatting of a
// Credentials value shows the secret or the token.
func TestCredentialsRedacted(t *testing.T) {
	c := Credentials{
		AccessKeyID:     "LTAI-redaction",
		AccessKeySecret: testSecret,
		SecurityToken:   testToken,
		Expires:         time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	outs := map[string]string{
		"String":  c.String(),
		"Sprint":  fmt.Sprint(c),
		"Sprint&": fmt.Sprint(&c),
		"Errorf":  fmt.Errorf("wrapped %v: %w", c, errors.New("x")).Error(),
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%-v"} {
		outs[verb] = fmt.Sprintf(verb, c)
		outs[verb+" ptr"] = fmt.Sprintf(verb, &c)
		outs[verb+" in struct"] = fmt.Sprintf(verb, struct{ C Credentials }{c})
		outs[verb+" in slice"] = fmt.Sprintf(verb, []Credentials{c})
		outs[verb+" in map"] = fmt.Sprintf(verb, map[string]Credentials{"k": c})
	}
	for _, newHandler := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		l := slog.New(newHandler(&buf))
		l.Info("creds", "creds", c, slog.Any("any", c), slog.Any("ptr", &c))
		outs[fmt.Sprintf("slog %T", l.Handler())] = buf.String()
	}
	for name, s := range outs {
		if strings.Contains(s, testSecret) || strings.Contains(s, testToken) {
			t.Errorf("%s leaks: %s", name, s)
		}
		if !strings.Contains(s, "LTAI-redaction") {
			t.Errorf("%s does not show the key ID: %s", name, s)
		}
	}
	if !strings.Contains(outs["slog *slog.JSONHandler"], `"access_key_id":"LTAI-redaction"`) {
		t.Errorf("slog JSON: %s", outs["slog *slog.JSONHandler"])
	}
}
