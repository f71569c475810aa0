package livempu_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"golang.org/x/time/rate"
)

// adaptiveClient builds a client with the default limiters of a fresh
// account against f, its attempts stamped in l and its logs in logs.
func adaptiveClient(t *testing.T, f *fakeServer, l *sendLog, logs *logBuffer, opts ...livempu.Option) *livempu.Client {
	t.Helper()
	base := []livempu.Option{
		livempu.WithEndpoint(f.srv.URL),
		livempu.WithStaticCredentials(testKeyID+"-"+uniqueAccount(t), testSecret, ""),
		livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
		livempu.WithHTTPClient(l.client()),
		livempu.WithLogger(slog.New(slog.NewTextHandler(logs, nil))),
	}
	c, err := livempu.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// throttleFirst answers the first n attempts with Throttling.User and
// headers h, the others with a task page.
func throttleFirst(n int, h map[string]string) func(int, attempt, http.ResponseWriter) {
	return func(i int, _ attempt, w http.ResponseWriter) {
		if i <= n {
			for k, v := range h {
				w.Header().Set(k, v)
			}
			writeJSON(w, 400, errorBody("Throttling.User"))
			return
		}
		writeJSON(w, 200, oneTaskBody)
	}
}

func TestThrottleLowersTheRateLogsOnceAndRecovers(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t, throttleFirst(3, nil))
	logs := &logBuffer{}
	c := adaptiveClient(t, f, newSendLog(), logs)
	const action = livempu.ActionListRtcMPUTaskDetail
	if r := c.LimiterRate(action); r != 48 {
		t.Fatalf("rate before any throttle: %v", r)
	}
	// Three throttles in a row (the retries of one call), then a success.
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	lowered := c.LimiterRate(action)
	if lowered >= 48 {
		t.Fatalf("rate after throttles: %v", lowered)
	}
	if n := strings.Count(logs.String(), "lowering the request rate"); n != 1 {
		t.Errorf("logged the drop %d times:\n%s", n, logs)
	}
	// The other action has its own budget.
	if r := c.LimiterRate(livempu.ActionListRtcMPUEventSubRecord); r != 97 {
		t.Errorf("other action's rate: %v", r)
	}
	// Without throttles the rate climbs back, and that is logged once.
	deadline := time.Now().Add(20 * time.Second)
	for c.LimiterRate(action) < 48 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	for range 2 {
		if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
			t.Fatal(err)
		}
	}
	if r := c.LimiterRate(action); r != 48 {
		t.Errorf("rate did not climb back: %v", r)
	}
	if n := strings.Count(logs.String(), "back to the configured rate"); n != 1 {
		t.Errorf("logged the recovery %d times:\n%s", n, logs)
	}
}

func TestServerWaitHoldsEveryGoroutine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		header map[string]string
		wait   time.Duration
	}{
		{"x-acs-retry-after", map[string]string{"x-acs-retry-after": "600"}, 600 * time.Millisecond},
		{"Retry-After", map[string]string{"Retry-After": "1"}, time.Second},
		{"TimeLeft", map[string]string{"x-ratelimit-user-api": "Limit:50,Remain:0,TimeLeft:700,Reset:1"}, 700 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t, throttleFirst(1, tc.header))
			l := newSendLog()
			c := adaptiveClient(t, f, l, &logBuffer{}, livempu.WithMaxRetries(0))
			_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			answered := time.Now()
			if !errors.Is(err, livempu.ErrThrottled) {
				t.Fatalf("first call: %v", err)
			}
			// Another goroutine's call waits for the end of the wait the
			// service asked for.
			done := make(chan error)
			go func() {
				_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
				done <- err
			}()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			ss := l.sends(time.Time{}, time.Now().Add(time.Hour))
			if len(ss) != 2 {
				t.Fatalf("%d attempts", len(ss))
			}
			if gap := ss[1].at.Sub(answered); gap < tc.wait-50*time.Millisecond {
				t.Errorf("second call sent %v after the throttle, want %v", gap, tc.wait)
			}
		})
	}
}

