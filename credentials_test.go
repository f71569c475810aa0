package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/signer"
)

// isolateCredentials empties every credential variable of the process
// environment and points HOME at an empty directory, so that the default
// chain finds only what the test sets up. It returns the home directory.
func isolateCredentials(t *testing.T) string {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ALIBABA") || strings.HasPrefix(name, "ALICLOUD") {
			t.Setenv(name, "")
		}
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	return home
}

// TestCheckCredentialsFindsThem checks success: the provider is asked once,
// nothing is sent, and the first call then uses the same credentials.
func TestCheckCredentialsFindsThem(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, oneTaskBody) })
	var calls atomic.Int32
	p := signer.NewCachingProvider(signer.CredentialsProviderFunc(func(context.Context) (signer.Credentials, error) {
		calls.Add(1)
		return signer.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret, SecurityToken: testToken}, nil
	}))
	c := newTestClient(t, f, livempu.WithCredentialsProvider(p))
	if err := c.CheckCredentials(context.Background()); err != nil {
		t.Fatalf("CheckCredentials: %v", err)
	}
	if calls.Load() != 1 || len(f.attempts()) != 0 {
		t.Fatalf("provider asked %d times, %d requests sent; want 1 and 0", calls.Load(), len(f.attempts()))
	}
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || f.attempts()[0].AccessKeyID != testKeyID {
		t.Errorf("after the call: provider asked %d times (want 1, cached), sent with %q", calls.Load(), f.attempts()[0].AccessKeyID)
	}
}

// TestCheckCredentialsDefaultChain checks the default chain: found in the
// environment, and not found anywhere, where the error is the first call's
// and says what each source lacked.
func TestCheckCredentialsDefaultChain(t *testing.T) {
	isolateCredentials(t)
	c, err := livempu.NewClient(livempu.WithEndpoint("http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckCredentials(context.Background())
	if !errors.Is(err, signer.ErrNoCredentials) {
		t.Fatalf("CheckCredentials with nothing configured: %v, want signer.ErrNoCredentials", err)
	}
	for _, want := range []string{"livempu: credentials:", "ALIBABA_CLOUD_ACCESS_KEY_ID", "config.json", "credentials"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	_, callErr := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if !errors.Is(callErr, signer.ErrNoCredentials) || !strings.HasSuffix(callErr.Error(), strings.TrimPrefix(err.Error(), "livempu: ")) {
		t.Errorf("first call: %q; CheckCredentials: %q; want the same cause", callErr, err)
	}

	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", testKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testSecret)
	c, err = livempu.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckCredentials(context.Background()); err != nil {
		t.Errorf("CheckCredentials with keys in the environment: %v", err)
	}
}

// TestCheckCredentialsErrorsHoldNoSecret checks broken configurations that
// carry a recognisable secret and token: the error explains, and never
// shows either.
func TestCheckCredentialsErrorsHoldNoSecret(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, home string) []livempu.Option
		want  string // in the error
	}{
		{"secret without ID in the environment", func(t *testing.T, home string) []livempu.Option {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testSecret)
			t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", testToken)
			return nil
		}, "ALIBABA_CLOUD_ACCESS_KEY_ID"},
		{"CLI profile without ID", func(t *testing.T, home string) []livempu.Option {
			writeFile(t, filepath.Join(home, ".aliyun", "config.json"), fmt.Sprintf(
				`{"current":"p","profiles":[{"name":"p","mode":"StsToken","access_key_secret":%q,"sts_token":%q}]}`, testSecret, testToken))
			return nil
		}, "config.json"},
		{"unreadable CLI profile", func(t *testing.T, home string) []livempu.Option {
			writeFile(t, filepath.Join(home, ".aliyun", "config.json"), `{"profiles":[{"access_key_secret":"`+testSecret+`", `)
			return nil
		}, "config.json"},
		{"provider returning no ID", func(t *testing.T, home string) []livempu.Option {
			return []livempu.Option{livempu.WithCredentialsProvider(signer.CredentialsProviderFunc(func(context.Context) (signer.Credentials, error) {
				return signer.Credentials{AccessKeySecret: testSecret, SecurityToken: testToken}, nil
			}))}
		}, "AccessKey ID"},
		{"static key without secret", func(t *testing.T, home string) []livempu.Option {
			return []livempu.Option{livempu.WithStaticCredentials(testKeyID, "", testToken)}
		}, "secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := isolateCredentials(t)
			c, err := livempu.NewClient(append(tt.setup(t, home), livempu.WithEndpoint("http://127.0.0.1:1"))...)
			if err != nil {
				t.Fatal(err)
			}
			err = c.CheckCredentials(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckCredentials: %v, want an error naming %q", err, tt.want)
			}
			checkErr(t, err)
			_, callErr := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			if callErr == nil || !strings.HasSuffix(callErr.Error(), strings.TrimPrefix(err.Error(), "livempu: ")) {
				t.Errorf("first call: %q; CheckCredentials: %q; want the same cause", callErr, err)
			}
		})
	}
}

// TestCheckCredentialsNilContext checks that a nil context is an error.
func TestCheckCredentialsNilContext(t *testing.T) {
	c, err := livempu.NewClient(livempu.WithStaticCredentials(testKeyID, testSecret, ""))
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1012 a nil context is what is tested
	if err := c.CheckCredentials(nil); err == nil {
		t.Error("CheckCredentials(nil) succeeded")
	}
}

// writeFile writes content to path, creating its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
