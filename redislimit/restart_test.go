package redislimit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/redislimit"
	"github.com/redis/go-redis/v9"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor calls l.Wait for d and returns how many waits succeeded and the
// errors of the others (a failing Wait is retried after 10 ms).
func waitFor(l *redislimit.Limiter, d time.Duration) (int, []error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	n, errs := 0, []error(nil)
	for ctx.Err() == nil {
		switch err := l.Wait(ctx); {
		case err == nil:
			n++
		case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "deadline"):
			return n, errs
		default:
			errs = append(errs, err)
			time.Sleep(10 * time.Millisecond)
		}
	}
	return n, errs
}

// TestRedisRestart kills Redis in the middle of a run and starts it again:
// a fail-closed limiter fails clearly meanwhile, a fail-open one keeps going
// at its share of the budget, and both return to the shared budget.
func TestRedisRestart(t *testing.T) {
	leakcheck.Check(t)
	srv := newRedisServer(t)
	newClient := func() redis.UniversalClient {
		// No retries and short timeouts, as recommended for a limiter:
		// an outage is reported in milliseconds.
		rdb := redis.NewClient(&redis.Options{
			Addr: srv.addr, MaxRetries: -1, DialerRetries: 1,
			DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond,
		})
		t.Cleanup(func() { rdb.Close() })
		return rdb
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	prefix := uniquePrefix(t)
	const perSecond, share = 40, 0.25 // fail-open falls back to 10/s
	ev := livempu.ActionListRtcMPUEventSubRecord
	closed, err := redislimit.New(newClient(), keyA, ev,
		redislimit.WithRate(perSecond), redislimit.WithKeyPrefix(prefix), redislimit.WithFailClosed(), redislimit.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	open, err := redislimit.New(newClient(), keyB, ev,
		redislimit.WithRate(perSecond), redislimit.WithKeyPrefix(prefix), redislimit.WithFailOpen(share), redislimit.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	api := livetest.NewServer(t)
	client := api.Client(livempu.WithRateLimiter(ev, closed), livempu.WithMaxRetries(0))
	ctx := context.Background()
	req := func() *livempu.ListRtcMPUEventSubRecordRequest {
		now := time.Now()
		return &livempu.ListRtcMPUEventSubRecordRequest{
			AppID: livetest.DemoAppID, StartTime: now.Add(-time.Hour), EndTime: now, PageSize: 10, PageNo: 1}
	}
	// Upper bounds are what the budget promises; lower bounds are loose, as
	// a busy machine wakes waiters late and GCRA does not make up lost time.
	inRange := func(what string, n int, lo, hi int) {
		t.Helper()
		t.Logf("%s: %d waits", what, n)
		if n < lo || n > hi {
			t.Errorf("%s: %d waits, want %d to %d", what, n, lo, hi)
		}
	}

	// Redis up: both on the shared budget, 40/s.
	n, errs := waitFor(open, time.Second)
	inRange("fail-open, Redis up, 1s", n, perSecond*3/4, perSecond+2)
	if len(errs) > 0 {
		t.Errorf("fail-open with Redis up: %v", errs)
	}
	if _, err := client.ListRtcMPUEventSubRecord(ctx, req()); err != nil {
		t.Fatalf("call with Redis up: %v", err)
	}

	srv.kill()

	// Fail-closed: a clear error, matching ErrUnavailable and wrapping
	// Redis's, and the SDK sends nothing.
	err = closed.Wait(ctx)
	var opErr *net.OpError
	switch {
	case !errors.Is(err, redislimit.ErrUnavailable):
		t.Errorf("fail-closed Wait with Redis down = %v, want ErrUnavailable", err)
	case !errors.As(err, &opErr):
		t.Errorf("fail-closed error %q does not wrap the Redis client's *net.OpError", err)
	case !strings.HasPrefix(err.Error(), "redislimit: Redis unavailable: shared budget of "+ev+" not checked: "):
		t.Errorf("fail-closed error = %q", err)
	}
	t.Logf("fail-closed error: %v", err)
	before := api.Stats().Requests
	_, err = client.ListRtcMPUEventSubRecord(ctx, req())
	if !errors.Is(err, redislimit.ErrUnavailable) {
		t.Errorf("SDK call with Redis down = %v, want an error matching redislimit.ErrUnavailable", err)
	}
	t.Logf("SDK error: %v", err)
	if after := api.Stats().Requests; after != before {
		t.Errorf("the SDK sent %d requests without a budget", after-before)
	}
	for _, e := range []error{err, closed.Wait(ctx)} {
		if e != nil && (strings.Contains(e.Error(), keyA) || strings.Contains(e.Error(), keyB)) {
			t.Errorf("error shows the AccessKey ID: %v", e)
		}
	}

	// Fail-open: on at its share, 10/s (the first wait at once), for long
	// enough to ask Redis again once, logged once.
	n, errs = waitFor(open, 1500*time.Millisecond)
	inRange("fail-open, Redis down, 1.5s", n, 10, 17)
	if len(errs) > 0 {
		t.Errorf("fail-open with Redis down: %v", errs)
	}
	if c := strings.Count(logs.String(), "falling back to the local limiter"); c != 1 {
		t.Errorf("fall-back logged %d times, want once:\n%s", c, logs)
	}

	if err := srv.start(); err != nil {
		t.Fatalf("restarting Redis: %v", err)
	}

	// Fail-closed recovers with the next Wait that reaches Redis.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := closed.Wait(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fail-closed still failing 5s after Redis restarted: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := client.ListRtcMPUEventSubRecord(ctx, req()); err != nil {
		t.Errorf("SDK call after Redis restarted: %v", err)
	}

	// Fail-open asks Redis again within a second, says so once, and is back
	// at the full shared rate.
	waitFor(open, 1100*time.Millisecond)
	if c := strings.Count(logs.String(), "back on the shared budget"); c != 1 {
		t.Fatalf("return to Redis logged %d times, want once:\n%s", c, logs)
	}
	n, errs = waitFor(open, time.Second)
	inRange("fail-open, Redis back, 1s", n, perSecond*3/4, perSecond+2)
	if len(errs) > 0 {
		t.Errorf("fail-open after restart: %v", errs)
	}
	rdb := newClient()
	if ok, err := rdb.Exists(ctx, open.Key()).Result(); err != nil || ok != 1 {
		t.Errorf("fail-open budget key in the restarted Redis: exists = %d, %v", ok, err)
	}

	out := logs.String()
	t.Logf("logs:\n%s", out)
	for _, id := range []string{keyA, keyB} {
		if strings.Contains(out, id) {
			t.Errorf("logs show the AccessKey ID %s", id)
		}
	}
}
