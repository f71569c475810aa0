package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/internal/order"
	"github.com/livempu/livempu-go/internal/servicejson"
	"github.com/livempu/livempu-go/pager"
	"github.com/livempu/livempu-go/signer"
)

// pagingServer serves total tasks (short-page style) and total records
// (HasMore style) from a fake server, encoded as the service does.
func pagingServer(t testing.TB, total int) *fakeServer {
	return newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		size, _ := strconv.Atoi(a.param("PageSize"))
		no, _ := strconv.Atoi(a.param("PageNo"))
		lo, hi := min((no-1)*size, total), min(no*size, total)
		switch a.Action {
		case livempu.ActionListRtcMPUTaskDetail:
			page := livempu.ListRtcMPUTaskDetailResponse{RequestID: fmt.Sprint("p", no)}
			for i := lo; i < hi; i++ {
				page.MPUTasks = append(page.MPUTasks, livempu.MPUTask{AppID: "app-1", TaskID: fmt.Sprint("t", i), MixMode: livempu.MixModeMixed})
			}
			writeJSON(w, 200, string(servicejson.Append(nil, page)))
		default:
			page := livempu.ListRtcMPUEventSubRecordResponse{RequestID: fmt.Sprint("p", no), HasMore: hi < total}
			for i := lo; i < hi; i++ {
				page.Logs = append(page.Logs, livempu.EventSubRecord{AppID: "app-1", MsgID: fmt.Sprint("m", i), HTTPCode: 200})
			}
			page.Count = len(page.Logs)
			writeJSON(w, 200, string(servicejson.Append(nil, page)))
		}
	})
}

func TestIteratorsYieldEveryItemOnce(t *testing.T) {
	for _, total := range []int{0, 1, 99, 100, 101, 537, 1000} {
		for _, size := range []int{1, 7, 100} {
			t.Run(fmt.Sprintf("total=%d/size=%d", total, size), func(t *testing.T) {
				f := pagingServer(t, total)
				c := newTestClient(t, f)
				ctx := context.Background()

				i := 0
				for task, err := range livempu.MPUTasks(ctx, c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1", PageSize: size}) {
					if err != nil {
						t.Fatal(err)
					}
					if task.TaskID != fmt.Sprint("t", i) {
						t.Fatalf("task %d is %s", i, task.TaskID)
					}
					i++
				}
				if i != total {
					t.Fatalf("tasks: got %d, want %d", i, total)
				}
				taskRequests := len(f.attempts())
				if want := total/size + 1; taskRequests != want {
					t.Errorf("task requests = %d, want %d", taskRequests, want)
				}

				i = 0
				req := recordReq()
				req.PageSize, req.PageNo = size, 0
				for rec, err := range livempu.EventSubRecords(ctx, c, req) {
					if err != nil {
						t.Fatal(err)
					}
					if rec.MsgID != fmt.Sprint("m", i) {
						t.Fatalf("record %d is %s", i, rec.MsgID)
					}
					i++
				}
				if i != total {
					t.Fatalf("records: got %d, want %d", i, total)
				}
				if got, want := len(f.attempts())-taskRequests, max(1, (total+size-1)/size); got != want {
					t.Errorf("record requests = %d, want %d", got, want)
				}
			})
		}
	}
}

func TestIteratorContract(t *testing.T) {
	leakcheck.Check(t)
	f := pagingServer(t, 250)
	c := newTestClient(t, f)
	ctx := context.Background()
	req := &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"}
	seq := livempu.MPUTasks(ctx, c, req)
	if len(f.attempts()) != 0 {
		t.Fatal("the iterator sent a request before it was ranged")
	}
	count := func() int {
		n := 0
		for _, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	if a, b := count(), count(); a != 250 || b != 250 {
		t.Fatalf("ranges yielded %d then %d", a, b)
	}
	if *req != (livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"}) {
		t.Errorf("request modified: %+v", req)
	}
	// Defaults: PageSize 100, PageNo 1.
	if a := f.attempts()[0]; a.param("PageSize") != "100" || a.param("PageNo") != "1" {
		t.Errorf("defaults: %v", a.Params)
	}

	// break stops fetching at once.
	before := len(f.attempts())
	for range livempu.MPUTasks(ctx, c, req, pager.WithPrefetch(4)) {
		break
	}
	if sent := len(f.attempts()) - before; sent > 5 {
		t.Errorf("break after the first item still sent %d requests", sent)
	}

	// A set PageNo resumes from that page.
	n := 0
	for _, err := range livempu.MPUTasks(ctx, c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1", PageSize: 100, PageNo: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 50 {
		t.Errorf("resume from page 3 yielded %d", n)
	}

	// Options: max items and an on-page hook.
	var pages []int
	n = 0
	for range livempu.MPUTasks(ctx, c, req, pager.WithMaxItems(120), pager.WithOnPage(func(p pager.PageInfo) { pages = append(pages, p.PageNo) })) {
		n++
	}
	if n != 120 || fmt.Sprint(pages) != "[1 2]" {
		t.Errorf("max items: %d items, pages %v", n, pages)
	}
}

func TestIteratorErrorIsYieldedOnce(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		if a.param("PageNo") == "2" {
			writeJSON(w, 400, errorBody("InvalidAppId"))
			return
		}
		writeJSON(w, 200, `{"RequestId":"r","Count":1,"HasMore":true,"Logs":[{"MsgId":"m"}]}`)
	})
	c := newTestClient(t, f)
	var items, errs int
	for _, err := range livempu.EventSubRecords(context.Background(), c, recordReq()) {
		if err != nil {
			errs++
			if !errors.Is(err, livempu.ErrInvalidAppID) {
				t.Errorf("err = %v", err)
			}
			continue
		}
		items++
	}
	if items != 1 || errs != 1 {
		t.Fatalf("items=%d errors=%d", items, errs)
	}
	// A request rejected by validation is yielded as the error.
	for _, err := range livempu.MPUTasks(context.Background(), c, nil) {
		if !errors.Is(err, livempu.ErrInvalidRequest) {
			t.Errorf("nil request: %v", err)
		}
	}
	for _, err := range livempu.MPUTasks(context.Background(), nil, &livempu.ListRtcMPUTaskDetailRequest{AppID: "a"}) {
		if err == nil {
			t.Error("nil API yielded no error")
		}
	}
}

