package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

// send is one attempt as the client's transport saw it: when it left the
// client (below the SDK, after its limiter) and how it was answered.
type send struct {
	at        time.Time
	ok        bool // a 200
	throttled bool // a throttle (livetest marks them with x-ratelimit-user-api)
}

// sendLog is an http.RoundTripper that stamps every attempt as it leaves the
// client, so that tests judge the client's limiter on what it controls
// and not on when a CPU-starved in-process server gets to stamp an arrival.
type sendLog struct {
	base http.RoundTripper
	mu   sync.Mutex
	all  []send
}

func newSendLog() *sendLog {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 256
	return &sendLog{base: t}
}

func (l *sendLog) RoundTrip(r *http.Request) (*http.Response, error) {
	at := time.Now()
	resp, err := l.base.RoundTrip(r)
	s := send{at: at}
	if err == nil {
		s.ok = resp.StatusCode == http.StatusOK
		s.throttled = resp.StatusCode == http.StatusBadRequest && resp.Header.Get("x-ratelimit-user-api") != ""
	}
	l.mu.Lock()
	l.all = append(l.all, s)
	l.mu.Unlock()
	return resp, err
}

// client returns an http.Client that sends through the log.
func (l *sendLog) client() *http.Client { return &http.Client{Transport: l} }

// sends returns the attempts sent in [from, to), sorted.
func (l *sendLog) sends(from, to time.Time) []send {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []send
	for _, s := range l.all {
		if !s.at.Before(from) && s.at.Before(to) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b send) int { return a.at.Compare(b.at) })
	return out
}

// loadFigures summarises the attempts of a span.
type loadFigures struct {
	sent, ok, throttled int
	seconds             float64
	maxWindow           int // most attempts sent in any one-second window
}

func (f loadFigures) okPerSecond() float64 { return float64(f.ok) / f.seconds }
func (f loadFigures) sentPerSecond() float64 {
	return float64(f.sent) / f.seconds
}
func (f loadFigures) throttledShare() float64 {
	if f.sent == 0 {
		return 0
	}
	return float64(f.throttled) / float64(f.sent)
}

func (f loadFigures) String() string {
	return fmt.Sprintf("%d sent in %.1fs (%.1f/s), %d ok (%.1f/s), %d throttled (%.1f%%), worst 1s window %d",
		f.sent, f.seconds, f.sentPerSecond(), f.ok, f.okPerSecond(), f.throttled, 100*f.throttledShare(), f.maxWindow)
}

// figures summarises the attempts sent in [from, to).
func (l *sendLog) figures(from, to time.Time) loadFigures {
	ss := l.sends(from, to)
	f := loadFigures{sent: len(ss), seconds: to.Sub(from).Seconds()}
	lo := 0
	for hi, s := range ss {
		if s.ok {
			f.ok++
		}
		if s.throttled {
			f.throttled++
		}
		for s.at.Sub(ss[lo].at) >= time.Second {
			lo++
		}
		f.maxWindow = max(f.maxWindow, hi-lo+1)
	}
	return f
}

// firstWindowOK returns how long after from the first one-second window of
// attempts (sliding in 50 ms steps) holds at least n successes, or -1.
func (l *sendLog) firstWindowOK(from, to time.Time, n int) time.Duration {
	for t := from; !t.Add(time.Second).After(to); t = t.Add(50 * time.Millisecond) {
		if l.figures(t, t.Add(time.Second)).ok >= n {
			return t.Add(time.Second).Sub(from)
		}
	}
	return -1
}

// load runs goroutines callers of ListRtcMPUEventSubRecord through c until
// ctx ends, and counts the calls that failed for another reason than ctx.
func load(ctx context.Context, c *livempu.Client, goroutines int) (failed *atomic.Int64, wait func()) {
	failed = new(atomic.Int64)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			now := time.Now()
			req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: livetest.DemoAppID, StartTime: now.Add(-time.Hour), EndTime: now, PageSize: 1, PageNo: 1}
			for ctx.Err() == nil {
				if _, err := c.ListRtcMPUEventSubRecord(ctx, req); err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
					failed.Add(1)
				}
			}
		}()
	}
	return failed, wg.Wait
}

// uniqueAccount returns a fresh AccessKey ID, so that a test gets its own
// process-wide budgets.
func uniqueAccount(t testing.TB) string {
	return fmt.Sprintf("LTAI-%s-%d", t.Name(), time.Now().UnixNano())
}

// adaptiveRig is a livetest server with one account and a client of it
// whose attempts are logged.
type adaptiveRig struct {
	srv *livetest.Server
	log *sendLog
	c   *livempu.Client
}

func newAdaptiveRig(t testing.TB, serverOpts []livetest.Option, clientOpts ...livempu.Option) *adaptiveRig {
	id := uniqueAccount(t)
	srv := livetest.NewServer(t, append(serverOpts, livetest.WithAccount(id, "secret", ""), livetest.WithRequestLogLimit(1), livetest.WithGenerated(0, 3, 1))...)
	l := newSendLog()
	c := srv.Client(append([]livempu.Option{livempu.WithHTTPClient(l.client())}, clientOpts...)...)
	return &adaptiveRig{srv: srv, log: l, c: c}
}

// trace samples c's limiter rate every 250 ms until ctx ends and returns a
// line per sample with the attempts of the quarter-second, for -v logs.
func trace(ctx context.Context, c *livempu.Client, l *sendLog, start time.Time) func() []string {
	var lines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				f := l.figures(now.Add(-250*time.Millisecond), now)
				lines = append(lines, fmt.Sprintf("+%5.2fs rate %5.1f sent %3d ok %3d throttled %2d",
					now.Sub(start).Seconds(), c.LimiterRate(livempu.ActionListRtcMPUEventSubRecord), f.sent, f.ok, f.throttled))
			}
		}
	}()
	return func() []string { <-done; return lines }
}
