package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// The STS key of the rotation tests: the server knows only rotatedToken,
// the token that replaced staleToken.
const (
	rotatedKeyID  = "STS.rotation-test-key"
	rotatedSecret = "rotation-test-secret-never-shown"
	staleToken    = "TOKEN-1-stale-never-shown"
	rotatedToken  = "TOKEN-2-fresh-never-shown"
)

// writeCLIProfile writes an aliyun CLI config.json with one StsToken profile.
func writeCLIProfile(t *testing.T, path, token string) {
	t.Helper()
	conf := fmt.Sprintf(`{"current": "default", "profiles": [{"name": "default", "mode": "StsToken",
	"access_key_id": %q, "access_key_secret": %q, "sts_token": %q, "region_id": "cn-hangzhou"}]}`,
		rotatedKeyID, rotatedSecret, token)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
}

// rotationServer knows only the rotated STS token of rotatedKeyID.
func rotationServer(t *testing.T) *livetest.Server {
	return livetest.NewServer(t, livetest.WithAccount(rotatedKeyID, rotatedSecret, rotatedToken), livetest.WithGenerated(3, 0, 1))
}

func demoTaskReq() *livempu.ListRtcMPUTaskDetailRequest {
	return &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1}
}

// codes returns the error code the server answered to each request, ""
// for a success.
func codes(srv *livetest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Code)
	}
	return out
}

// assertNoCredentialLeak fails if a secret or token of the rotation tests
// appears in err.
func assertNoCredentialLeak(t *testing.T, err error) {
	t.Helper()
	out := fmt.Sprintf("%v %+v %#v", err, err, err)
	for _, s := range []string{rotatedSecret, staleToken, rotatedToken} {
		if strings.Contains(out, s) {
			t.Errorf("error shows a secret: %s", out)
		}
	}
}

// TestRotatedProfileTokenIsUsed is issue 12's reproduction: the default
// client, credentials from an aliyun CLI profile in StsToken mode, the
// token rotated in the file while the server rejects the old one. The
// first call after the rotation must succeed.
func TestRotatedProfileTokenIsUsed(t *testing.T) {
	home := isolateCredentials(t)
	config := filepath.Join(home, ".aliyun", "config.json")
	writeCLIProfile(t, config, staleToken)
	srv := rotationServer(t)
	client, err := livempu.NewClient(livempu.WithEndpoint(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// The stale token is rejected. The file, read again, still holds it:
	// no retry, which could only be rejected too.
	_, err = client.ListRtcMPUTaskDetail(ctx, demoTaskReq())
	var opErr *livempu.OperationError
	if !errors.Is(err, livempu.ErrInvalidSecurityToken) || !errors.As(err, &opErr) || opErr.Attempts != 1 {
		t.Fatalf("before the rotation: err = %v, want ErrInvalidSecurityToken after 1 attempt", err)
	}
	assertNoCredentialLeak(t, err)

	// The rotation writes the file; its new modification time shows it.
	writeCLIProfile(t, config, rotatedToken)
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(config, later, later); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq()); err != nil {
			t.Fatalf("call %d after the rotation: %v", i+1, err)
		}
	}
	want := []string{"InvalidSecurityToken.MismatchWithAccessKey", "", "", ""}
	if got := codes(srv); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("server answered %q, want %q (the new token from the first attempt after the rotation)", got, want)
	}
}

