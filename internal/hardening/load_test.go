package hardening_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/livetest"
)

// TestLoad shares one *Client between 1,000 goroutines for ten seconds,
// both operations mixed, with the default client-side limiters. Under -race
// it proves there is no data race; it checks that the server never
// throttles, that every call succeeds or returns a typed error, that no
// goroutine is left and that the heap returns to its starting size.
//
// Each goroutine calls in a loop with the test's ten-second context. Near
// the end, a call whose turn at the limiter would come after the deadline
// fails at once with context.DeadlineExceeded (rate.Limiter knows it cannot
// make it); that is expected, and the goroutine stops there rather than
// spin.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 10 seconds")
	}
	leakcheck.Check(t)
	const (
		goroutines = 1000
		duration   = 10 * time.Second
	)
	keyID := freshKeyID() // fresh process-wide default limiters
	srv := livetest.NewServer(t, livetest.WithAccount(keyID, hSecret, hToken), livetest.WithGenerated(30, 300, 1),
		livetest.WithRequestLogLimit(1)) // keep no request log: it would count as retained heap
	logs := &logCapture{}
	c := srv.Client(livempu.WithLogger(logs.logger()))
	now := srv.Now()

	// A first call of each operation warms up what is allocated once
	// (connections, pools, the limiters), then the baseline.
	for _, op := range operations {
		if _, err := op.call(context.Background(), c, now); err != nil {
			t.Fatal(err)
		}
	}
	base := heapInuse()

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var (
		ok, deadline, typed atomic.Int64
		untypedMu           sync.Mutex
		untyped             []error
		wg                  sync.WaitGroup
	)
	start := time.Now()
	for i := range goroutines {
		op := operations[i%len(operations)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := safeCall(t, func() (any, error) { return op.call(ctx, c, now) })
				var opErr *livempu.OperationError
				switch {
				case err == nil && resp != nil:
					ok.Add(1)
				case errors.Is(err, context.DeadlineExceeded) && errors.As(err, &opErr):
					deadline.Add(1)
					return
				case errors.As(err, &opErr):
					typed.Add(1)
					noSecret(t, "error", formatted(err))
				default:
					untypedMu.Lock()
					untyped = append(untyped, err)
					untypedMu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	st := srv.Stats()
	t.Logf("%d goroutines for %v: %d succeeded, %d ended on the deadline, %d other typed errors; server: %+v",
		goroutines, elapsed.Round(time.Millisecond), ok.Load(), deadline.Load(), typed.Load(), st.Counts)
	for _, op := range operations {
		limit := livempu.DocumentedQPS(op.action)
		win := srv.MaxWindow(op.action)
		t.Logf("%s: worst one-second window %d (limit %d), %+v", op.action, win, limit, st.ByAction[op.action])
		if win > limit {
			t.Errorf("%s: %d requests accepted in one second, limit %d", op.action, win, limit)
		}
	}
	if st.Throttled != 0 {
		t.Errorf("the server throttled %d requests: the default limiters let too many through", st.Throttled)
	}
	if len(untyped) > 0 {
		t.Errorf("%d calls returned an error that is not an *OperationError, for example %#v", len(untyped), untyped[0])
	}
	if typed.Load() != 0 {
		t.Errorf("%d calls failed with something other than the deadline", typed.Load())
	}
	// Both budgets were used: at least 80% of the default rates for the
	// whole duration (under -race on two cores the client easily keeps up).
	wantOK := int64(0.8 * duration.Seconds() * (livempu.DefaultRate(livempu.ActionListRtcMPUTaskDetail) + livempu.DefaultRate(livempu.ActionListRtcMPUEventSubRecord)))
	if ok.Load() < wantOK {
		t.Errorf("only %d calls succeeded in %v, want at least %d", ok.Load(), duration, wantOK)
	}
	if elapsed > duration+2*time.Second {
		t.Errorf("the goroutines took %v to finish after a %v deadline", elapsed, duration)
	}
	checkLogs(t, logs.String())

	// Memory returns to where it started.
	const slack = 4 << 20
	after := heapInuse()
	t.Logf("heap in use: %.1f MiB before, %.1f MiB after", float64(base)/(1<<20), float64(after)/(1<<20))
	if after > base+slack {
		t.Errorf("heap in use grew from %d to %d bytes (more than %d)", base, after, slack)
	}
}

// heapInuse returns HeapInuse after the garbage collector has run enough
// times to empty sync.Pools (they survive one cycle in the victim cache).
func heapInuse() uint64 {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
