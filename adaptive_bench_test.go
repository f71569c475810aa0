package livempu_test

import (
	"context"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

// The adaptive limiter's real-time goals, measured against livetest with
// the attempts stamped as they leave the client. Run them with
//
//	go test -run '^$' -bench Adaptive -benchtime 1x .
//
// Each iteration is one measurement of several seconds; the figures are
// reported as metrics.

const recordsAction = livempu.ActionListRtcMPUEventSubRecord

// BenchmarkAdaptiveSharedBudget: others use 40 of the account's 100
// requests per second, leaving 60. In steady state (after the first 3 s)
// at most 5% of the requests sent may be throttled and the successes must
// reach 85% of 60/s.
func BenchmarkAdaptiveSharedBudget(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts []livempu.Option
	}{{"adaptive", nil}, {"fixed", []livempu.Option{livempu.WithFixedRate()}}} {
		b.Run(mode.name, func(b *testing.B) {
			for range b.N {
				sharedBudgetRun(b, mode.opts...)
			}
		})
	}
}

func sharedBudgetRun(b *testing.B, opts ...livempu.Option) {
	r := newAdaptiveRig(b, nil, opts...)
	r.srv.SetOtherCallers(recordsAction, 40)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 13*time.Second)
	lines := trace(ctx, r.c, r.log, start)
	failed, wait := load(ctx, r.c, 16)
	wait()
	cancel()
	if testing.Verbose() {
		for _, l := range lines() {
			b.Log(l)
		}
	}
	steady := r.log.figures(start.Add(3*time.Second), start.Add(13*time.Second))
	first := r.log.figures(start, start.Add(3*time.Second))
	b.Logf("first 3 s: %v", first)
	b.Logf("steady (3-13 s): %v; calls failed: %d; rate now %.1f/s", steady, failed.Load(), r.c.LimiterRate(recordsAction))
	b.ReportMetric(100*steady.throttledShare(), "%throttled")
	b.ReportMetric(100*steady.okPerSecond()/60, "%of60/s")
	b.ReportMetric(steady.okPerSecond(), "ok/s")
}

// BenchmarkAdaptiveRecovery: the budget frees up (60/s, then 100/s): the
// client must be back to 90/s within 5 s.
func BenchmarkAdaptiveRecovery(b *testing.B) {
	for range b.N {
		r := newAdaptiveRig(b, nil)
		r.srv.SetOtherCallers(recordsAction, 40)
		ctx, cancel := context.WithTimeout(context.Background(), 14*time.Second)
		_, wait := load(ctx, r.c, 16)
		time.Sleep(6 * time.Second)
		freed := time.Now()
		r.srv.SetOtherCallers(recordsAction, 0)
		wait()
		cancel()
		back := r.log.firstWindowOK(freed, freed.Add(8*time.Second), 90)
		after := r.log.figures(freed.Add(5*time.Second), freed.Add(8*time.Second))
		b.Logf("freed at +6 s: first 1 s window with 90 successes ends %v later; 5-8 s after: %v", back, after)
		b.ReportMetric(back.Seconds(), "s-to-90/s")
		b.ReportMetric(after.okPerSecond(), "ok/s-after-5s")
	}
}

// BenchmarkAdaptiveAlone: nothing else uses the budget: at least 95% of
// 100/s and no throttle.
func BenchmarkAdaptiveAlone(b *testing.B) {
	for range b.N {
		steadyRun(b, newAdaptiveRig(b, nil), 16)
	}
}

// BenchmarkAdaptiveRaisedQuota: a quota raised to 200/s and WithQPS(200):
// at least 93% of 200/s, no throttle, no second over 200.
func BenchmarkAdaptiveRaisedQuota(b *testing.B) {
	for range b.N {
		r := newAdaptiveRig(b, []livetest.Option{livetest.WithQPS(recordsAction, 200)}, livempu.WithQPS(recordsAction, 200))
		steadyRun(b, r, 32)
	}
}

// steadyRun loads r's client from callers goroutines for 6 s and reports
// the successes, throttles and busiest second of the last 5 s.
func steadyRun(b *testing.B, r *adaptiveRig, callers int) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	_, wait := load(ctx, r.c, callers)
	wait()
	cancel()
	f := r.log.figures(start.Add(time.Second), start.Add(6*time.Second))
	b.Logf("1-6 s: %v", f)
	b.ReportMetric(f.okPerSecond(), "ok/s")
	b.ReportMetric(float64(f.throttled), "throttled")
	b.ReportMetric(float64(f.maxWindow), "max-1s-window")
}

// BenchmarkAdaptiveLimitKey: two clients with different AccessKey IDs and
// one WithLimitKey: together at least 90% of 100/s, no second over 100.
func BenchmarkAdaptiveLimitKey(b *testing.B) {
	for range b.N {
		key := "account-" + uniqueAccount(b)
		ida, idb := uniqueAccount(b)+"-a", uniqueAccount(b)+"-b"
		srv := livetest.NewServer(b, livetest.WithAccount(ida, "sa", ""), livetest.WithAccount(idb, "sb", ""),
			livetest.WithRequestLogLimit(1), livetest.WithGenerated(0, 3, 1))
		l := newSendLog()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
		var waits []func()
		for i, id := range []string{ida, idb} {
			c := srv.Client(livempu.WithStaticCredentials(id, []string{"sa", "sb"}[i], ""),
				livempu.WithLimitKey(key), livempu.WithHTTPClient(l.client()))
			_, wait := load(ctx, c, 8)
			waits = append(waits, wait)
		}
		for _, w := range waits {
			w()
		}
		cancel()
		f := l.figures(start.Add(time.Second), start.Add(6*time.Second))
		b.Logf("1-6 s, both clients: %v", f)
		b.ReportMetric(f.okPerSecond(), "ok/s")
		b.ReportMetric(float64(f.throttled), "throttled")
		b.ReportMetric(float64(f.maxWindow), "max-1s-window")
	}
}
