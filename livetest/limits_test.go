package livetest_test

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/adapt"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// taskQPS is the documented quota of ListRtcMPUTaskDetail.
const taskQPS = 50

func TestThrottlingWithoutClientLimiter(t *testing.T) {
	t.Parallel()
	const action = livempu.ActionListRtcMPUTaskDetail
	srv := livetest.NewServer(t, livetest.WithAccount("LTAI-throttle-test", "secret", ""))
	c := srv.Client(livempu.WithRateLimiter(action, nil), livempu.WithMaxRetries(0))
	var ok, throttled, other atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 1, PageNo: 1})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, livempu.ErrThrottled):
				throttled.Add(1)
			default:
				other.Add(1)
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	st := srv.Stats()
	t.Logf("ok %d, throttled %d, max window %d", ok.Load(), throttled.Load(), srv.MaxWindow(action))
	if throttled.Load() == 0 || ok.Load() < taskQPS {
		t.Errorf("ok %d, throttled %d", ok.Load(), throttled.Load())
	}
	if int64(st.Throttled) != throttled.Load() || int64(st.Succeeded) != ok.Load() || st.Requests != 200 {
		t.Errorf("stats %+v", st)
	}
	if mw := srv.MaxWindow(action); mw > taskQPS {
		t.Errorf("MaxWindow %d over the limit", mw)
	}
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// maxWindow returns the largest number of times within any one second.
func maxWindow(times []time.Time) int {
	slices.SortFunc(times, time.Time.Compare)
	best, j := 0, 0
	for i := range times {
		for !times[j].After(times[i].Add(-time.Second)) {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// TestDefaultLimiterStaysUnderQPS does not run in parallel with the other
// tests: their load would delay requests unevenly, bunching them at the
// server.
func TestDefaultLimiterStaysUnderQPS(t *testing.T) {
	if testing.Short() {
		t.Skip("takes three seconds")
	}
	const action = livempu.ActionListRtcMPUTaskDetail
	srv := livetest.NewServer(t, livetest.WithAccount("LTAI-limiter-test", "secret", ""), livetest.WithGenerated(5, 0, 1))
	// Record when the client sends each attempt, beneath its limiter.
	var mu sync.Mutex
	var sent []time.Time
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 64
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		sent = append(sent, time.Now())
		mu.Unlock()
		return base.RoundTrip(r)
	})}
	c := srv.Client(livempu.WithHTTPClient(hc))
	start := time.Now()
	var wg sync.WaitGroup
	var calls atomic.Int64
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for calls.Add(1) <= 150 {
				if _, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 2, PageNo: 1}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := srv.Stats()
	mu.Lock()
	clientMax := maxWindow(sent)
	mu.Unlock()
	t.Logf("%v; stats %+v; max per second: sent %d, accepted %d", elapsed, st, clientMax, srv.MaxWindow(action))
	if st.Succeeded != 150 {
		t.Errorf("stats %+v", st)
	}
	// Not also a lower bound: a starved machine can spread the calls out.
	if mw := srv.MaxWindow(action); mw > taskQPS {
		t.Errorf("MaxWindow %d", mw)
	}
	// The limiter paces: 149 intervals at its default rate.
	rate := adapt.Rate(taskQPS)
	if least := time.Duration(149 / rate * float64(time.Second)); elapsed < least-50*time.Millisecond {
		t.Errorf("150 calls took %v, under %v", elapsed, least)
	}
	// The limiter releases at most rate+1 requests per second (49 at
	// 48/s). Scheduling delays between the limiter and the wire on a
	// loaded machine can bunch a few; only when they did not may the
	// server have throttled none.
	switch {
	case st.Throttled == 0:
	case clientMax < taskQPS:
		t.Errorf("%d requests throttled though the client never sent more than %d in a second", st.Throttled, clientMax)
	default:
		t.Logf("%d requests throttled: scheduling delays bunched %d requests into one second", st.Throttled, clientMax)
	}
}

