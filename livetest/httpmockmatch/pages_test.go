package httpmockmatch_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/livetest/httpmockmatch"
	"github.com/livempu/livempu-go/pager"
	"github.com/livempu/livempu-go/signer"
)

const (
	actTasks   = livempu.ActionListRtcMPUTaskDetail
	actRecords = livempu.ActionListRtcMPUEventSubRecord
	endpoint   = livempu.DefaultEndpoint + "/"
)

// counter counts the requests that reach the transport beneath it.
type counter struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}

// mockClient returns a client whose requests go to a fresh httpmock
// transport (not the package-level one, so that tests run in parallel),
// and a counter of the requests it sends.
func mockClient(t *testing.T, opts ...livempu.Option) (*livempu.Client, *httpmock.MockTransport, *counter) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	cnt := &counter{next: mt}
	all := append([]livempu.Option{
		livempu.WithHTTPClient(&http.Client{Transport: cnt}),
		livempu.WithStaticCredentials(livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret, ""),
		livempu.WithRetryBackoff(time.Millisecond, 2*time.Millisecond),
	}, opts...)
	c, err := livempu.NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	return c, mt, cnt
}

func taskPage(t *testing.T, c *livempu.Client, size, no int) (*livempu.ListRtcMPUTaskDetailResponse, error) {
	t.Helper()
	return c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: size, PageNo: no})
}

func recordPage(c *livempu.Client, now time.Time, size, no int) (*livempu.ListRtcMPUEventSubRecordResponse, error) {
	start, end := livempu.RecordWindow(now, livempu.RecordRetention)
	return c.ListRtcMPUEventSubRecord(context.Background(), &livempu.ListRtcMPUEventSubRecordRequest{
		AppID: livetest.DemoAppID, StartTime: start, EndTime: end, PageSize: size, PageNo: no,
	})
}

// TestParamBesideAction registers a responder for page 2 beside one for
// every page, in both orders and under both signature versions: page 2
// gets its own answer, the others the paged tasks.
func TestParamBesideAction(t *testing.T) {
	t.Parallel()
	tasks, _ := livetest.Generate(25, 0, 1, time.Now())
	for _, v := range []signer.Version{signer.V3, signer.V1} {
		for _, paramFirst := range []bool{false, true} {
			c, mt, _ := mockClient(t, livempu.WithSignatureVersion(v), livempu.WithMaxRetries(0))
			mt.RegisterNoResponder(httpmockmatch.NoResponder)
			register := []func(){
				func() {
					mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Action(actTasks), httpmockmatch.TaskPages(tasks))
				},
				func() {
					mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Param(actTasks, "PageNo", "2"),
						httpmockmatch.Error(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."))
					// Same parameter, other action: a different matcher,
					// which must not replace the first.
					mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Param(actRecords, "PageNo", "2"),
						httpmockmatch.Error(400, "Throttling.User", "Request was denied due to user flow control."))
				},
			}
			if paramFirst {
				register[0], register[1] = register[1], register[0]
			}
			register[0]()
			register[1]()

			for no, want := range map[int]string{1: "", 2: "ServiceUnavailable", 3: ""} {
				_, err := taskPage(t, c, 10, no)
				var apiErr *livempu.APIError
				if got := ""; err != nil {
					if !errors.As(err, &apiErr) {
						t.Fatalf("%s paramFirst=%v page %d: %v", v, paramFirst, no, err)
					}
					got = apiErr.Code
					if got != want {
						t.Errorf("%s paramFirst=%v page %d: code %q, want %q", v, paramFirst, no, got, want)
					}
				} else if want != "" {
					t.Errorf("%s paramFirst=%v page %d: no error, want %q", v, paramFirst, no, want)
				}
			}
			_, err := recordPage(c, time.Now(), 10, 2)
			if !errors.Is(err, livempu.ErrThrottled) {
				t.Errorf("%s paramFirst=%v: records page 2: %v", v, paramFirst, err)
			}
		}
	}
}