// TestRotationTheFileStatCannotSee rewrites the profile in place with a
// token of the same length and puts the old modification time back, as a
// rewrite within one tick of a coarse file-system clock would leave it. The
// stat cannot tell; the service's rejection of the old token makes the
// client read the file again and retry once, so the call still succeeds.
func TestRotationTheFileStatCannotSee(t *testing.T) {
	home := isolateCredentials(t)
	config := filepath.Join(home, ".aliyun", "config.json")
	writeCLIProfile(t, config, staleToken) // as long as rotatedToken
	srv := rotationServer(t)
	client, err := livempu.NewClient(livempu.WithEndpoint(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq()); !errors.Is(err, livempu.ErrInvalidSecurityToken) {
		t.Fatalf("before the rotation: err = %v, want ErrInvalidSecurityToken", err)
	}
	before, err := os.Stat(config)
	if err != nil {
		t.Fatal(err)
	}
	writeCLIProfile(t, config, rotatedToken)
	if err := os.Chtimes(config, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(config); err != nil || after.Size() != before.Size() || !os.SameFile(before, after) {
		t.Fatalf("the rewrite changed more than the content (%v)", err)
	}

	if _, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq()); err != nil {
		t.Fatalf("first call after the rotation: %v", err)
	}
	want := []string{"InvalidSecurityToken.MismatchWithAccessKey", "InvalidSecurityToken.MismatchWithAccessKey", ""}
	if got := codes(srv); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("server answered %q, want %q", got, want)
	}
}

// TestRotatedEnvironmentIsUsed rotates the STS token in the environment of
// a running default client.
func TestRotatedEnvironmentIsUsed(t *testing.T) {
	isolateCredentials(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", rotatedKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", rotatedSecret)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", staleToken)
	srv := rotationServer(t)
	client, err := livempu.NewClient(livempu.WithEndpoint(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq()); !errors.Is(err, livempu.ErrInvalidSecurityToken) {
		t.Fatalf("before the rotation: err = %v, want ErrInvalidSecurityToken", err)
	}
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", rotatedToken)
	if _, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq()); err != nil {
		t.Fatalf("first call after the rotation: %v", err)
	}
	if got := codes(srv); len(got) != 2 || got[1] != "" {
		t.Errorf("server answered %q, want the rejection then a success", got)
	}
}

// TestRotationBehindACachingProvider caches a profile with
// signer.NewCachingProvider, which keeps credentials without an expiry until
// they are invalidated: the rejection of the cached token drops it from the
// cache and from the profile reader, and the call is retried once with the
// rotated token.
func TestRotationBehindACachingProvider(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config.json")
	writeCLIProfile(t, config, staleToken)
	srv := rotationServer(t)
	cache := signer.NewCachingProvider(signer.NewCLIProfileProvider(signer.WithProfileFile(config), signer.WithProfileName("default")))
	client, err := livempu.NewClient(livempu.WithEndpoint(srv.URL()), livempu.WithCredentialsProvider(cache))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq()); !errors.Is(err, livempu.ErrInvalidSecurityToken) {
		t.Fatalf("before the rotation: err = %v, want ErrInvalidSecurityToken", err)
	}
	writeCLIProfile(t, config, rotatedToken)
	if _, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq()); err != nil {
		t.Fatalf("first call after the rotation: %v", err)
	}
	if _, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq()); err != nil {
		t.Fatalf("second call after the rotation: %v", err)
	}
	want := []string{"InvalidSecurityToken.MismatchWithAccessKey", "InvalidSecurityToken.MismatchWithAccessKey", "", ""}
	if got := codes(srv); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("server answered %q, want %q", got, want)
	}
}

// invalidationLog is a provider that rotates its AccessKey ID on every
// Retrieve (as an STS source minting new keys would) and records every
// Invalidate.
type invalidationLog struct {
	retrieved   atomic.Int32
	invalidated atomic.Int32
	rejectedIDs chan string
}

func (p *invalidationLog) Retrieve(context.Context) (signer.Credentials, error) {
	n := p.retrieved.Add(1)
	return signer.Credentials{AccessKeyID: fmt.Sprintf("%s-%d", livetest.DemoAccessKeyID, n), AccessKeySecret: livetest.DemoAccessKeySecret}, nil
}

func (p *invalidationLog) Invalidate(rejected signer.Credentials) {
	p.invalidated.Add(1)
	p.rejectedIDs <- rejected.AccessKeyID
}