func TestRemainZeroHoldsTheNextAttempt(t *testing.T) {
	t.Parallel()
	var remain atomic.Value
	remain.Store("0")
	f := newFakeServer(t, func(_ int, _ attempt, w http.ResponseWriter) {
		w.Header().Set("x-ratelimit-user-api", "Limit:50,Remain:"+remain.Load().(string)+",TimeLeft:800,Reset:1")
		writeJSON(w, 200, oneTaskBody)
	})
	l := newSendLog()
	c := adaptiveClient(t, f, l, &logBuffer{})
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	first := time.Now()
	remain.Store("7")
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	second := time.Now()
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	ss := l.sends(time.Time{}, time.Now().Add(time.Hour))
	if gap := ss[1].at.Sub(first); gap < 750*time.Millisecond {
		t.Errorf("after Remain:0 the next attempt went %v later, want 800ms", gap)
	}
	// Remain:7 asks for nothing: the next attempt only waits its interval.
	if gap := ss[2].at.Sub(second); gap > 500*time.Millisecond {
		t.Errorf("after Remain:7 the next attempt went %v later", gap)
	}
	// A success is not a throttle.
	if r := c.LimiterRate(livempu.ActionListRtcMPUTaskDetail); r != 48 {
		t.Errorf("rate %v", r)
	}
}

func TestReportedLimitCapsTheRate(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t, func(_ int, _ attempt, w http.ResponseWriter) {
		w.Header().Set("x-ratelimit-user-api", "Limit:20,Remain:15,TimeLeft:300,Reset:1")
		writeJSON(w, 200, oneTaskBody)
	})
	c := adaptiveClient(t, f, newSendLog(), &logBuffer{})
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	if r := c.LimiterRate(livempu.ActionListRtcMPUTaskDetail); r != 18 {
		t.Errorf("rate under a reported Limit of 20: %v, want 18", r)
	}
}

func TestACSRetryAfterIsAThrottleAndRetried(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t, func(n int, _ attempt, w http.ResponseWriter) {
		if n == 1 {
			w.Header().Set("x-acs-retry-after", "300")
			writeJSON(w, 400, errorBody("Flow.Limited"))
			return
		}
		writeJSON(w, 200, oneTaskBody)
	})
	l := newSendLog()
	c := adaptiveClient(t, f, l, &logBuffer{})
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	ss := l.sends(time.Time{}, time.Now().Add(time.Hour))
	if len(ss) != 2 || ss[1].at.Sub(ss[0].at) < 290*time.Millisecond {
		t.Fatalf("attempts %+v: want a retry 300 ms later", ss)
	}
	if r := c.LimiterRate(livempu.ActionListRtcMPUTaskDetail); r >= 48 {
		t.Errorf("rate %v after a throttle", r)
	}
}

func TestFixedRateOptOut(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t, throttleFirst(2, nil))
	logs := &logBuffer{}
	c := adaptiveClient(t, f, newSendLog(), logs, livempu.WithFixedRate())
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	if r := c.LimiterRate(livempu.ActionListRtcMPUTaskDetail); r != 48 {
		t.Errorf("fixed rate: %v", r)
	}
	if strings.Contains(logs.String(), "lowering") {
		t.Errorf("a fixed-rate client logged a drop:\n%s", logs)
	}
}