// TestPagesAgreeWithLivetest serves livetest's tasks and records through
// TaskPages and RecordPages and checks that every page, for several page
// sizes and past the end, is the one livetest.Server answers: the same
// items, Count and HasMore.
func TestPagesAgreeWithLivetest(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t, livetest.WithGenerated(23, 31, 2), livetest.WithQPS(actTasks, 100000), livetest.WithQPS(actRecords, 100000))
	// 660 requests: no client-side limiting.
	unlimited := []livempu.Option{livempu.WithRateLimiter(actTasks, nil), livempu.WithRateLimiter(actRecords, nil)}
	live := srv.Client(unlimited...)
	now := srv.Now()
	mock, mt, _ := mockClient(t, append(unlimited, livempu.WithClock(srv.Now))...)
	mt.RegisterNoResponder(httpmockmatch.NoResponder)
	mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Action(actTasks), httpmockmatch.TaskPages(srv.Tasks()))
	mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Action(actRecords), httpmockmatch.RecordPages(srv.Records()))

	ignoreID := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".RequestID" }, cmp.Ignore())
	for _, size := range []int{1, 7, 23, 31, 100} {
		for no := 1; no <= 33; no++ {
			wantT, err := taskPage(t, live, size, no)
			if err != nil {
				t.Fatal(err)
			}
			gotT, err := taskPage(t, mock, size, no)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantT, gotT, ignoreID); diff != "" {
				t.Fatalf("tasks size %d page %d (-livetest +mock):\n%s", size, no, diff)
			}
			wantR, err := recordPage(live, now, size, no)
			if err != nil {
				t.Fatal(err)
			}
			gotR, err := recordPage(mock, now, size, no)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantR, gotR, ignoreID); diff != "" {
				t.Fatalf("records size %d page %d (-livetest +mock):\n%s", size, no, diff)
			}
		}
	}
}

// TestPagesWalk walks both responders with the SDK's iterators, prefetching:
// every item once, in order, and the walk ends where the paging rules say.
func TestPagesWalk(t *testing.T) {
	t.Parallel()
	now := time.Now()
	tasks, records := livetest.Generate(250, 230, 3, now)
	c, mt, cnt := mockClient(t)
	mt.RegisterNoResponder(httpmockmatch.NoResponder)
	mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Action(actTasks), httpmockmatch.TaskPages(tasks))
	mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Action(actRecords), httpmockmatch.RecordPages(records))

	var gotT []livempu.MPUTask
	for task, err := range livempu.MPUTasks(context.Background(), c, &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID}, pager.WithPrefetch(2)) {
		if err != nil {
			t.Fatal(err)
		}
		gotT = append(gotT, task)
	}
	if diff := cmp.Diff(tasks, gotT); diff != "" {
		t.Errorf("tasks (-want +got):\n%s", diff)
	}
	start, end := livempu.RecordWindow(now, 24*time.Hour)
	var gotR []livempu.EventSubRecord
	for rec, err := range livempu.EventSubRecords(context.Background(), c, &livempu.ListRtcMPUEventSubRecordRequest{AppID: livetest.DemoAppID, StartTime: start, EndTime: end}) {
		if err != nil {
			t.Fatal(err)
		}
		gotR = append(gotR, rec)
	}
	if diff := cmp.Diff(records, gotR); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	// Tasks: pages 1-3 (50 on the last), maybe a prefetched page 4 or 5;
	// records: pages 1-3, the last with HasMore false, nothing after it.
	if n := mt.GetCallCountInfo()["POST "+endpoint+" <livempu "+actRecords+" with any parameters>"]; n != 3 {
		t.Errorf("%d record requests, want 3", n)
	}
	if n := cnt.n.Load(); n < 6 || n > 8 {
		t.Errorf("%d requests in all, want 6 to 8", n)
	}
}

