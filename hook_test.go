package livempu_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	livempu "github.com/livempu/livempu-go"
)

// hookRecorder keeps everything a Hook is given.
type hookRecorder struct {
	mu       sync.Mutex
	starts   []livempu.Operation
	attempts []livempu.Attempt
	ends     []livempu.Operation
	ctxOK    []bool // whether each attempt and end saw the start's context
}

type hookKey struct{}

func (r *hookRecorder) hook() livempu.Hook {
	return livempu.Hook{
		OperationStart: func(ctx context.Context, op livempu.Operation) context.Context {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.starts = append(r.starts, op)
			return context.WithValue(ctx, hookKey{}, op.Action)
		},
		Attempt: func(ctx context.Context, a livempu.Attempt) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.attempts = append(r.attempts, a)
			r.ctxOK = append(r.ctxOK, ctx.Value(hookKey{}) == a.Action)
		},
		OperationEnd: func(ctx context.Context, res livempu.Operation) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.ends = append(r.ends, res)
			r.ctxOK = append(r.ctxOK, ctx.Value(hookKey{}) == res.Action)
		},
	}
}

// throttleThen answers the first n requests with Throttling.User and a
// TimeLeft of wait, then with one task.
func throttleThen(n int, wait time.Duration) func(int, attempt, http.ResponseWriter) {
	return func(i int, _ attempt, w http.ResponseWriter) {
		if i <= n {
			w.Header().Set("x-ratelimit-user-api", fmt.Sprintf("Limit:50,Remain:0,TimeLeft:%d,Reset:1", wait.Milliseconds()))
			writeJSON(w, 400, errorBody("Throttling.User"))
			return
		}
		writeJSON(w, 200, oneTaskBody)
	}
}

// stampTransport records, below the SDK, when each attempt was sent and
// when its answer came back, and the context value of hookKey it carried.
type stampTransport struct {
	mu        sync.Mutex
	sent, got []time.Time
	ctxValues []any
}

func (s *stampTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.sent = append(s.sent, time.Now())
	s.ctxValues = append(s.ctxValues, r.Context().Value(hookKey{}))
	s.mu.Unlock()
	resp, err := http.DefaultTransport.RoundTrip(r)
	s.mu.Lock()
	s.got = append(s.got, time.Now())
	s.mu.Unlock()
	return resp, err
}

// TestResponseRequestIDFromHeader: a page whose body has no RequestId takes
// the request id of the answer's x-acs-request-id header.
func TestResponseRequestIDFromHeader(t *testing.T) {
	f := newFakeServer(t, func(_ int, _ attempt, w http.ResponseWriter) {
		writeJSON(w, 200, `{"MPUTasks":[{"AppId":"app-1","TaskId":"t1","MixMode":"1"}]}`)
	})
	resp, err := newTestClient(t, f).ListRtcMPUTaskDetail(context.Background(), taskReq())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 1 || resp.RequestID != "req-1" {
		t.Errorf("Attempts %d, RequestID %q; want 1 attempt and the header's req-1", resp.Attempts, resp.RequestID)
	}
}

