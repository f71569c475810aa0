package otellivempu_test

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// Recognisable credentials (the canaries of internal/hardening's matrix).
// They use only characters that percent-encoding leaves alone, so that one
// substring search finds them in any encoding.
const (
	canarySecret = "OtelCanarySecret-d0-n0t-export-5e1b"
	canaryToken  = "OtelCanaryToken-d0-n0t-export-8a4d"
)

// forbidden may appear in no span, event, status or metric: the canaries,
// a signature or an Authorization header, a signed or unsigned query.
var forbidden = []string{canarySecret, canaryToken, "Signature=", "Signature%3D", "ACS3-HMAC-SHA256 ", "SecurityToken", "AccessKeyId=", "AppId=", "x-acs-", "?"}

// faultEnv is what one fault needs: the server, the options it adds to the
// client, and the call's timeout.
type faultEnv struct {
	t       *testing.T
	srv     *livetest.Server
	action  string
	opts    []livempu.Option
	timeout time.Duration
}

// front puts handler in front of the livetest server.
func (e *faultEnv) front(handler http.HandlerFunc) {
	hs := httptest.NewServer(handler)
	e.t.Cleanup(hs.Close)
	e.opts = append(e.opts, livempu.WithEndpoint(hs.URL))
}

// relay answers with the livetest server's answer to r, through cut, which
// may write part of it.
func (e *faultEnv) relay(w http.ResponseWriter, r *http.Request, cut func(w http.ResponseWriter, r *http.Request, body []byte)) {
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	maps.Copy(w.Header(), rec.Header())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	cut(w, r, body)
}