// TestCredentialRejectionIsRetriedOnce: a server that rejects every
// AccessKey gets at most two attempts per call, the second one with the
// fresh credentials and without a backoff, and none at all after the
// first when the provider has nothing new.
func TestCredentialRejectionIsRetriedOnce(t *testing.T) {
	type answer struct {
		status int
		code   string
	}
	for _, a := range []answer{{404, "InvalidAccessKeyId.NotFound"}, {403, "InvalidAccessKeyId.Inactive"}, {400, "InvalidSecurityToken.Expired"},
		{400, "SignatureDoesNotMatch"}, {200, "InvalidSecurityToken.Expired"}} {
		code := a.code
		t.Run(fmt.Sprintf("%s %d/fresh credentials each time", code, a.status), func(t *testing.T) {
			var accounts []livetest.Option
			for i := 1; i <= 3; i++ {
				accounts = append(accounts, livetest.WithAccount(fmt.Sprintf("%s-%d", livetest.DemoAccessKeyID, i), livetest.DemoAccessKeySecret, ""))
			}
			srv := livetest.NewServer(t, append(accounts, livetest.WithGenerated(3, 0, 1))...)
			srv.Inject(livetest.Fail(a.status, code), 100, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
			p := &invalidationLog{rejectedIDs: make(chan string, 10)}
			// An hour-long backoff: the retry with fresh credentials must not
			// wait, and a third attempt would outlast the deadline.
			client := srv.Client(livempu.WithCredentialsProvider(p), livempu.WithRetryBackoff(time.Hour, time.Hour))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := client.ListRtcMPUTaskDetail(ctx, demoTaskReq())
			var apiErr *livempu.APIError
			var opErr *livempu.OperationError
			if !errors.As(err, &apiErr) || apiErr.Code != code || !errors.As(err, &opErr) || opErr.Attempts != 2 {
				t.Fatalf("err = %v, want the %s answer after exactly 2 attempts", err, code)
			}
			if n := srv.Stats().Requests; n != 2 {
				t.Errorf("server received %d requests, want 2", n)
			}
			close(p.rejectedIDs)
			var rejected []string
			for id := range p.rejectedIDs {
				rejected = append(rejected, id)
			}
			want := []string{livetest.DemoAccessKeyID + "-1", livetest.DemoAccessKeyID + "-2"}
			if fmt.Sprint(rejected) != fmt.Sprint(want) {
				t.Errorf("Invalidate got %v, want each attempt's credentials %v", rejected, want)
			}
		})
	}
	t.Run("same credentials again", func(t *testing.T) {
		srv := livetest.NewServer(t, livetest.WithGenerated(3, 0, 1))
		srv.Inject(livetest.Fail(404, "InvalidAccessKeyId.NotFound"), 100, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
		client := srv.Client() // static credentials: nothing fresh to retry with
		_, err := client.ListRtcMPUTaskDetail(context.Background(), demoTaskReq())
		var opErr *livempu.OperationError
		if !errors.Is(err, livempu.ErrInvalidAccessKeyID) || !errors.As(err, &opErr) || opErr.Attempts != 1 {
			t.Fatalf("err = %v, want ErrInvalidAccessKeyID after 1 attempt", err)
		}
		if n := srv.Stats().Requests; n != 1 {
			t.Errorf("server received %d requests, want 1", n)
		}
	})
	t.Run("WithMaxRetries(0)", func(t *testing.T) {
		srv := livetest.NewServer(t, livetest.WithGenerated(3, 0, 1))
		p := &invalidationLog{rejectedIDs: make(chan string, 10)}
		client := srv.Client(livempu.WithCredentialsProvider(p), livempu.WithMaxRetries(0))
		// The provider's first key is unknown to the server: it answers
		// InvalidAccessKeyId.NotFound itself.
		if _, err := client.ListRtcMPUTaskDetail(context.Background(), demoTaskReq()); !errors.Is(err, livempu.ErrInvalidAccessKeyID) {
			t.Fatalf("err = %v, want ErrInvalidAccessKeyID", err)
		}
		// No retry, but the rejected credentials are dropped all the same,
		// so that the caller's own retry gets fresh ones.
		if n, inv := srv.Stats().Requests, p.invalidated.Load(); n != 1 || inv != 1 {
			t.Errorf("%d requests and %d invalidations, want 1 and 1", n, inv)
		}
	})
}

// TestMalformedCredentialIsNotSent: a credential with a character that
// cannot be sent or could never authenticate fails at once, before the
// limiter and without a retry, naming the field and never the value.
func TestMalformedCredentialIsNotSent(t *testing.T) {
	id, secret, token := livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret, "a-token-never-shown"
	tests := []struct {
		field                string
		id, secret, token    string
		kind                 string
		signatureVersion     signer.Version
		fromEnvironmentToken bool
	}{
		{field: "AccessKeyId", id: id + "\n", secret: secret, kind: "line feed (U+000A) at the end"},
		{field: "AccessKeySecret", id: id, secret: secret + "\r\n", kind: "carriage return (U+000D) at the end"},
		{field: "SecurityToken", id: id, secret: secret, token: token + "\n", kind: "line feed (U+000A) at the end"},
		{field: "SecurityToken", id: id, secret: secret, token: token + "\n", kind: "line feed (U+000A) at the end", signatureVersion: signer.V1},
		{field: "SecurityToken", id: id, secret: secret, token: "a-tok\ten", kind: "tab (U+0009) inside"},
		{field: "AccessKeySecret", id: id, secret: " " + secret, kind: "space (U+0020) at the start", signatureVersion: signer.V1},
		{field: "AccessKeyId", id: id + "é", secret: secret, kind: "non-ASCII character at the end"},
		{field: "SecurityToken", id: id, secret: secret, token: token + "\n", kind: "line feed (U+000A) at the end", fromEnvironmentToken: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %v", tt.field, tt.kind, tt.signatureVersion), func(t *testing.T) {
			srv := livetest.NewServer(t, livetest.WithGenerated(3, 0, 1))
			lim := &countingLimiter{}
			opts := []livempu.Option{livempu.WithEndpoint(srv.URL()), livempu.WithSignatureVersion(tt.signatureVersion),
				livempu.WithRetryBackoff(time.Hour, time.Hour), livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, lim)}
			if tt.fromEnvironmentToken { // the default chain
				isolateCredentials(t)
				t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", tt.id)
				t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", tt.secret)
				t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", tt.token)
			} else {
				opts = append(opts, livempu.WithStaticCredentials(tt.id, tt.secret, tt.token))
			}
			client, err := livempu.NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err = client.ListRtcMPUTaskDetail(ctx, demoTaskReq())
			var opErr *livempu.OperationError
			if !errors.Is(err, signer.ErrMalformedCredentials) || !errors.As(err, &opErr) || opErr.Attempts != 0 {
				t.Fatalf("err = %v, want ErrMalformedCredentials after 0 attempts", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.field+" has a "+tt.kind) {
				t.Errorf("err = %q, want it to say %q", msg, tt.field+" has a "+tt.kind)
			}
			for _, v := range []string{tt.secret, strings.TrimSpace(tt.secret), tt.token, strings.TrimSpace(tt.token)} {
				if v != "" && strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), v) {
					t.Errorf("the error shows a secret value: %v", err)
				}
			}
			if n := srv.Stats().Requests; n != 0 || lim.waits.Load() != 0 {
				t.Errorf("%d requests sent and %d limiter waits, want none", n, lim.waits.Load())
			}
		})
	}
}

// countingLimiter lets everything through and counts the waits.
type countingLimiter struct{ waits atomic.Int32 }

func (l *countingLimiter) Wait(context.Context) error { l.waits.Add(1); return nil }
