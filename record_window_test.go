package livempu_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

func TestRecordWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 10, 12, 0, 0, 999_000_000, time.FixedZone("CST", 8*3600))
	end := time.Date(2024, 5, 10, 4, 0, 0, 0, time.UTC) // now in UTC, whole seconds
	limit := end.Add(-livempu.RecordRetention)
	for _, tc := range []struct {
		d         time.Duration
		wantStart time.Time
	}{
		{6 * time.Hour, end.Add(-6 * time.Hour)},
		{time.Second, end.Add(-time.Second)},
		{livempu.RecordRetention - 6*time.Minute, end.Add(-livempu.RecordRetention + 6*time.Minute)},
		{livempu.RecordRetention - 5*time.Minute, limit.Add(5 * time.Minute)},
		{livempu.RecordRetention, limit.Add(5 * time.Minute)},
		{10 * 365 * 24 * time.Hour, limit.Add(5 * time.Minute)},
		{0, end},
		{-time.Hour, end},
	} {
		start, gotEnd := livempu.RecordWindow(now, tc.d)
		if !start.Equal(tc.wantStart) || !gotEnd.Equal(end) || start.Location() != time.UTC || gotEnd.Location() != time.UTC {
			t.Errorf("RecordWindow(now, %v) = [%v, %v], want [%v, %v] in UTC", tc.d, start, gotEnd, tc.wantStart, end)
		}
	}
}

// TestRecordWindowWalk walks the whole retention window as RecordWindow
// clips it: the service (livetest, with the service's seven-day check and
// one minute of grace) accepts every page, even as its clock moves on by
// more than the grace during the walk.
func TestRecordWindowWalk(t *testing.T) {
	t.Parallel()
	var clock movingClock
	clock.set(time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC))
	srv := livetest.NewServer(t, livetest.WithClock(clock.now), livetest.WithGenerated(0, 250, 7))
	start, end := livempu.RecordWindow(srv.Now(), livempu.RecordRetention)
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: livetest.DemoAppID, StartTime: start, EndTime: end, PageSize: 10}
	n := 0
	for _, err := range livempu.EventSubRecords(context.Background(), srv.Client(), req) {
		if err != nil {
			t.Fatalf("after %d records: %v", n, err)
		}
		n++
		if n%10 == 0 {
			clock.advance(10 * time.Second) // about four minutes over the walk
		}
	}
	if n == 0 {
		t.Fatal("no records")
	}

	// Without the margin, the same walk fails once the clock has moved on.
	clock.set(time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC))
	req.StartTime = end.Add(-livempu.RecordRetention)
	n = 0
	var failed error
	for _, err := range livempu.EventSubRecords(context.Background(), srv.Client(livempu.WithMaxRetries(0)), req) {
		if err != nil {
			failed = err
			break
		}
		if n++; n%10 == 0 {
			clock.advance(10 * time.Second)
		}
	}
	if failed == nil {
		t.Fatal("a walk starting at the limit itself succeeded; the margin is not what keeps the walk alive")
	}
}

// movingClock is a clock a test moves by hand, read by the server and the
// client from several goroutines.
type movingClock struct{ ns atomic.Int64 }

func (c *movingClock) set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *movingClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func (c *movingClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