func TestLimiterRate(t *testing.T) {
	t.Parallel()
	const rec, task = livempu.ActionListRtcMPUEventSubRecord, livempu.ActionListRtcMPUTaskDetail
	newClient := func(opts ...livempu.Option) *livempu.Client {
		c, err := livempu.NewClient(append([]livempu.Option{livempu.WithStaticCredentials(uniqueAccount(t), "s", "")}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		c      *livempu.Client
		action string
		want   float64
	}{
		{"default records", newClient(), rec, 97},
		{"default tasks", newClient(), task, 48},
		{"raised quota", newClient(livempu.WithQPS(rec, 200)), rec, 195},
		{"fixed", newClient(livempu.WithFixedRate(), livempu.WithQPS(task, 10)), task, 8},
		{"rate.Limiter", newClient(livempu.WithRateLimiter(task, rate.NewLimiter(33, 1))), task, 33},
		{"unlimited rate.Limiter", newClient(livempu.WithRateLimiter(task, rate.NewLimiter(rate.Inf, 1))), task, 0},
		{"nil limiter", newClient(livempu.WithRateLimiter(task, nil)), task, 0},
		{"Rate method", newClient(livempu.WithRateLimiter(task, rated(12.5))), task, 12.5},
		{"no rate known", newClient(livempu.WithRateLimiter(task, waitOnly{})), task, 0},
		{"unknown action", newClient(), "Other", 0},
	} {
		if got := tc.c.LimiterRate(tc.action); got != tc.want {
			t.Errorf("%s: LimiterRate = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// rated is a custom limiter that knows its rate.
type rated float64

func (rated) Wait(context.Context) error { return nil }
func (r rated) Rate() float64            { return float64(r) }

// waitOnly is a custom limiter that does not.
type waitOnly struct{}

func (waitOnly) Wait(context.Context) error { return nil }

func TestQuotaOptionsRejected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opt  livempu.Option
		want string
	}{
		{livempu.WithQPS(livempu.ActionListRtcMPUTaskDetail, 0), "at least 1"},
		{livempu.WithQPS(livempu.ActionListRtcMPUTaskDetail, -3), "at least 1"},
		{livempu.WithQPS("DescribeLiveStreams", 100), "unknown action"},
	} {
		c, err := livempu.NewClient(livempu.WithStaticCredentials("id", "s", ""), tc.opt)
		if err == nil || c != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewClient: %v, %v; want an error containing %q", c, err, tc.want)
		}
	}
}

// observer is an AdaptiveLimiter that records what it is told.
type observer struct {
	mu  sync.Mutex
	got []livempu.Feedback
}

func (o *observer) Wait(context.Context) error { return nil }
func (o *observer) Observe(fb livempu.Feedback) {
	o.mu.Lock()
	o.got = append(o.got, fb)
	o.mu.Unlock()
}

func TestCustomAdaptiveLimiterIsTold(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t, func(n int, _ attempt, w http.ResponseWriter) {
		switch n {
		case 1:
			w.Header().Set("x-ratelimit-user-api", "Limit:40,Remain:0,TimeLeft:5,Reset:1")
			writeJSON(w, 400, errorBody("Throttling.Api"))
		case 2:
			writeJSON(w, 429, `{"Code":"TooMany","RequestId":"r"}`)
		default:
			writeJSON(w, 200, oneTaskBody)
		}
	})
	o := &observer{}
	c := adaptiveClient(t, f, newSendLog(), &logBuffer{}, livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, o))
	before := time.Now()
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.got) != 3 {
		t.Fatalf("told %d times: %+v", len(o.got), o.got)
	}
	want := []livempu.Feedback{
		{Throttled: true, Wait: 5 * time.Millisecond, Limit: 40},
		{Throttled: true},
		{},
	}
	for i, fb := range o.got {
		if fb.Sent.Before(before) || fb.Sent.After(time.Now()) {
			t.Errorf("feedback %d: Sent %v", i, fb.Sent)
		}
		fb.Sent = time.Time{}
		if fb != want[i] {
			t.Errorf("feedback %d: %+v, want %+v", i, fb, want[i])
		}
	}
}

// TestLimitKeySharesOneBudget: two clients with different AccessKey IDs and
// the same WithLimitKey share one budget: a throttle seen by one lowers the
// other's rate, and together they send no faster than one client.
func TestLimitKeySharesOneBudget(t *testing.T) {
	t.Parallel()
	key := "account-" + uniqueAccount(t)
	f := newFakeServer(t, throttleFirst(1, nil))
	l := newSendLog()
	a := adaptiveClient(t, f, l, &logBuffer{}, livempu.WithLimitKey(key), livempu.WithMaxRetries(0))
	b := adaptiveClient(t, f, l, &logBuffer{}, livempu.WithLimitKey(key))
	if _, err := a.ListRtcMPUTaskDetail(context.Background(), taskReq()); !errors.Is(err, livempu.ErrThrottled) {
		t.Fatalf("first call: %v", err)
	}
	if ra, rb := a.LimiterRate(livempu.ActionListRtcMPUTaskDetail), b.LimiterRate(livempu.ActionListRtcMPUTaskDetail); ra >= 48 || rb >= 48 || rb-ra > 1 || ra-rb > 1 {
		t.Errorf("after a throttle of one client: rates %v and %v", ra, rb)
	}
	// Another key does not share it.
	other := adaptiveClient(t, f, newSendLog(), &logBuffer{}, livempu.WithLimitKey(key+"-other"))
	if r := other.LimiterRate(livempu.ActionListRtcMPUTaskDetail); r != 48 {
		t.Errorf("another key's rate: %v", r)
	}
}

// TestThrottleWith2xxStatusLowersTheRate: a throttle sent as an error
// document with a 200 status is one for the limiter too.
func TestThrottleWith2xxStatusLowersTheRate(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t, func(n int, _ attempt, w http.ResponseWriter) {
		if n == 1 {
			writeJSON(w, 200, errorBody("Throttling.User"))
			return
		}
		writeJSON(w, 200, oneTaskBody)
	})
	c := adaptiveClient(t, f, newSendLog(), &logBuffer{})
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	if r := c.LimiterRate(livempu.ActionListRtcMPUTaskDetail); r >= 48 {
		t.Errorf("rate %v after a throttle with status 200", r)
	}
}
