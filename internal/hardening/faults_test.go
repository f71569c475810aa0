package hardening_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// env is what one fault needs: the livetest server, the client options it
// adds, and the call's timeout.
type env struct {
	t       *testing.T
	srv     *livetest.Server
	action  string
	opts    []livempu.Option
	timeout time.Duration
	dials   *atomic.Int64 // dials attempted through a test dialer, if any
}

// front puts handler in front of the livetest server: the client talks to
// handler, which may call the server and mangle its answer.
func (e *env) front(handler http.HandlerFunc) {
	hs := httptest.NewServer(handler)
	e.t.Cleanup(hs.Close)
	e.opts = append(e.opts, livempu.WithEndpoint(hs.URL))
}

// cutMidBody puts a front in place that sends the livetest server's answer
// with its full Content-Length but, when cut() says so, only half the body
// before closing the connection.
func cutMidBody(e *env, cut func() bool) {
	e.front(func(w http.ResponseWriter, r *http.Request) {
		rec := serve(e.srv, r)
		body := rec.Body.Bytes()
		maps.Copy(w.Header(), rec.Header())
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		if !cut() {
			_, _ = w.Write(body)
			return
		}
		_, _ = w.Write(body[:len(body)/2])
		rc := http.NewResponseController(w)
		_ = rc.Flush()
		if conn, _, err := rc.Hijack(); err == nil {
			_ = conn.Close()
		}
	})
}

// serve asks the livetest server for its answer to r.
func serve(srv *livetest.Server, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, r)
	return rec
}

// fault is one row of the matrix.
type fault struct {
	name string
	// inject sets the fault up for one call of e.action.
	inject func(e *env)
	// attempts is how many HTTP attempts the call must make (and the
	// server see, unless the endpoint never answers).
	attempts int
	// check asserts the error; nil means the call must succeed.
	check func(t *testing.T, err error)
	// noServer is set when no request can reach the server.
	noServer bool
}

// isErr returns a check that err matches target with errors.Is.
func isErr(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error %v (%T) does not match %v", err, errors.Unwrap(err), target)
		}
	}
}

// apiErr also checks the HTTP status and code of the *APIError.
func apiErr(target error, status int, code string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		isErr(target)(t, err)
		var ae *livempu.APIError
		if !errors.As(err, &ae) || ae.StatusCode != status || ae.Code != code || ae.RequestID == "" {
			t.Errorf("error %#v: want an *APIError %d %s with a request id", err, status, code)
		}
	}
}

// malformed checks for a *ResponseError of the given status.
func malformed(status int, cause error, text string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		isErr(livempu.ErrMalformedResponse)(t, err)
		var re *livempu.ResponseError
		if !errors.As(err, &re) || re.StatusCode != status {
			t.Errorf("error %v: want a *ResponseError with status %d", err, status)
		}
		if cause != nil && !errors.Is(err, cause) {
			t.Errorf("error %v does not match %v", err, cause)
		}
		if text != "" && !strings.Contains(err.Error(), text) {
			t.Errorf("error %q does not say %q", err, text)
		}
	}
}

// deadlineNotMalformed checks for the caller's deadline, which must not
// pass for a malformed answer: the answer was cut by the client.
func deadlineNotMalformed(t *testing.T, err error) {
	t.Helper()
	isErr(context.DeadlineExceeded)(t, err)
	if errors.Is(err, livempu.ErrMalformedResponse) {
		t.Errorf("error %v matches ErrMalformedResponse: the body was cut short by the caller's own deadline", err)
	}
}

// connectionLost checks for a transport error: no answer was read.
func connectionLost(t *testing.T, err error) {
	t.Helper()
	var ae *livempu.APIError
	var re *livempu.ResponseError
	if err == nil || errors.As(err, &ae) || errors.As(err, &re) {
		t.Fatalf("error %v: want a network error", err)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("error %v (%T) is not EOF or a connection reset", err, errors.Unwrap(err))
	}
}

// tenMiB is a syntactically valid page far over the default 8 MiB limit.
var tenMiB = []byte(`{"RequestId":"big","MPUTasks":[],"Logs":[],"Pad":"` + strings.Repeat("x", 10<<20) + `"}`)

// maxAttempts is the default: 3 retries.
const maxAttempts = 4

