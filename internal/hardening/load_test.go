package hardening_test

import (
	"context"
	"errors"
	"github.com/livempu/livempu-go/internal/adapt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/livetest"
)

// quota is the documented per-account limit of each operation: requests
// in any one-second window.
var quota = map[string]int{
	livempu.ActionListRtcMPUTaskDetail:     adapt.DocumentedQPS(livempu.ActionListRtcMPUTaskDetail),
	livempu.ActionListRtcMPUEventSubRecord: adapt.DocumentedQPS(livempu.ActionListRtcMPUEventSubRecord),
}

// Throttled shares of TestLoad's requests. The in-process server stamps
// an arrival when its goroutine gets the CPU, and the client's limiter
// wakes its waiters when the runtime gets to their timers: with 1,000
// goroutines and the race detector on two cores shared with compilers and
// other test binaries, both come late, in bunches, and the server's sliding
// window sees bursts the limiter never scheduled. Observed on a 2-core
// machine, over ~1,450 requests: 0 to 0.6% throttled when it was otherwise
// idle; 0.8% to 7.5% at load averages of 11 to 20, every one retried
// transparently (up to 18.5% before accountLimiter stopped the default
// limiter from running ahead of its rate). A limiter sending faster than its
// rate is caught strictly by the send times whatever the load.
const (
	// goalThrottledShare is the bound on a machine that gives the test its
	// two cores (LIVEMPU_LOAD_GOALS set).
	goalThrottledShare = 0.02
	// maxThrottledShare is the bound on any machine: no limiter at all
	// has most requests throttled.
	maxThrottledShare = 0.5
)

// loadGoalsEnv, when set (to anything), makes TestLoad also hold the goals
// that only a machine giving it its two cores can meet: under 2% throttled,
// 80% of both budgets used. CI sets it only on a dedicated runner; a busy
// machine misses them without any fault of the client's.
const loadGoalsEnv = "LIVEMPU_LOAD_GOALS"

// TestLoad shares one *Client between 1,000 goroutines for ten seconds,
// both operations mixed, with the default client-side limiters. Under -race
// it proves there is no data race.
//
// It judges the client on what it controls, its send times, stamped below
// the SDK by a wrapping http.RoundTripper (sendLog). Strictly, whatever the
// machine does: the n-th request of an action is sent no earlier than
// (n-1)/rate (adapt.Rate, the default limiter's) after the test started (a delay can only make a send
// later, never earlier), so the client never gets ahead of its limiter's
// rate. This caught rate.Limiter crediting an interval twice when 1,000
// waiters contend for it (see accountLimiter): 250 ms ahead after 8 s. A one-second window of send times is logged
// against the limit but not asserted: when the process is starved of CPU,
// waiters whose turn came during the stall all leave together (seen: 68
// sends in one second of a 50 QPS action at a load average of 7), which is
// the machine, not the limiter.
//
// The server's throttling, decided on arrival stamps this machine's
// scheduling disturbs, is judged as a user sees it: every call succeeds (a
// throttled attempt is retried transparently), and fewer than
// maxThrottledShare of the requests are throttled (goalThrottledShare with
// LIVEMPU_LOAD_GOALS set). It also checks that every error is typed, that
// both operations got answers (80% of both budgets with LIVEMPU_LOAD_GOALS),
// that no goroutine is left, that the goroutines stop soon after the
// deadline and that the heap returns to its starting size.
//
// Each goroutine calls in a loop with the test's ten-second context. Near
// the end, a call whose turn at the limiter would come after the deadline
// fails at once with context.DeadlineExceeded (the limiter knows it cannot
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
	sends := newSendLog()
	logs := &logCapture{}
	c := srv.Client(livempu.WithLogger(logs.logger()), livempu.WithHTTPClient(sends.client(t)))
	now := srv.Now()
	first := time.Now() // before the limiters' first token

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
		deadline, typed atomic.Int64
		ok              [2]atomic.Int64 // per operation
		untypedMu       sync.Mutex
		untyped         []error
		wg              sync.WaitGroup
	)
	start := time.Now()
	for i := range goroutines {
		op, ok := operations[i%len(operations)], &ok[i%len(operations)]
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
	t.Logf("%d goroutines for %v: %d+%d succeeded, %d ended on the deadline, %d other typed errors; server: %+v",
		goroutines, elapsed.Round(time.Millisecond), ok[0].Load(), ok[1].Load(), deadline.Load(), typed.Load(), st)

	// What the client controls: its send times.
	sent := 0
	for _, op := range operations {
		times := sends.times(op.action)
		sent += len(times)
		t.Logf("%s: %d sent; worst one-second window: %d sends, %d server arrivals (limit %d); server: %+v",
			op.action, len(times), maxWindowOf(times), srv.MaxWindow(op.action), quota[op.action], srv.Stats(op.action))
		if n, at := aheadOfRate(times, first, adapt.Rate(adapt.DocumentedQPS(op.action))); n > 0 {
			t.Errorf("%s: request %d was sent %v after the start, ahead of a limiter at %v/s",
				op.action, n, at.Round(time.Microsecond), adapt.Rate(adapt.DocumentedQPS(op.action)))
		}
	}
	// The send log saw every request the server saw. (The server may see
	// fewer: a request the deadline cut off before the starved server read
	// it is never counted; one it was reading is counted when its handler
	// ends, just after, so wait for those.)
	for wait := time.Now().Add(5 * time.Second); st.Requests < sent && time.Now().Before(wait); st = srv.Stats() {
		time.Sleep(10 * time.Millisecond)
	}
	if st.Requests > sent {
		t.Errorf("the server saw %d requests, the client's transport sent only %d", st.Requests, sent)
	}

	// What the server's clock decides, as a user sees it: throttled
	// attempts were retried (no call failed, below) and were rare.
	goals := os.Getenv(loadGoalsEnv) != ""
	bound := maxThrottledShare
	if goals {
		bound = goalThrottledShare
	}
	share := float64(st.Throttled) / float64(max(st.Requests, 1))
	t.Logf("throttled by the server: %d of %d requests (%.2f%%; bound %g%%)", st.Throttled, st.Requests, 100*share, 100*bound)
	if share >= bound {
		t.Errorf("the server throttled %d of %d requests (%.2f%%), not under %g%%", st.Throttled, st.Requests, 100*share, 100*bound)
	}
	if len(untyped) > 0 {
		t.Errorf("%d calls returned an error that is not an *OperationError, for example %#v", len(untyped), untyped[0])
	}
	if typed.Load() != 0 {
		t.Errorf("%d calls failed with something other than the deadline", typed.Load())
	}
	// Both operations got answers. How much of the budgets the calls use
	// is the machine's to decide: 99% when it is otherwise idle; with
	// compilers and other test binaries on the two cores the in-process
	// server answered as few as 10% before the deadline (it had the other
	// requests queued). With LIVEMPU_LOAD_GOALS, 80%.
	for i, op := range operations {
		want := int64(1)
		if goals {
			want = int64(0.8 * duration.Seconds() * adapt.Rate(adapt.DocumentedQPS(op.action)))
		}
		if n := ok[i].Load(); n < want {
			t.Errorf("%s: only %d calls succeeded in %v, want at least %d", op.action, n, duration, want)
		}
	}
	// A call never waits past its context; what is left is the time the
	// 1,000 goroutines take to be scheduled and return (3.4 s seen on a
	// starved machine).
	if elapsed > duration+10*time.Second {
		t.Errorf("the goroutines took %v to finish after a %v deadline", elapsed, duration)
	}
	checkLogs(t, logs.String())

	// Memory returns to where it started. A starved server may still be
	// answering requests whose callers the deadline sent away (once, 850
	// of them); Close waits for those and ends every connection, so that
	// what is left is what the client and the test keep.
	// Normal growth is 1.5 to 2 MiB (the idle connections' buffers); 4 MiB
	// was seen after a starved run; 8 MiB is a leak of over 5 KiB a call.
	srv.Close()
	const slack = 8 << 20
	after := heapInuse()
	for wait := time.Now().Add(5 * time.Second); after > base+slack && time.Now().Before(wait); after = heapInuse() {
		time.Sleep(100 * time.Millisecond) // connections closing on the client's side
	}
	t.Logf("heap in use: %.1f MiB before, %.1f MiB after", float64(base)/(1<<20), float64(after)/(1<<20))
	if after > base+slack {
		t.Errorf("heap in use grew from %d to %d bytes (more than %d)", base, after, slack)
	}
}

