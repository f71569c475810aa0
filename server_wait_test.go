package livempu_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// Regression tests: a wait the server asks for that cannot fit in the
// caller's deadline (issue 12, item 4).

// A throttle whose wait cannot fit in the caller's deadline ends the call at
// once with the service's answer, instead of sleeping to the deadline and
// returning a bare context error.
func TestServerWaitBeyondDeadlineReturnsTheAPIError(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   http.Header
		body     string
		sentinel error
	}{
		{"Retry-After on a 429", 429, http.Header{"Retry-After": {"30"}}, errorBody("Throttling.User"), livempu.ErrThrottled},
		{"x-ratelimit TimeLeft on a 400", 400, http.Header{"X-Ratelimit-User-Api": {"Limit:50,Remain:0,TimeLeft:20000,Reset:1"}}, errorBody("Throttling.Api"), livempu.ErrThrottled},
		{"Retry-After on a 503", 503, http.Header{"Retry-After": {"45"}}, errorBody("ServiceUnavailable"), livempu.ErrServiceUnavailable},
		{"Retry-After on a 200 error document", 200, http.Header{"Retry-After": {"30"}}, errorBody("Throttling.User"), livempu.ErrThrottled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
				for k, v := range tc.header {
					w.Header()[k] = v
				}
				writeJSON(w, tc.status, tc.body)
			})
			c := newTestClient(t, f)
			// The deadline is far shorter than the wait asked for, and far
			// longer than a call that gives up at once can take.
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
			defer cancel()
			_, err := c.ListRtcMPUTaskDetail(ctx, taskReq())
			if ctx.Err() != nil {
				t.Fatalf("the call slept to the deadline: err = %v", err)
			}
			checkErr(t, err)
			var ae *livempu.APIError
			if !errors.As(err, &ae) || ae.RequestID == "" || ae.Code == "" {
				t.Fatalf("err = %v, want the *APIError with its code and request id", err)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(err, %v) = false: %v", tc.sentinel, err)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) = false: %v", err)
			}
			if n := len(f.attempts()); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
			if !strings.Contains(err.Error(), "deadline") {
				t.Errorf("message does not say the wait passes the deadline: %v", err)
			}
		})
	}
}

// A wait that fits in the deadline is still waited.
func TestServerWaitWithinDeadlineIsRetried(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, errorBody("Throttling.User"))
			return
		}
		writeJSON(w, 200, oneTaskBody)
	})
	c := newTestClient(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.ListRtcMPUTaskDetail(ctx, taskReq()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.attempts()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

// The last attempt's wait is never waited, so a deadline it passes changes
// nothing: the error is the API error alone.
func TestServerWaitOnTheLastAttemptIsNotADeadlineError(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, 429, errorBody("Throttling.User"))
	})
	c := newTestClient(t, f, livempu.WithMaxRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	_, err := c.ListRtcMPUTaskDetail(ctx, taskReq())
	if !errors.Is(err, livempu.ErrThrottled) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrThrottled alone", err)
	}
}

// A backoff the client chose itself (no wait asked for) that cannot end
// before the caller's deadline ends the call at once too, with the last
// attempt's error: the service's answer (code, request id) or the network
// error, not a bare context error after sleeping to the deadline.
func TestBackoffBeyondDeadlineReturnsTheLastError(t *testing.T) {
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter)
		check  func(t *testing.T, err error)
	}{
		{"503 without a wait", func(w http.ResponseWriter) { writeJSON(w, 503, errorBody("ServiceUnavailable")) },
			func(t *testing.T, err error) {
				var ae *livempu.APIError
				if !errors.As(err, &ae) || ae.RequestID == "" || !errors.Is(err, livempu.ErrServiceUnavailable) {
					t.Errorf("err = %v, want the *APIError with its code and request id", err)
				}
			}},
		{"connection closed", func(w http.ResponseWriter) {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
		}, func(t *testing.T, err error) {
			var ae *livempu.APIError
			if errors.As(err, &ae) || !strings.Contains(err.Error(), "EOF") {
				t.Errorf("err = %v, want the network error", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { tc.answer(w) })
			// A backoff of up to an hour: the chance that the first wait
			// fits in the deadline below is 1 in 18,000.
			c := newTestClient(t, f, livempu.WithRetryBackoff(time.Hour, time.Hour))
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
			defer cancel()
			_, err := c.ListRtcMPUTaskDetail(ctx, taskReq())
			if ctx.Err() != nil {
				t.Fatalf("the call slept to the deadline: err = %v", err)
			}
			checkErr(t, err)
			tc.check(t, err)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "would pass the context deadline") {
				t.Errorf("err = %v, want one that says the next attempt could not start in time", err)
			}
			if n := len(f.attempts()); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	}
}