func TestHookSeesEachAttempt(t *testing.T) {
	const serverWait = 80 * time.Millisecond
	f := newFakeServer(t, throttleThen(2, serverWait))
	rec := &hookRecorder{}
	stamps := &stampTransport{}
	c := newTestClient(t, f, livempu.WithHook(rec.hook()),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, rate.NewLimiter(20, 1)),
		livempu.WithHTTPClient(&http.Client{Transport: stamps}))
	resp, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 3 || resp.RequestID != "ok-req" {
		t.Errorf("Attempts %d, RequestID %q; want 3 attempts and the body's ok-req", resp.Attempts, resp.RequestID)
	}
	if len(rec.starts) != 1 || rec.starts[0].Action != livempu.ActionListRtcMPUTaskDetail {
		t.Errorf("starts %+v", rec.starts)
	}
	if len(rec.attempts) != 3 {
		t.Fatalf("%d attempts seen, want 3: %+v", len(rec.attempts), rec.attempts)
	}
	for i, a := range rec.attempts {
		want := livempu.Attempt{Action: livempu.ActionListRtcMPUTaskDetail, Number: i + 1, LimiterRate: 20,
			StatusCode: 400, Code: "Throttling.User", RequestID: fmt.Sprintf("req-%d", i+1), Outcome: livempu.OutcomeThrottled,
			Retry: true, RetryWait: serverWait}
		if i == 2 {
			want.StatusCode, want.Code, want.Outcome, want.Retry, want.RetryWait = 200, "", livempu.OutcomeOK, false, 0
		}
		got := a
		got.LimiterWait, got.Duration = 0, 0
		if got != want {
			t.Errorf("attempt %d:\n got %+v\nwant %+v", i+1, got, want)
		}
		if a.Duration <= 0 {
			t.Errorf("attempt %d: duration %v", i+1, a.Duration)
		}
	}
	// A 20/s limiter with a burst of one makes the retries wait for their
	// token, unless the server's 80 ms wait covered it.
	if len(rec.ends) != 1 || rec.ends[0].Attempts != 3 || rec.ends[0].RequestID != "req-3" || rec.ends[0].Err != nil || rec.ends[0].Duration < 2*serverWait {
		t.Errorf("end %+v", rec.ends)
	}
	for i, ok := range rec.ctxOK {
		if !ok {
			t.Errorf("hook call %d did not get the context OperationStart returned", i)
		}
	}
	// The wait the hook was told of is the wait the client made: below the
	// SDK, each retry went out at least that long after the previous
	// answer came back.
	for i := 1; i < len(stamps.sent); i++ {
		if gap := stamps.sent[i].Sub(stamps.got[i-1]); gap < serverWait {
			t.Errorf("attempt %d went out %v after the previous answer, want at least %v", i+1, gap, serverWait)
		}
	}
	for i, v := range stamps.ctxValues {
		if v != livempu.ActionListRtcMPUTaskDetail {
			t.Errorf("attempt %d was sent without the context OperationStart returned (%v)", i+1, v)
		}
	}
}

func TestHookSeesAFailedCall(t *testing.T) {
	f := newFakeServer(t, func(_ int, _ attempt, w http.ResponseWriter) { writeJSON(w, 403, errorBody("Forbidden.RAM")) })
	rec := &hookRecorder{}
	c := newTestClient(t, f, livempu.WithHook(rec.hook()))
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if !errors.Is(err, livempu.ErrForbidden) {
		t.Fatalf("error %v", err)
	}
	if len(rec.attempts) != 1 || rec.attempts[0].Outcome != livempu.OutcomeClientError || rec.attempts[0].Code != "Forbidden.RAM" ||
		rec.attempts[0].Err != nil || rec.attempts[0].Retry || rec.attempts[0].LimiterRate != 0 {
		t.Errorf("attempts %+v", rec.attempts)
	}
	if len(rec.ends) != 1 || rec.ends[0].Err != err || rec.ends[0].Attempts != 1 || rec.ends[0].RequestID != "req-1" {
		t.Errorf("end %+v, want the call's error %v", rec.ends, err)
	}
}

func TestHookOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reply  func(w http.ResponseWriter)
		want   livempu.Outcome
		hasErr bool
	}{
		{"429", func(w http.ResponseWriter) { writeJSON(w, 429, `{"RequestId":"r"}`) }, livempu.OutcomeThrottled, false},
		{"503", func(w http.ResponseWriter) { writeJSON(w, 503, errorBody("ServiceUnavailable")) }, livempu.OutcomeServerError, false},
		{"html-200", func(w http.ResponseWriter) { w.WriteHeader(200); _, _ = w.Write([]byte("<html>")) }, livempu.OutcomeServerError, true},
		{"invalid-param", func(w http.ResponseWriter) { writeJSON(w, 400, errorBody("InvalidParam")) }, livempu.OutcomeClientError, false},
		{"throttle-as-200", func(w http.ResponseWriter) { writeJSON(w, 200, errorBody("Throttling.User")) }, livempu.OutcomeThrottled, false},
		{"internal-error-as-200", func(w http.ResponseWriter) { writeJSON(w, 200, errorBody("InternalError")) }, livempu.OutcomeServerError, false},
		{"cut", func(w http.ResponseWriter) {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
		}, livempu.OutcomeNetwork, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t, func(_ int, _ attempt, w http.ResponseWriter) { tc.reply(w) })
			rec := &hookRecorder{}
			c := newTestClient(t, f, livempu.WithHook(rec.hook()), livempu.WithMaxRetries(0))
			_, _ = c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			if len(rec.attempts) != 1 {
				t.Fatalf("%d attempts", len(rec.attempts))
			}
			a := rec.attempts[0]
			if a.Outcome != tc.want || (a.Err != nil) != tc.hasErr {
				t.Errorf("attempt %+v, want outcome %s and an error: %t", a, tc.want, tc.hasErr)
			}
			if tc.hasErr && a.StatusCode != 0 && !errors.Is(a.Err, livempu.ErrMalformedResponse) {
				t.Errorf("the error of an undecodable answer %v does not match ErrMalformedResponse", a.Err)
			}
		})
	}
}

// TestLogSaysEachAttemptsCodeAndWait: two Throttling.User answers read as
// two attempts, each with its code and the wait before the next one.
func TestLogSaysEachAttemptsCodeAndWait(t *testing.T) {
	f := newFakeServer(t, throttleThen(2, 30*time.Millisecond))
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelInfo}))
	c := newTestClient(t, f, livempu.WithLogger(logger))
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines at info level, want 3:\n%s", len(lines), buf.String())
	}
	for i, want := range [][]string{
		{`msg="livempu attempt"`, "attempt=1", "outcome=throttled", "status=400", "code=Throttling.User", "request_id=req-1", "retry_in=30ms"},
		{`msg="livempu retry"`, "attempt=2", "outcome=throttled", "status=400", "code=Throttling.User", "request_id=req-2", "retry_in=30ms"},
		{`msg="livempu retry"`, "attempt=3", "outcome=ok", "status=200", "request_id=req-3"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d lacks %s: %s", i+1, w, lines[i])
			}
		}
	}
	if strings.Contains(lines[2], "retry_in") || strings.Contains(lines[2], "code=") {
		t.Errorf("the last line announces a retry or a code: %s", lines[2])
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestRequestID(t *testing.T) {
	f := newFakeServer(t, func(n int, _ attempt, w http.ResponseWriter) {
		switch n {
		case 1:
			writeJSON(w, 400, errorBody("InvalidParam"))
		case 2:
			w.Header().Set("x-acs-request-id", "proxy-req")
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		}
	})
	c := newTestClient(t, f, livempu.WithMaxRetries(0))
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if got := livempu.RequestID(err); got != "body-req" {
		t.Errorf("RequestID of an *APIError = %q, want the body's body-req (%v)", got, err)
	}
	_, err = c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if got := livempu.RequestID(err); got != "proxy-req" {
		t.Errorf("RequestID of a *ResponseError = %q, want proxy-req (%v)", got, err)
	}
	_, err = c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{})
	if got := livempu.RequestID(err); got != "" || err == nil {
		t.Errorf("RequestID of a validation error = %q (%v)", got, err)
	}
	if got := livempu.RequestID(fmt.Errorf("wrapped: %w", &livempu.APIError{RequestID: "x"})); got != "x" {
		t.Errorf("RequestID through a wrapper = %q", got)
	}
	if livempu.RequestID(nil) != "" || livempu.RequestID(context.Canceled) != "" {
		t.Error("RequestID of an error without one is not empty")
	}
}