// echoRequest is a proxy's error page quoting the signed request back: its
// URL (under V1 the signature and the STS token) and every header.
func echoRequest(status int) func(e *faultEnv) {
	return func(e *faultEnv) {
		e.front(func(w http.ResponseWriter, r *http.Request) {
			var b strings.Builder
			fmt.Fprintf(&b, "<html><body>%d upstream error for %s", status, r.URL.String())
			for k, v := range r.Header {
				fmt.Fprintf(&b, " %s: %s", k, strings.Join(v, ","))
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = fmt.Fprint(w, b.String())
		})
	}
}

// faults is the fault matrix of internal/hardening, plus answers that echo
// the signed request back.
var faults = []struct {
	name   string
	inject func(e *faultEnv)
}{
	{"ok", func(e *faultEnv) {}},
	{"500", func(e *faultEnv) { e.srv.Inject(livetest.Fail(500, "InternalError"), 4, livetest.ForAction(e.action)) }},
	{"502-html", func(e *faultEnv) { e.srv.Inject(livetest.HTML(502), 4, livetest.ForAction(e.action)) }},
	{"503-once", func(e *faultEnv) {
		e.srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 1, livetest.ForAction(e.action))
	}},
	{"throttling", func(e *faultEnv) {
		e.srv.Inject(livetest.Fail(400, "Throttling.User"), 4, livetest.ForAction(e.action))
	}},
	{"throttling-once", func(e *faultEnv) {
		e.srv.Inject(livetest.Fail(400, "Throttling.User"), 1, livetest.ForAction(e.action))
	}},
	{"forbidden", func(e *faultEnv) { e.srv.Inject(livetest.Fail(403, "Forbidden.RAM"), 1, livetest.ForAction(e.action)) }},
	{"reset", func(e *faultEnv) { e.srv.Inject(livetest.Cut(), 4, livetest.ForAction(e.action)) }},
	{"reset-once", func(e *faultEnv) { e.srv.Inject(livetest.Cut(), 1, livetest.ForAction(e.action)) }},
	{"closed-mid-body", func(e *faultEnv) {
		e.front(func(w http.ResponseWriter, r *http.Request) {
			e.relay(w, r, func(w http.ResponseWriter, _ *http.Request, body []byte) {
				_, _ = w.Write(body[:len(body)/2])
				rc := http.NewResponseController(w)
				_ = rc.Flush()
				if conn, _, err := rc.Hijack(); err == nil {
					_ = conn.Close()
				}
			})
		})
	}},
	{"stalled-body", func(e *faultEnv) {
		e.timeout = 300 * time.Millisecond
		e.front(func(w http.ResponseWriter, r *http.Request) {
			e.relay(w, r, func(w http.ResponseWriter, r *http.Request, body []byte) {
				_, _ = w.Write(body[:len(body)/2])
				_ = http.NewResponseController(w).Flush()
				<-r.Context().Done()
			})
		})
	}},
	{"truncated-json", func(e *faultEnv) { e.srv.Inject(livetest.Break(), 1, livetest.ForAction(e.action)) }},
	{"no-answer", func(e *faultEnv) {
		e.srv.SetLatency(e.action, time.Minute)
		e.timeout = 300 * time.Millisecond
	}},
	{"dns", func(e *faultEnv) {
		dial := func(_ context.Context, _, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		e.opts = append(e.opts, livempu.WithEndpoint("https://nonexistent.invalid"),
			livempu.WithHTTPClient(&http.Client{Transport: &http.Transport{DialContext: dial}}))
	}},
	{"clock+20m", func(e *faultEnv) {
		e.opts = append(e.opts, livempu.WithClock(func() time.Time { return time.Now().Add(20 * time.Minute) }))
	}},
	{"wrong-secret", func(e *faultEnv) {
		e.opts = append(e.opts, livempu.WithStaticCredentials(livetest.DemoAccessKeyID, canarySecret, canaryToken))
	}},
	{"echo-502", echoRequest(502)},
	{"echo-400", echoRequest(400)},
}

// TestNoSecretInTelemetry runs every fault against each operation under
// both signature versions, with STS credentials and with a long-term key,
// and checks every span, event, status and metric for the canaries and for
// anything signed.
func TestNoSecretInTelemetry(t *testing.T) {
	operations := map[string]func(ctx context.Context, c *livempu.Client, now time.Time) error{
		livempu.ActionListRtcMPUTaskDetail: func(ctx context.Context, c *livempu.Client, _ time.Time) error {
			_, err := c.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1})
			return err
		},
		livempu.ActionListRtcMPUEventSubRecord: func(ctx context.Context, c *livempu.Client, now time.Time) error {
			_, err := c.ListRtcMPUEventSubRecord(ctx, &livempu.ListRtcMPUEventSubRecordRequest{
				AppID: livetest.DemoAppID, StartTime: now.Add(-24 * time.Hour), EndTime: now, PageSize: 10, PageNo: 1})
			return err
		},
	}
	for _, f := range faults {
		for action, call := range operations {
			for _, ver := range []signer.Version{signer.V3, signer.V1} {
				for _, token := range []string{canaryToken, ""} {
					name := fmt.Sprintf("%s/%s/%s/sts=%t", f.name, action, ver, token != "")
					t.Run(name, func(t *testing.T) {
						tel := newTelemetry(t)
						srv := livetest.NewServer(t, livetest.WithAccount(freshKeyID(), canarySecret, token), livetest.WithGenerated(20, 50, 1))
						e := &faultEnv{t: t, srv: srv, action: action, timeout: 10 * time.Second}
						f.inject(e)
						c := srv.Client(append([]livempu.Option{
							tel.option(),
							livempu.WithSignatureVersion(ver),
							livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
						}, e.opts...)...)
						ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
						defer cancel()
						err := call(ctx, c, srv.Now())
						out := tel.dump(t)
						if len(tel.ended(action)) != 1 {
							t.Errorf("%d spans, want 1:\n%s", len(tel.ended(action)), out)
						}
						for _, bad := range forbidden {
							if strings.Contains(out, bad) {
								t.Errorf("telemetry contains %q:\n%s", bad, out)
							}
						}
						if t.Failed() || testing.Verbose() {
							t.Logf("error: %v\n%s", err, out)
						}
					})
				}
			}
		}
	}
}
