package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/livempu/livempu-go/livetest"
)

// TestRegionFlagUsageErrors checks the command lines --region and --vpc
// refuse: usage errors (2) that name the flags, not the SDK's options, and
// send nothing.
func TestRegionFlagUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string // in stderr
	}{
		{[]string{"--region", "cn-hangzhou"}, []string{`unknown region ID "cn-hangzhou" given to --region`, "ap-southeast-1, ap-southeast-5, cn-beijing"}},
		{[]string{"--region", ""}, []string{`unknown region ID "" given to --region`}},
		{[]string{"--vpc"}, []string{"--vpc needs --region", "cn-shanghai"}},
		{[]string{"--region", "cn-beijing", "--vpc"}, []string{"--vpc: no VPC endpoint is published for region cn-beijing", "leave --vpc out"}},
		{[]string{"--endpoint", "ap-southeast-1"}, []string{"a region ID, not a host name: give it to --region"}},
		{[]string{"--endpoint", "AP-Singapore"}, []string{`--endpoint: invalid endpoint "AP-Singapore"`, "use --region with its ID"}},
		{[]string{"--endpoint", "live.aliyuncs.com", "--region", "cn-beijing"}, []string{"cannot be combined with --region"}},
		{[]string{"--endpoint", "live.aliyuncs.com", "--vpc"}, []string{"cannot be combined with --region or --vpc"}},
		{[]string{"--demo", "--region", "ap-southeast-1"}, []string{"--demo uses an embedded server", "--region"}},
		{[]string{"--demo", "--vpc"}, []string{"--demo uses an embedded server"}},
	} {
		for _, cmd := range []string{"tasks", "events"} {
			args := append([]string{cmd, "--app-id", "a", "--since", "1h"}, tc.args...)
			if cmd == "tasks" {
				args = append([]string{cmd, "--app-id", "a"}, tc.args...)
			}
			r := runIn(context.Background(), noEnv, args...)
			if r.code != exitUsage || r.stdout != "" || !briefUsageError(r.stderr, tc.want[0]) {
				t.Errorf("livempu %q: status %d, stdout %q, stderr:\n%s", args, r.code, r.stdout, r.stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("livempu %q: stderr lacks %q:\n%s", args, want, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "WithRegion") || strings.Contains(r.stderr, "WithVPC") || strings.Contains(r.stderr, "WithEndpoint") {
				t.Errorf("livempu %q: stderr names SDK options:\n%s", args, r.stderr)
			}
		}
	}
}

// connectRecorder is an HTTPS proxy that records the host of every CONNECT
// and refuses it, so that a test sees where the binary would send without
// any request leaving the machine.
type connectRecorder struct {
	*httptest.Server
	mu    sync.Mutex
	hosts []string
}

func newConnectRecorder(t *testing.T) *connectRecorder {
	p := &connectRecorder{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.hosts = append(p.hosts, r.Method+" "+r.Host)
		p.mu.Unlock()
		http.Error(w, "refused by the test proxy", http.StatusForbidden)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *connectRecorder) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.hosts...)
}

// TestRegionFlagSelectsEndpoint runs the binary with --region and --vpc
// behind an HTTPS proxy that records where each attempt goes: the region's
// published host, the VPC host, the default one, and --region over
// $LIVEMPU_ENDPOINT.
func TestRegionFlagSelectsEndpoint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  []string
		want string // CONNECT target
	}{
		{nil, nil, "live.aliyuncs.com:443"},
		{[]string{"--region", "ap-southeast-1"}, nil, "live.ap-southeast-1.aliyuncs.com:443"},
		{[]string{"--region", "eu-central-1"}, nil, "live.eu-central-1.aliyuncs.com:443"},
		{[]string{"--region", "cn-beijing"}, nil, "live.aliyuncs.com:443"},
		{[]string{"--region", "cn-shanghai", "--vpc"}, nil, "live-vpc.cn-shanghai.aliyuncs.com:443"},
		{[]string{"--region", "me-central-1", "--vpc"}, []string{endpointEnv + "=https://live.example.com"}, "live-vpc.me-central-1.aliyuncs.com:443"},
		{nil, []string{endpointEnv + "=https://live.example.com"}, "live.example.com:443"},
		// --vpc=false (a script's --vpc=$USE_VPC) selects nothing: the
		// endpoint stays $LIVEMPU_ENDPOINT's, or --endpoint's.
		{[]string{"--vpc=false"}, []string{endpointEnv + "=https://live.example.com"}, "live.example.com:443"},
		{[]string{"--endpoint", "live.example.com", "--vpc=false"}, nil, "live.example.com:443"},
		{[]string{"--region", "ap-southeast-1", "--vpc=false"}, []string{endpointEnv + "=https://live.example.com"}, "live.ap-southeast-1.aliyuncs.com:443"},
	} {
		t.Run(strings.Join(append(tc.args, tc.env...), " "), func(t *testing.T) {
			t.Parallel()
			proxy := newConnectRecorder(t)
			env := append(withoutProxies(baseEnv(t, demoCreds...)), "HTTPS_PROXY="+proxy.URL)
			r := runBinary(t, append(env, tc.env...), append([]string{"tasks", "--app-id", livetest.DemoAppID}, tc.args...)...)
			wantCode(t, r, exitFailure) // the proxy refuses
			seen := proxy.seen()
			if len(seen) == 0 {
				t.Fatalf("nothing went through the proxy; stderr:\n%s", r.stderr)
			}
			for _, s := range seen {
				if s != "CONNECT "+tc.want {
					t.Errorf("proxy saw %q, want CONNECT %s", s, tc.want)
				}
			}
		})
	}
}

// TestNoCredentialsFailFast checks that missing credentials end the command
// before it writes anything, even the opening of a JSON array, with the
// reason and a hint, and send nothing.
func TestNoCredentialsFailFast(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t)
	for _, args := range [][]string{
		{"tasks", "--app-id", "a", "-o", "json"},
		{"events", "--app-id", "a", "--since", "1h", "-o", "json"},
	} {
		r := runBinary(t, baseEnv(t), append(args, "--endpoint", srv.URL())...)
		wantCode(t, r, exitFailure)
		if r.stdout != "" {
			t.Errorf("livempu %q wrote %q before failing", args, r.stdout)
		}
		for _, want := range []string{"credentials", "no credentials found", "ALIBABA_CLOUD_ACCESS_KEY_ID", "hint:", "--demo"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("livempu %q: stderr lacks %q:\n%s", args, want, r.stderr)
			}
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent without credentials", n)
	}
}

// withoutProxies drops the proxy variables of env.
func withoutProxies(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "REQUEST_METHOD":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// TestEndpointEnvErrorsNameTheVariable checks that an invalid endpoint
// taken from $LIVEMPU_ENDPOINT is reported as the variable's, not as a
// --endpoint flag the user never gave.
func TestEndpointEnvErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	for _, value := range []string{"ap-southeast-1", "http://10.1.1.1", "ftp://live.example.com"} {
		r := runBinary(t, baseEnv(t, append(demoCreds, endpointEnv+"="+value)...), "tasks", "--app-id", "a")
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "$"+endpointEnv+": ") || strings.Contains(r.stderr, "--endpoint:") {
			t.Errorf("%s=%s: stderr does not name the variable:\n%s", endpointEnv, value, r.stderr)
		}
	}
}