// movingAPI is a hand-written fake of livempu.API whose task list changes
// between pages, as an update-time sort allows: the first task of page 1
// is updated after page 1 was read and moves to page 2.
type movingAPI struct {
	mu    sync.Mutex
	calls int
}

func (m *movingAPI) ListRtcMPUTaskDetail(_ context.Context, req *livempu.ListRtcMPUTaskDetailRequest) (*livempu.ListRtcMPUTaskDetailResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	ids := [][]string{{"a", "b"}, {"a", "c"}, {"d"}}[req.PageNo-1]
	resp := &livempu.ListRtcMPUTaskDetailResponse{RequestID: fmt.Sprint(req.PageNo)}
	for _, id := range ids {
		resp.MPUTasks = append(resp.MPUTasks, livempu.MPUTask{TaskID: id})
	}
	return resp, nil
}

func (m *movingAPI) ListRtcMPUEventSubRecord(context.Context, *livempu.ListRtcMPUEventSubRecordRequest) (*livempu.ListRtcMPUEventSubRecordResponse, error) {
	return nil, errors.New("not used")
}

func TestTaskMovingBetweenPagesIsYieldedOnce(t *testing.T) {
	api := &movingAPI{}
	var got []string
	for task, err := range livempu.MPUTasks(context.Background(), api, &livempu.ListRtcMPUTaskDetailRequest{AppID: "x", PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, task.TaskID)
	}
	if fmt.Sprint(got) != "[a b c d]" || api.calls != 3 {
		t.Fatalf("got %v in %d calls", got, api.calls)
	}
}

func TestPagesAndPaginator(t *testing.T) {
	f := pagingServer(t, 200)
	c := newTestClient(t, f)
	ctx := context.Background()
	var ids []string
	for page, err := range livempu.EventSubRecordPages(ctx, c, recordReq()) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, page.RequestID)
	}
	if fmt.Sprint(ids) != "[p1 p2]" {
		t.Errorf("record pages %v", ids)
	}
	// An exact multiple of the page size costs one empty page, which the
	// paginator returns so that HasMorePages becomes false.
	p := livempu.NewMPUTaskPaginator(c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"})
	var sizes []int
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.MPUTasks))
	}
	if fmt.Sprint(sizes) != "[100 100 0]" {
		t.Errorf("paginator page sizes %v", sizes)
	}
	ids = ids[:0]
	for page, err := range livempu.MPUTaskPages(ctx, c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, page.RequestID)
	}
	if fmt.Sprint(ids) != "[p1 p2]" {
		t.Errorf("task pages %v", ids)
	}
	rp := livempu.NewEventSubRecordPaginator(c, recordReq())
	n := 0
	for rp.HasMorePages() {
		if _, err := rp.NextPage(ctx); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("record paginator pages %d", n)
	}
}

func TestPrefetchKeepsOrderThroughTheClient(t *testing.T) {
	leakcheck.Check(t)
	f := pagingServer(t, 1000)
	c := newTestClient(t, f)
	req := recordReq()
	req.PageSize = 10
	i := 0
	for rec, err := range livempu.EventSubRecords(context.Background(), c, req, pager.WithPrefetch(8)) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.MsgID != fmt.Sprint("m", i) {
			t.Fatalf("record %d is %s", i, rec.MsgID)
		}
		i++
	}
	if i != 1000 {
		t.Fatalf("got %d records", i)
	}
	if n := len(f.attempts()); n > 100+8 {
		t.Errorf("%d requests for 100 pages", n)
	}
}

// pageOrderLimiter records, for each wait, the page of the walk the request
// belongs to, then waits on an ordinary token bucket.
type pageOrderLimiter struct {
	mu    sync.Mutex
	pages []int
	lim   *rate.Limiter
}