var faults = []fault{
	{name: "500", attempts: maxAttempts,
		inject: func(e *env) {
			e.srv.Inject(livetest.Fail(500, "InternalError"), maxAttempts, livetest.ForAction(e.action))
		},
		check: apiErr(livempu.ErrInternalError, 500, "InternalError")},
	{name: "500-once", attempts: 2,
		inject: func(e *env) { e.srv.Inject(livetest.Fail(500, "InternalError"), 1, livetest.ForAction(e.action)) }},
	{name: "502-html", attempts: maxAttempts,
		inject: func(e *env) { e.srv.Inject(livetest.HTML(502), maxAttempts, livetest.ForAction(e.action)) },
		check:  malformed(502, nil, "502 Bad Gateway")},
	{name: "502-html-once", attempts: 2,
		inject: func(e *env) { e.srv.Inject(livetest.HTML(502), 1, livetest.ForAction(e.action)) }},
	{name: "503", attempts: maxAttempts,
		inject: func(e *env) {
			e.srv.Inject(livetest.Fail(503, "ServiceUnavailable"), maxAttempts, livetest.ForAction(e.action))
		},
		check: apiErr(livempu.ErrServiceUnavailable, 503, "ServiceUnavailable")},
	{name: "503-once", attempts: 2,
		inject: func(e *env) { e.srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 1, livetest.ForAction(e.action)) }},
	{name: "throttling", attempts: maxAttempts,
		inject: func(e *env) {
			e.srv.Inject(livetest.Fail(400, "Throttling.User"), maxAttempts, livetest.ForAction(e.action))
		},
		check: apiErr(livempu.ErrThrottled, 400, "Throttling.User")},
	{name: "throttling-once", attempts: 2,
		inject: func(e *env) { e.srv.Inject(livetest.Fail(400, "Throttling.User"), 1, livetest.ForAction(e.action)) }},
	{name: "reset", attempts: maxAttempts,
		inject: func(e *env) { e.srv.Inject(livetest.Cut(), maxAttempts, livetest.ForAction(e.action)) },
		check:  connectionLost},
	{name: "reset-once", attempts: 2,
		inject: func(e *env) { e.srv.Inject(livetest.Cut(), 1, livetest.ForAction(e.action)) }},
	// The body is read inside the retry loop: a connection lost mid-body
	// is retried like a reset, and reported as a truncated body at the end.
	{name: "closed-mid-body", attempts: maxAttempts,
		inject: func(e *env) { cutMidBody(e, func() bool { return true }) },
		check:  malformed(200, io.ErrUnexpectedEOF, "")},
	{name: "closed-mid-body-once", attempts: 2,
		inject: func(e *env) {
			var cut atomic.Bool
			cutMidBody(e, func() bool { return !cut.Swap(true) }) // only the first answer breaks off
		}},
	// Headers and half the body come, then nothing until the deadline.
	{name: "stalled-body", attempts: 1,
		inject: func(e *env) {
			e.timeout = 300 * time.Millisecond
			e.front(func(w http.ResponseWriter, r *http.Request) {
				rec := serve(e.srv, r)
				body := rec.Body.Bytes()
				maps.Copy(w.Header(), rec.Header())
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(rec.Code)
				_, _ = w.Write(body[:len(body)/2])
				_ = http.NewResponseController(w).Flush()
				<-r.Context().Done() // the client gave up
			})
		},
		check: deadlineNotMalformed},
	{name: "truncated-json", attempts: 1,
		inject: func(e *env) { e.srv.Inject(livetest.Break(), 1, livetest.ForAction(e.action)) },
		check:  malformed(200, nil, "")},
	{name: "10MiB-body", attempts: 1,
		inject: func(e *env) {
			e.front(func(w http.ResponseWriter, r *http.Request) {
				rec := serve(e.srv, r)
				maps.Copy(w.Header(), rec.Header())
				w.Header().Set("Content-Length", strconv.Itoa(len(tenMiB)))
				w.WriteHeader(rec.Code)
				_, _ = w.Write(tenMiB)
			})
		},
		check: malformed(200, nil, "size limit")},
	{name: "no-answer", attempts: 1,
		inject: func(e *env) {
			e.srv.SetLatency(e.action, time.Minute)
			e.timeout = 300 * time.Millisecond
		},
		check: deadlineNotMalformed},
	// DNS failure of the endpoint. The test dialer does the real lookup
	// (nonexistent.invalid: the .invalid TLD never resolves, RFC 6761) and
	// never connects anywhere. When the sandbox resolver does not answer
	// NXDOMAIN promptly (no resolver, a timeout, or one that answers every
	// name), it stands in with the *net.DNSError a resolver gives, so the
	// outcome does not depend on the network.
	{name: "dns", attempts: 1, noServer: true,
		inject: func(e *env) {
			e.dials = new(atomic.Int64)
			dials, t := e.dials, e.t
			dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				host, _, _ := net.SplitHostPort(addr)
				lctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				defer cancel()
				_, err := net.DefaultResolver.LookupHost(lctx, host)
				if dnsErr := (*net.DNSError)(nil); errors.As(err, &dnsErr) && dnsErr.IsNotFound {
					return nil, err
				}
				t.Logf("resolver answered %v for %s; standing in with a not-found *net.DNSError", err, host)
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			hc := &http.Client{Transport: &http.Transport{DialContext: dial}} // no proxy: nothing but the lookup leaves the process
			e.opts = append(e.opts, livempu.WithEndpoint("https://nonexistent.invalid"), livempu.WithHTTPClient(hc))
			t.Cleanup(hc.CloseIdleConnections)
		},
		check: func(t *testing.T, err error) {
			var dnsErr *net.DNSError
			if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || dnsErr.Name != "nonexistent.invalid" {
				t.Errorf("error %v: want a not-found *net.DNSError for nonexistent.invalid", err)
			}
		}},
	{name: "clock+20m", attempts: 1,
		inject: func(e *env) {
			e.opts = append(e.opts, livempu.WithClock(func() time.Time { return time.Now().Add(20 * time.Minute) }))
		},
		check: apiErr(livempu.ErrTimestampExpired, 400, "InvalidTimeStamp.Expired")},
	{name: "clock-20m", attempts: 1,
		inject: func(e *env) {
			e.opts = append(e.opts, livempu.WithClock(func() time.Time { return time.Now().Add(-20 * time.Minute) }))
		},
		check: apiErr(livempu.ErrTimestampExpired, 400, "InvalidTimeStamp.Expired")},
}

