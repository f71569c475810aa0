package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// windowServer counts accepted requests per action and throttles any request
// that would make more than limit(action) in a sliding one-second window, as
// the service does.
type windowServer struct {
	*fakeServer
	mu        sync.Mutex
	times     map[string][]time.Time
	throttled atomic.Int64
}

func newWindowServer(t testing.TB, body map[string]string) *windowServer {
	ws := &windowServer{times: map[string][]time.Time{}}
	ws.fakeServer = newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		now := a.Arrived
		ws.mu.Lock()
		ts := ws.times[a.Action]
		inWindow := 0
		for i := len(ts) - 1; i >= 0 && now.Sub(ts[i]) < time.Second; i-- {
			inWindow++
		}
		if inWindow >= livempu.DocumentedQPS(a.Action) {
			ws.mu.Unlock()
			ws.throttled.Add(1)
			writeJSON(w, 400, errorBody("Throttling.User"))
			return
		}
		ws.times[a.Action] = append(ts, now)
		ws.mu.Unlock()
		writeJSON(w, 200, body[a.Action])
	})
	return ws
}

// stats returns the accepted count and the largest count in any one-second
// window of arrival times.
func (ws *windowServer) stats(action string) (count, maxWindow int) {
	ws.mu.Lock()
	ts := append([]time.Time(nil), ws.times[action]...)
	ws.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	lo := 0
	for hi := range ts {
		for ts[hi].Sub(ts[lo]) >= time.Second {
			lo++
		}
		maxWindow = max(maxWindow, hi-lo+1)
	}
	return len(ts), maxWindow
}

var saturationBodies = map[string]string{
	livempu.ActionListRtcMPUTaskDetail:     oneTaskBody,
	livempu.ActionListRtcMPUEventSubRecord: `{"RequestId":"r","Count":0,"HasMore":false,"Logs":[]}`,
}

// saturate runs workers goroutines per action calling as fast as they can
// for d, through one client with the default, shared limiters.
func saturate(t testing.TB, ws *windowServer, workers int, d time.Duration) (errs int64) {
	id := fmt.Sprintf("%s-sat-%d", testKeyID, time.Now().UnixNano()) // fresh process-wide buckets
	c, err := livempu.NewClient(livempu.WithEndpoint(ws.srv.URL), livempu.WithStaticCredentials(id, testSecret, ""), livempu.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var failed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := c.ListRtcMPUTaskDetail(ctx, taskReq()); err != nil && !errors.Is(err, context.DeadlineExceeded) {
					failed.Add(1)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := c.ListRtcMPUEventSubRecord(ctx, recordReq()); err != nil && !errors.Is(err, context.DeadlineExceeded) {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return failed.Load()
}

func TestDefaultLimiterNeverTripsTheServerAndSustainsTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 3 seconds")
	}
	ws := newWindowServer(t, saturationBodies)
	const d = 3 * time.Second
	failed := saturate(t, ws, 25, d)
	if n := ws.throttled.Load(); n != 0 || failed != 0 {
		t.Fatalf("throttled %d, failed %d", n, failed)
	}
	for _, action := range []string{livempu.ActionListRtcMPUTaskDetail, livempu.ActionListRtcMPUEventSubRecord} {
		limit := livempu.DocumentedQPS(action)
		count, maxWindow := ws.stats(action)
		rate := float64(count) / d.Seconds()
		t.Logf("%s: %d requests in %v (%.1f/s), worst 1s window %d (limit %d)", action, count, d, rate, maxWindow, limit)
		if maxWindow > limit {
			t.Errorf("%s: %d requests in one second, limit %d", action, maxWindow, limit)
		}
		if rate < 0.95*float64(limit) {
			t.Errorf("%s: sustained %.1f/s, below 95%% of %d", action, rate, limit)
		}
	}
}

func TestNewDefaultLimiter(t *testing.T) {
	for action, qps := range map[string]int{livempu.ActionListRtcMPUTaskDetail: 50, livempu.ActionListRtcMPUEventSubRecord: 100} {
		lim := livempu.NewDefaultLimiter(action)
		if lim.Burst() != 1 || float64(lim.Limit()) != float64(qps)*livempu.DefaultLimitShare {
			t.Errorf("%s: limit %v burst %d", action, lim.Limit(), lim.Burst())
		}
	}
	if livempu.NewDefaultLimiter("Other") != nil || livempu.DocumentedQPS("Other") != 0 {
		t.Error("unknown action has a limit")
	}
}
