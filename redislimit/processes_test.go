package redislimit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/redislimit"
	"github.com/redis/go-redis/v9"
)

// The multi-process test re-executes the test binary with childEnv set;
// TestMain then runs childMain instead of the tests. The child reads its
// instructions from these variables.
const (
	childEnv         = "LIVEMPU_REDISLIMIT_CHILD"
	childRedis       = "LIVEMPU_REDISLIMIT_CHILD_REDIS"
	childEndpoint    = "LIVEMPU_REDISLIMIT_CHILD_ENDPOINT"
	childPrefix      = "LIVEMPU_REDISLIMIT_CHILD_PREFIX"
	childStart       = "LIVEMPU_REDISLIMIT_CHILD_START" // Unix nanoseconds
	childDuration    = "LIVEMPU_REDISLIMIT_CHILD_DURATION"
	childConcurrency = "LIVEMPU_REDISLIMIT_CHILD_CONCURRENCY"
)

// childMain is one process of the account: a Client on the shared Redis
// budget, saturated by several goroutines calling ListRtcMPUEventSubRecord
// from the agreed start time for the agreed duration. It prints
// "ok=N failed=M" and exits 0, or prints an error and exits 1.
func childMain() int {
	dur, err1 := time.ParseDuration(os.Getenv(childDuration))
	startNanos, err2 := strconv.ParseInt(os.Getenv(childStart), 10, 64)
	conc, err3 := strconv.Atoi(os.Getenv(childConcurrency))
	if err := errors.Join(err1, err2, err3); err != nil {
		fmt.Fprintln(os.Stderr, "child: bad instructions:", err)
		return 1
	}
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv(childRedis)})
	defer rdb.Close()
	opts, err := redislimit.Options(rdb, livetest.DemoAccessKeyID, redislimit.WithKeyPrefix(os.Getenv(childPrefix)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	client, err := livempu.NewClient(append(opts,
		livempu.WithEndpoint(os.Getenv(childEndpoint)),
		livempu.WithStaticCredentials(livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret, ""),
		livempu.WithMaxRetries(0),
	)...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	start := time.Unix(0, startNanos)
	time.Sleep(time.Until(start))
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(dur))
	defer cancel()
	now := time.Now()
	req := &livempu.ListRtcMPUEventSubRecordRequest{
		AppID: livetest.DemoAppID, StartTime: now.Add(-time.Hour), EndTime: now, PageSize: 10, PageNo: 1,
	}
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, err := client.ListRtcMPUEventSubRecord(ctx, req)
				switch {
				case err == nil:
					ok.Add(1)
				case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
					return // the run is over
				default:
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("ok=%d failed=%d\n", ok.Load(), failed.Load())
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first error: %s\n", e)
	}
	return 0
}

// TestSharedBudgetAcrossProcesses runs four OS processes of one account,
// each saturating its client for five seconds, against a livetest server
// that enforces the documented 100 QPS over a sliding one-second window like
// the service. The shared budget must never trip it and must reach at least
// 90% of it in aggregate.
func TestSharedBudgetAcrossProcesses(t *testing.T) {
	needRedis(t)
	const (
		processes   = 4
		concurrency = 4
		runFor      = 5 * time.Second
	)
	action := livempu.ActionListRtcMPUEventSubRecord
	limit := livempu.DocumentedQPS(action)
	srv := livetest.NewServer(t, livetest.WithRequestLogLimit(0))
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	// Give the processes time to start (a race-enabled binary takes a
	// moment) and begin together.
	start := time.Now().Add(1500 * time.Millisecond)
	env := append(os.Environ(),
		childEnv+"=1",
		childRedis+"="+sharedRedis,
		childEndpoint+"="+srv.URL(),
		childPrefix+"="+uniquePrefix(t),
		childStart+"="+strconv.FormatInt(start.UnixNano(), 10),
		childDuration+"="+runFor.String(),
		childConcurrency+"="+strconv.Itoa(concurrency),
	)
	type result struct {
		out bytes.Buffer
		err error
	}
	results := make([]result, processes)
	var wg sync.WaitGroup
	for i := range results {
		cmd := exec.Command(self)
		cmd.Env = env
		cmd.Stdout = &results[i].out
		cmd.Stderr = &results[i].out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting process %d: %v", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i].err = cmd.Wait()
		}()
	}
	wg.Wait()
	for i, r := range results {
		out := strings.TrimSpace(r.out.String())
		t.Logf("process %d: %s", i, out)
		if r.err != nil {
			t.Errorf("process %d: %v", i, r.err)
		}
		if !strings.Contains(out, " failed=0") {
			t.Errorf("process %d had failed calls", i)
		}
	}

	var times []time.Time
	for _, r := range srv.Requests() {
		if r.Action == action {
			times = append(times, r.Received)
		}
	}
	st := srv.Stats().ByAction[action]
	if len(times) < 2 {
		t.Fatalf("server saw %d requests", len(times))
	}
	worst, worstAt := maxWindow(times, time.Second)
	span := times[len(times)-1].Sub(times[0])
	aggregate := float64(len(times)-1) / span.Seconds()
	t.Logf("%d processes x %d goroutines for %v: %d requests over %v = %.1f req/s aggregate (%.1f%% of %d); worst sliding 1 s window: %d (at +%v); server: %d accepted, %d throttled; livetest MaxWindow %d",
		processes, concurrency, runFor, len(times), span.Round(time.Millisecond), aggregate,
		100*aggregate/float64(limit), limit, worst, worstAt.Sub(start).Round(time.Millisecond),
		st.Accepted, st.Throttled, srv.MaxWindow(action))
	perSecond := make([]int, int(runFor/time.Second)+2)
	for _, ts := range times {
		if i := int(ts.Sub(start) / time.Second); i >= 0 && i < len(perSecond) {
			perSecond[i]++
		}
	}
	t.Logf("requests in each second after the start: %v", perSecond)
	if worst > limit {
		t.Errorf("worst sliding one-second window held %d requests, limit %d", worst, limit)
	}
	if st.Throttled > 0 {
		t.Errorf("server throttled %d requests", st.Throttled)
	}
	if aggregate < 0.9*float64(limit) {
		t.Errorf("aggregate rate %.1f req/s is below 90%% of %d", aggregate, limit)
	}
}

// maxWindow returns the largest number of times in any half-open window
// [t, t+width), and where the first such window starts.
func maxWindow(times []time.Time, width time.Duration) (int, time.Time) {
	times = slices.Clone(times)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, at, j := 0, time.Time{}, 0
	for i := range times {
		for j < len(times) && times[j].Sub(times[i]) < width {
			j++
		}
		if j-i > best {
			best, at = j-i, times[i]
		}
	}
	return best, at
}

func TestMaxWindow(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	for _, tc := range []struct {
		ms   []int
		want int
	}{
		{[]int{0}, 1},
		{[]int{0, 999}, 2},
		{[]int{0, 1000}, 1},
		{[]int{1500, 0, 400, 900, 1300}, 3},
	} {
		if got, _ := maxWindow(at(tc.ms...), time.Second); got != tc.want {
			t.Errorf("maxWindow(%v) = %d, want %d", tc.ms, got, tc.want)
		}
	}
}