// TestFaultMatrix runs every fault against each operation under both
// signature versions, through the public API, and checks the attempts, the
// error, the time taken, the goroutines left and every output for secrets.
func TestFaultMatrix(t *testing.T) {
	for _, f := range faults {
		for _, op := range operations {
			for _, ver := range versions {
				t.Run(fmt.Sprintf("%s/%s/%s", f.name, op.action, ver), func(t *testing.T) {
					runFault(t, f, op, ver)
				})
			}
		}
	}
}

func runFault(t *testing.T, f fault, op operation, ver signer.Version) {
	leakcheck.Check(t) // first, so that its cleanup runs after the servers close
	keyID := freshKeyID()
	srv := livetest.NewServer(t, livetest.WithAccount(keyID, hSecret, hToken), livetest.WithGenerated(20, 50, 1))
	logs := &logCapture{}
	hooked := &hookCapture{}
	// The deadline only bounds a hang, for the faults that do not set their
	// own: reading the 10 MiB body under -race took over 10 s once, on two
	// cores at a load average of 20.
	e := &env{t: t, srv: srv, action: op.action, timeout: time.Minute}
	f.inject(e)
	opts := append([]livempu.Option{
		livempu.WithSignatureVersion(ver),
		livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUEventSubRecord, nil),
		livempu.WithLogger(logs.logger()),
		livempu.WithHook(hooked.hook()),
	}, e.opts...)
	c := srv.Client(opts...)

	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	defer cancel()
	start := time.Now()
	resp, err := safeCall(t, func() (any, error) { return op.call(ctx, c, srv.Now()) })
	elapsed := time.Since(start)

	// Within the deadline (a call that ends on the deadline may overrun it
	// by scheduling delay only).
	if deadline, _ := ctx.Deadline(); time.Now().After(deadline.Add(time.Second)) {
		t.Errorf("the call took %v, past its %v deadline", elapsed, e.timeout)
	}
	if f.check == nil {
		if err != nil || resp == nil {
			t.Fatalf("want success after retry, got %v", err)
		}
	} else {
		if err == nil {
			t.Fatalf("want an error, got %+v", resp)
		}
		f.check(t, err)
		var opErr *livempu.OperationError
		if !errors.As(err, &opErr) {
			t.Errorf("error %T is not an *OperationError", err)
		} else if opErr.Attempts != f.attempts || opErr.Action != op.action {
			t.Errorf("OperationError{Action: %s, Attempts: %d}, want %s and %d attempts", opErr.Action, opErr.Attempts, op.action, f.attempts)
		}
		for _, s := range []string{err.Error(), formatted(err)} {
			noSecret(t, "error", s)
			if strings.Contains(s, "Signature=") || strings.Contains(s, "Authorization") {
				t.Errorf("error shows a signed URL or header: %s", s)
			}
		}
	}
	if resp != nil {
		noSecret(t, "response", formatted(resp))
	}

	// What the server saw.
	if e.dials != nil {
		if n := e.dials.Load(); n != int64(f.attempts) {
			t.Errorf("%d dials, want %d", n, f.attempts)
		}
	}
	wantSeen := f.attempts
	if f.noServer {
		wantSeen = 0
	}
	// A request the client gave up on is recorded when its handler ends,
	// which may be just after the call returned.
	st := srv.Stats()
	for wait := time.Now().Add(2 * time.Second); st.Requests < wantSeen && time.Now().Before(wait); st = srv.Stats() {
		time.Sleep(5 * time.Millisecond)
	}
	if st.Requests != wantSeen {
		t.Errorf("the server saw %d requests, want %d (%+v)", st.Requests, wantSeen, st)
	}
	for _, r := range srv.Requests() {
		noSecret(t, "livetest.Request", formatted(r))
	}

	// Logs: every attempt is logged, and nothing secret or signed is.
	out := logs.String()
	if got := strings.Count(out, "action="+op.action); got != f.attempts {
		t.Errorf("%d attempts logged, want %d:\n%s", got, f.attempts, out)
	}
	checkLogs(t, out)

	// The hook saw the call and each attempt, and nothing secret or signed.
	seen := hooked.String()
	if got := strings.Count(seen, "attempt "); got != f.attempts || strings.Count(seen, "start ") != 1 || strings.Count(seen, "end ") != 1 {
		t.Errorf("the hook saw %d attempts, want %d, and one start and end:\n%s", got, f.attempts, seen)
	}
	checkLogs(t, seen)
	t.Logf("%v in %v", err, elapsed.Round(time.Millisecond))
}
