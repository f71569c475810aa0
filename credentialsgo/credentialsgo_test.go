package credentialsgo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/livempu/livempu-go/signer"
)

const (
	testSecret = "FAKE-SECRET-must-not-leak-7f3a9c"
	testToken  = "FAKE-TOKEN-must-not-leak-91c2d0"
)

var _ signer.CredentialsProvider = (*Provider)(nil)

func ptr(s string) *string { return &s }

func TestStaticConfigs(t *testing.T) {
	tests := []struct {
		name string
		cfg  *credentials.Config
		want signer.Credentials
	}{
		{
			name: "access_key",
			cfg:  &credentials.Config{Type: ptr("access_key"), AccessKeyId: ptr("LTAI-cg"), AccessKeySecret: ptr(testSecret)},
			want: signer.Credentials{AccessKeyID: "LTAI-cg", AccessKeySecret: testSecret},
		},
		{
			name: "sts",
			cfg: &credentials.Config{Type: ptr("sts"), AccessKeyId: ptr("STS.cg"), AccessKeySecret: ptr(testSecret),
				SecurityToken: ptr(testToken)},
			want: signer.Credentials{AccessKeyID: "STS.cg", AccessKeySecret: testSecret, SecurityToken: testToken},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, err := credentials.NewCredential(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			p := New(cred)
			got, err := p.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d"} {
				if s := fmt.Sprintf(verb, p); strings.Contains(s, testSecret) || strings.Contains(s, testToken) {
					t.Errorf("%s leaks: %s", verb, s)
				}
			}
		})
	}
}

// fakeCredential implements credentials.Credential for the error cases.
type fakeCredential struct {
	model *credentials.CredentialModel
	err   error
	delay time.Duration
}

func (f fakeCredential) GetAccessKeyId() (*string, error)     { return nil, errors.New("unused") }
func (f fakeCredential) GetAccessKeySecret() (*string, error) { return nil, errors.New("unused") }
func (f fakeCredential) GetSecurityToken() (*string, error)   { return nil, errors.New("unused") }
func (f fakeCredential) GetBearerToken() *string              { return nil }
func (f fakeCredential) GetType() *string                     { return ptr("fake") }
func (f fakeCredential) GetCredential() (*credentials.CredentialModel, error) {
	time.Sleep(f.delay)
	return f.model, f.err
}

func TestErrors(t *testing.T) {
	upstream := errors.New("sts down")
	tests := []struct {
		name string
		cred credentials.Credential
		want string
	}{
		{"nil credential", nil, "no Credential to adapt"},
		{"upstream error", fakeCredential{err: upstream}, "credentials-go: getting credentials: sts down"},
		{"nil model", fakeCredential{}, "returned no credentials"},
		{"bearer", fakeCredential{model: &credentials.CredentialModel{BearerToken: ptr(testToken)}}, "bearer-token credentials cannot sign"},
		{"no secret", fakeCredential{model: &credentials.CredentialModel{AccessKeyId: ptr("x")}}, "lack an AccessKey ID or secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cred).Retrieve(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
	_, err := New(fakeCredential{err: upstream}).Retrieve(context.Background())
	if !errors.Is(err, upstream) {
		t.Errorf("err = %v does not wrap the upstream error", err)
	}
}

func TestContext(t *testing.T) {
	slow := New(fakeCredential{delay: time.Second, model: &credentials.CredentialModel{AccessKeyId: ptr("x"), AccessKeySecret: ptr("y")}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := slow.Retrieve(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
	if time.Since(start) > 500*time.Millisecond {
		t.Errorf("Retrieve did not return when the context ended")
	}
}