func TestThrottlingHeaderAndWindow(t *testing.T) {
	t.Parallel()
	const action = livempu.ActionListRtcMPUEventSubRecord
	srv := livetest.NewServer(t, livetest.WithQPS(action, 2))
	now := srv.Now().UTC()
	const timeLayout = "2006-01-02T15:04:05Z" // the service's StartTime and EndTime
	params := p("AppId", livetest.DemoAppID, "StartTime", now.Add(-time.Hour).Format(timeLayout), "EndTime", now.Format(timeLayout), "PageSize", "1", "PageNo", "1")
	status := func() (int, *http.Response, []byte) {
		resp, body := send(t, rawRequest(t, srv, signer.V3, action, params, signer.Credentials{}))
		return resp.StatusCode, resp, body
	}
	for i := range 2 {
		if code, _, body := status(); code != 200 {
			t.Fatalf("request %d: %d %s", i, code, body)
		}
	}
	code, resp, body := status()
	if code != 400 || decodeError(t, body).Code != "Throttling.User" || decodeError(t, body).Message != "Request was denied due to user flow control." {
		t.Fatalf("third request: %d %s", code, body)
	}
	h := resp.Header.Get("x-ratelimit-user-api")
	if !regexp.MustCompile(`^Limit:2,Remain:0,TimeLeft:\d+,Reset:\d+$`).MatchString(h) {
		t.Errorf("x-ratelimit-user-api %q", h)
	}
	// Another account has its own window; the other action too.
	other := rawRequest(t, srv, signer.V3, livempu.ActionListRtcMPUTaskDetail, p("AppId", livetest.DemoAppID, "TaskId", "t"), signer.Credentials{})
	if resp, body := send(t, other); resp.StatusCode != 200 {
		t.Errorf("other action: %d %s", resp.StatusCode, body)
	}
	// Throttled requests do not count: a second later the window is free.
	time.Sleep(1100 * time.Millisecond)
	if code, _, body := status(); code != 200 {
		t.Fatalf("after a second: %d %s", code, body)
	}
	if st := srv.Stats(); st.Throttled != 1 || srv.Stats(action).Accepted != 3 || srv.MaxWindow(action) != 2 {
		t.Errorf("stats %+v, max window %d", st, srv.MaxWindow(action))
	}
}

func TestThrottledThenRetriedBySDK(t *testing.T) {
	t.Parallel()
	const action = livempu.ActionListRtcMPUTaskDetail
	srv := livetest.NewServer(t, livetest.WithQPS(action, 3), livetest.WithAccount("LTAI-retry-test", "s", ""))
	// No client limiter: the server's TimeLeft paces the retries.
	c := srv.Client(livempu.WithRateLimiter(action, nil), livempu.WithMaxRetries(5))
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, TaskID: "t"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if st := srv.Stats(); st.Succeeded != 6 || st.Throttled == 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestOtherCallersShareTheBudget(t *testing.T) {
	t.Parallel()
	const action = livempu.ActionListRtcMPUEventSubRecord
	srv := livetest.NewServer(t, livetest.WithQPS(action, 5))
	srv.SetOtherCallers(action, 3)
	now := srv.Now().UTC()
	const timeLayout = "2006-01-02T15:04:05Z" // the service's StartTime and EndTime
	params := p("AppId", livetest.DemoAppID, "StartTime", now.Add(-time.Hour).Format(timeLayout), "EndTime", now.Format(timeLayout), "PageSize", "1", "PageNo", "1")
	call := func() (int, *http.Response) {
		resp, _ := send(t, rawRequest(t, srv, signer.V3, action, params, signer.Credentials{}))
		return resp.StatusCode, resp
	}
	// Others use 3 of the 5: two are left.
	for i := range 2 {
		if code, _ := call(); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	code, resp := call()
	if code != 400 {
		t.Fatalf("third request: %d", code)
	}
	// The header reports the account's whole limit, as the service does
	// when others spend the budget.
	if h := resp.Header.Get("x-ratelimit-user-api"); !regexp.MustCompile(`^Limit:5,Remain:0,TimeLeft:\d+,Reset:\d+$`).MatchString(h) {
		t.Errorf("x-ratelimit-user-api %q", h)
	}
	// The others stop, while running: the rest of the window is free.
	srv.SetOtherCallers(action, 0)
	for i := range 3 {
		if code, _ := call(); code != 200 {
			t.Fatalf("after the others stopped, request %d: %d", i, code)
		}
	}
	if code, _ := call(); code != 400 {
		t.Errorf("over the whole limit: %d", code)
	}
	// Others using the whole budget leave nothing.
	srv.SetOtherCallers(action, 10)
	time.Sleep(1100 * time.Millisecond)
	if code, _ := call(); code != 400 {
		t.Errorf("with the budget used up by others: %d", code)
	}
}
