package redislimit_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/redislimit"
)

// fleetRun is one run of several processes of one account on the shared
// Redis budget against a windowServer.
type fleetRun struct {
	srv   *windowServer
	start time.Time
	out   []string
}

// runFleet starts processes OS processes, each saturating its client with
// conc goroutines for runFor from a common start, with retries retries per
// call, and calls during(start) while they run.
func runFleet(tb testing.TB, srv *windowServer, processes, conc, retries int, runFor time.Duration, during func(start time.Time)) fleetRun {
	tb.Helper()
	self, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now().Add(1500 * time.Millisecond)
	env := append(os.Environ(),
		childEnv+"=1",
		childRedis+"="+sharedRedis,
		childEndpoint+"="+srv.srv.URL,
		childPrefix+"="+uniquePrefix(tb),
		childStart+"="+strconv.FormatInt(start.UnixNano(), 10),
		childDuration+"="+runFor.String(),
		childConcurrency+"="+strconv.Itoa(conc),
		childRetries+"="+strconv.Itoa(retries),
	)
	outs := make([]bytes.Buffer, processes)
	var wg sync.WaitGroup
	for i := range outs {
		cmd := exec.Command(self)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			tb.Fatalf("starting process %d: %v", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Wait(); err != nil {
				tb.Errorf("process %d: %v: %s", i, err, outs[i].String())
			}
		}()
	}
	if during != nil {
		during(start)
	}
	wg.Wait()
	r := fleetRun{srv: srv, start: start}
	for i := range outs {
		r.out = append(r.out, fmt.Sprintf("process %d: %s", i, strings.TrimSpace(outs[i].String())))
	}
	return r
}

// figures counts, between from and to after the start, the requests sent
// (accepted or throttled) by send time, the throttled ones, and the
// accepted ones per second.
func (r fleetRun) figures(from, to time.Duration) (sent, throttled int, okPerSecond float64) {
	r.srv.mu.Lock()
	defer r.srv.mu.Unlock()
	in := func(t time.Time) bool { d := t.Sub(r.start); return d >= from && d < to }
	ok := 0
	for _, t := range r.srv.sent {
		if in(t) {
			ok++
		}
	}
	for _, t := range r.srv.throttledSent {
		if in(t) {
			throttled++
		}
	}
	return ok + throttled, throttled, float64(ok) / (to - from).Seconds()
}

// firstWindow returns when, after from, the first one-second window of
// accepted send times (in 50 ms steps) holds n requests, or -1.
func (r fleetRun) firstWindow(from, to time.Duration, n int) time.Duration {
	r.srv.mu.Lock()
	sent := slices.Clone(r.srv.sent)
	r.srv.mu.Unlock()
	for at := from; at+time.Second <= to; at += 50 * time.Millisecond {
		lo, _ := slices.BinarySearchFunc(sent, r.start.Add(at), func(a, b time.Time) int { return a.Compare(b) })
		hi, _ := slices.BinarySearchFunc(sent, r.start.Add(at+time.Second), func(a, b time.Time) int { return a.Compare(b) })
		if hi-lo >= n {
			return at + time.Second - from
		}
	}
	return -1
}

// BenchmarkFleetAdaptive: four processes on the Redis limiter of one
// account whose server allows 60 of its 100 requests a second (others use
// the rest) for 8 s, then 100. Goals for the fleet: in steady state (3-8 s)
// at most 5% of the requests throttled and successes at least 85% of
// 60/s; after the budget frees up, back to 90/s within 5 s. Run with
//
//	go test -run '^$' -bench Fleet -benchtime 1x ./redislimit/
func BenchmarkFleetAdaptive(b *testing.B) {
	needRedis(b)
	for range b.N {
		srv := newWindowServer(b, 60)
		const freeAt = 8 * time.Second
		r := runFleet(b, srv, 4, 4, 3, 13*time.Second, func(start time.Time) {
			time.Sleep(time.Until(start.Add(freeAt)))
			srv.limit.Store(100)
		})
		for _, o := range r.out {
			b.Log(o)
		}
		sent, throttled, ok := r.figures(3*time.Second, freeAt)
		back := r.firstWindow(freeAt, 13*time.Second, 90)
		_, _, after := r.figures(freeAt+5*time.Second-time.Second, freeAt+5*time.Second)
		b.Logf("60/s, 3-8 s: %d sent, %d throttled (%.1f%%), %.1f ok/s (%.1f%% of 60); freed at 8 s: 90 in a second %v later, %.1f ok/s in the fifth second",
			sent, throttled, 100*float64(throttled)/float64(sent), ok, 100*ok/60, back, after)
		b.ReportMetric(100*float64(throttled)/float64(sent), "%throttled")
		b.ReportMetric(100*ok/60, "%of60/s")
		b.ReportMetric(back.Seconds(), "s-to-90/s")
	}
}

// TestFleetLearnsAThrottle: a throttle seen by one process's limiter slows
// the limiters of the other processes of the account (two Limiters on one
// Redis key stand for two processes): the shared budget learns it.
func TestFleetLearnsAThrottle(t *testing.T) {
	rdb := needRedis(t)
	prefix := uniquePrefix(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	newL := func() *redislimit.Limiter {
		l, err := redislimit.New(rdb, testAccessKeyID, livempu.ActionListRtcMPUEventSubRecord,
			redislimit.WithKeyPrefix(prefix), redislimit.WithLogger(logger))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	throttled, other := newL(), newL()
	ctx := context.Background()
	for _, l := range []*redislimit.Limiter{throttled, other} {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if r := l.Rate(); r != 97 {
			t.Fatalf("rate before a throttle: %v", r)
		}
	}
	throttled.Observe(livempu.Feedback{Sent: time.Now(), Throttled: true, Wait: 300 * time.Millisecond})
	if r := throttled.Rate(); r >= 97*0.95 {
		t.Errorf("the throttled limiter's rate: %v", r)
	}
	// The other process learns it at its next Waits (it reads the shared
	// state at most every 50 ms), and waits as long as the service asked.
	deadline := time.Now().Add(5 * time.Second)
	for other.Rate() >= 97 && time.Now().Before(deadline) {
		start := time.Now()
		if err := other.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Logf("waited %v: the requested wait", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := other.Rate(); r >= 97 || r <= 0 {
		t.Errorf("the other process's rate: %v, want the lowered shared rate", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "lowering the shared request rate"); n != 1 {
		t.Errorf("the drop was logged %d times:\n%s", n, logs.String())
	}
	// A fixed-rate limiter of the same budget does not adapt.
	fixed, err := redislimit.New(rdb, testAccessKeyID, livempu.ActionListRtcMPUEventSubRecord,
		redislimit.WithKeyPrefix(prefix), redislimit.WithFixedRate())
	if err != nil {
		t.Fatal(err)
	}
	if err := fixed.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if r := fixed.Rate(); r != 97 {
		t.Errorf("fixed-rate limiter: %v", r)
	}
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