// TestPagesBadParams sends what the SDK's validation never sends, straight
// to the responders: the service's errors for missing or invalid paging,
// and every task for a TaskId without paging.
func TestPagesBadParams(t *testing.T) {
	t.Parallel()
	tasks, records := livetest.Generate(3, 3, 4, time.Now())
	for _, tc := range []struct {
		responder httpmock.Responder
		query     string
		status    int
		code      string
	}{
		{httpmockmatch.TaskPages(tasks), "AppId=a&PageNo=1", 400, "MissingParam"},
		{httpmockmatch.TaskPages(tasks), "AppId=a&PageSize=1", 400, "MissingParam"},
		{httpmockmatch.TaskPages(tasks), "AppId=a&PageSize=101&PageNo=1", 400, "InvalidParam"},
		{httpmockmatch.TaskPages(tasks), "AppId=a&PageSize=1&PageNo=0", 400, "InvalidParam"},
		{httpmockmatch.TaskPages(tasks), "AppId=a&PageSize=x&PageNo=1", 400, "InvalidParam"},
		{httpmockmatch.TaskPages(tasks), "AppId=a&TaskId=t", 200, `"MPUTasks":[{"AppId"`},
		{httpmockmatch.RecordPages(records), "AppId=a&StartTime=x&EndTime=y&PageNo=1", 400, "MissingParam"},
		{httpmockmatch.RecordPages(records), "AppId=a&EndTime=y&PageSize=1&PageNo=1", 400, "MissingParam"},
		{httpmockmatch.RecordPages(records), "AppId=a&StartTime=x&EndTime=y&PageSize=0&PageNo=1", 400, "InvalidParam"},
		{httpmockmatch.RecordPages(records), "AppId=a&StartTime=x&EndTime=y&PageSize=2&PageNo=1", 200, `"Count":2,"HasMore":true`},
		{httpmockmatch.RecordPages(records), "AppId=a&StartTime=x&EndTime=y&PageSize=2&PageNo=2", 200, `"Count":1,"HasMore":false`},
		{httpmockmatch.RecordPages(records), "AppId=a&StartTime=x&EndTime=y&PageSize=2&PageNo=9223372036854775807", 200, `"Count":0,"HasMore":false,"Logs":[]`},
	} {
		req, err := http.NewRequest(http.MethodPost, endpoint+"?"+tc.query, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := tc.responder(req)
		if err != nil {
			t.Fatal(err)
		}
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(resp.Body)
		if resp.StatusCode != tc.status || !strings.Contains(body.String(), tc.code) {
			t.Errorf("%s: %d %s, want %d with %s", tc.query, resp.StatusCode, body, tc.status, tc.code)
		}
	}
}

// TestNoResponder: a request nothing matches fails at once, with an error
// that names it and no secret; without NoResponder httpmock's error is
// taken for a network failure and retried.
func TestNoResponder(t *testing.T) {
	t.Parallel()
	const token = "sts-token-canary"
	for _, v := range []signer.Version{signer.V3, signer.V1} {
		c, mt, cnt := mockClient(t, livempu.WithSignatureVersion(v),
			livempu.WithStaticCredentials(livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret, token))
		mt.RegisterNoResponder(httpmockmatch.NoResponder)
		mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Action(actRecords), httpmockmatch.RecordPages(nil))
		_, err := taskPage(t, c, 10, 2)
		var apiErr *livempu.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "httpmockmatch.NoResponder" || apiErr.StatusCode != 501 {
			t.Fatalf("%s: %v", v, err)
		}
		want := "no httpmock responder matches POST " + endpoint + " " + actTasks + " AppId=" + livetest.DemoAppID + " PageNo=2 PageSize=10"
		if apiErr.Message != want {
			t.Errorf("%s: message %q, want %q", v, apiErr.Message, want)
		}
		for _, secret := range []string{token, "Signature", livetest.DemoAccessKeySecret} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: %q in %v", v, secret, err)
			}
		}
		if n := cnt.n.Load(); n != 1 {
			t.Errorf("%s: %d attempts, want 1", v, n)
		}
	}

	// Without it: httpmock's transport error, retried as a network error.
	c, mt, cnt := mockClient(t, livempu.WithMaxRetries(4))
	mt.RegisterMatcherResponder(http.MethodPost, endpoint, httpmockmatch.Action(actRecords), httpmockmatch.RecordPages(nil))
	_, err := taskPage(t, c, 10, 2)
	var apiErr *livempu.APIError
	if err == nil || errors.As(err, &apiErr) || cnt.n.Load() != 5 {
		t.Errorf("without NoResponder: %v after %d attempts; want a network error after 5", err, cnt.n.Load())
	}
}