func (l *pageOrderLimiter) Wait(ctx context.Context) error {
	page, _ := order.Page(ctx)
	l.mu.Lock()
	l.pages = append(l.pages, page)
	l.mu.Unlock()
	return l.lim.Wait(ctx)
}

// TestPrefetchTakesLimiterTokensInPageOrder checks that the fetches of a
// prefetching walk, started together, reach the client's rate limiter in
// page order, and that one which fails and is retried does not block the
// pages behind it: tokens handed out of order made a walk with prefetch 4
// through the default limiter about 20% slower (BenchmarkWalkWithLatency).
func TestPrefetchTakesLimiterTokensInPageOrder(t *testing.T) {
	leakcheck.Check(t)
	defer order.SetArrivalWait(order.SetArrivalWait(time.Minute)) // strict order even if the scheduler lags
	const total, size = 400, 10
	served := pagingServer(t, total)
	var failed atomic.Bool
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		if a.param("PageNo") == "7" && failed.CompareAndSwap(false, true) { // page 7 fails once
			writeJSON(w, 503, `{"Code":"ServiceUnavailable","Message":"busy","RequestId":"r"}`)
			return
		}
		time.Sleep(5 * time.Millisecond)
		served.reply(n, a, w)
	})
	lim := &pageOrderLimiter{lim: rate.NewLimiter(1000, 1)}
	c, err := livempu.NewClient(livempu.WithEndpoint(f.srv.URL), livempu.WithStaticCredentials(testKeyID, testSecret, ""),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUEventSubRecord, lim), livempu.WithRetryBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	req := recordReq()
	req.PageSize = size
	n := 0
	for _, err := range livempu.EventSubRecords(context.Background(), c, req, pager.WithPrefetch(6)) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != total {
		t.Fatalf("walked %d records, want %d", n, total)
	}
	if !failed.Load() {
		t.Fatal("page 7 never failed")
	}
	lim.mu.Lock()
	defer lim.mu.Unlock()
	last := 0
	for _, page := range lim.pages {
		if page < last && !(page == 7 && last > 7) { // only page 7's retry comes late
			t.Fatalf("limiter waits in order %v", lim.pages)
		}
		last = max(last, page)
	}
}

// capAPI caps the requests in flight, as a caller's middleware around an API
// might.
type capAPI struct {
	livempu.API
	sem chan struct{}
}

func (a capAPI) ListRtcMPUEventSubRecord(ctx context.Context, r *livempu.ListRtcMPUEventSubRecordRequest) (*livempu.ListRtcMPUEventSubRecordResponse, error) {
	a.sem <- struct{}{}
	defer func() { <-a.sem }()
	return a.API.ListRtcMPUEventSubRecord(ctx, r)
}

// TestPageOrderNeverHangsOnCrossedLocks walks with prefetch where a later
// page holds what an earlier one needs before it reaches the limiter: a cap
// of two requests in flight under prefetch 4, and a shared credential
// refresh that itself calls the service with the page's context. Waiting for
// the earlier page without limit would hang both walks (found in review);
// the wait for a page that has not reached the limiter is bounded.
func TestPageOrderNeverHangsOnCrossedLocks(t *testing.T) {
	leakcheck.Check(t)
	f := pagingServer(t, 600)
	fast := func(action string) livempu.Option { return livempu.WithRateLimiter(action, rate.NewLimiter(1e6, 1)) }
	walk := func(t *testing.T, api livempu.API) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req := recordReq()
		req.PageSize = 10
		n := 0
		for _, err := range livempu.EventSubRecordPages(ctx, api, req, pager.WithPrefetch(4)) {
			if err != nil {
				t.Fatalf("after %d pages: %v", n, err)
			}
			n++
		}
		if n != 60 {
			t.Fatalf("walked %d pages, want 60", n)
		}
	}
	t.Run("cap on requests in flight", func(t *testing.T) {
		c := newTestClient(t, f, fast(livempu.ActionListRtcMPUEventSubRecord))
		walk(t, capAPI{c, make(chan struct{}, 2)})
	})
	t.Run("shared credential refresh calling the service", func(t *testing.T) {
		other := newTestClient(t, f, fast(livempu.ActionListRtcMPUTaskDetail))
		upstream := signer.CredentialsProviderFunc(func(ctx context.Context) (signer.Credentials, error) {
			if _, err := other.ListRtcMPUTaskDetail(ctx, taskReq()); err != nil {
				return signer.Credentials{}, err
			}
			return signer.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret, SecurityToken: testToken, Expires: time.Now().Add(time.Hour)}, nil
		})
		// A refresh window longer than the lifetime: every call refreshes,
		// and concurrent callers share one refresh.
		cp := signer.NewCachingProvider(upstream, signer.WithRefreshWindow(2*time.Hour))
		walk(t, newTestClient(t, f, livempu.WithCredentialsProvider(cp), fast(livempu.ActionListRtcMPUEventSubRecord)))
	})
}