// aheadOfRate checks sorted send times against a limiter at rate per
// second with a burst of one, first used no earlier than from: the n-th
// send (from 1) cannot come before from + (n-1)/rate. It returns the first
// n that does, and when it was sent, or 0. A millisecond is allowed for
// the limiter's rounding of durations.
func aheadOfRate(ts []time.Time, from time.Time, rate float64) (n int, at time.Duration) {
	for i, s := range ts {
		earliest := from.Add(time.Duration(float64(i)/rate*float64(time.Second)) - time.Millisecond)
		if s.Before(earliest) {
			return i + 1, s.Sub(from)
		}
	}
	return 0, 0
}

// sendLog records, per action, when each request left the client: its
// transport stamps a request just before handing it to the network, below
// the SDK's limiter, signing and retries.
type sendLog struct {
	mu   sync.Mutex
	sent map[string][]time.Time
}

func newSendLog() *sendLog {
	// Room for a whole run, allocated before the heap baseline.
	return &sendLog{sent: map[string][]time.Time{
		livempu.ActionListRtcMPUTaskDetail:     make([]time.Time, 0, 4096),
		livempu.ActionListRtcMPUEventSubRecord: make([]time.Time, 0, 4096),
	}}
}

// client returns an *http.Client like the SDK's default (64 idle
// connections per host) whose transport stamps every request.
func (l *sendLog) client(t testing.TB) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: stampingTransport{l, tr}}
}

// times returns the send times of action, sorted.
func (l *sendLog) times(action string) []time.Time {
	l.mu.Lock()
	ts := slices.Clone(l.sent[action])
	l.mu.Unlock()
	slices.SortFunc(ts, time.Time.Compare)
	return ts
}

// stampingTransport records in its sendLog when each request is sent.
type stampingTransport struct {
	log  *sendLog
	base http.RoundTripper
}

func (s stampingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	action := r.Header.Get("x-acs-action") // signature V3
	if action == "" {
		action = r.URL.Query().Get("Action") // V1
	}
	s.log.mu.Lock()
	s.log.sent[action] = append(s.log.sent[action], time.Now())
	s.log.mu.Unlock()
	return s.base.RoundTrip(r)
}

// maxWindowOf returns the largest number of the sorted times ts that fall in
// any half-open one-second window.
func maxWindowOf(ts []time.Time) int {
	best, lo := 0, 0
	for hi := range ts {
		for ts[hi].Sub(ts[lo]) >= time.Second {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
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
