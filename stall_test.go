package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/internal/servicejson"
	"github.com/livempu/livempu-go/pager"
)

// cyclingServer serves full pages of 100 tasks and of 100 records with
// HasMore always true, but only period distinct ones: page n is page
// (n-1)%period+1, so with period 1 the server ignores PageNo, as a server or
// proxy that drops the parameter does.
func cyclingServer(t testing.TB, period int) *fakeServer {
	return newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		no, _ := strconv.Atoi(a.param("PageNo"))
		lo := (no - 1) % period * 100
		switch a.Action {
		case livempu.ActionListRtcMPUTaskDetail:
			page := livempu.ListRtcMPUTaskDetailResponse{RequestID: fmt.Sprint("p", no)}
			for i := lo; i < lo+100; i++ {
				page.MPUTasks = append(page.MPUTasks, livempu.MPUTask{AppID: "app-1", TaskID: fmt.Sprint("t", i), MixMode: livempu.MixModeMixed})
			}
			writeJSON(w, 200, string(servicejson.Append(nil, page)))
		default:
			page := livempu.ListRtcMPUEventSubRecordResponse{RequestID: fmt.Sprint("p", no), HasMore: true}
			for i := lo; i < lo+100; i++ {
				page.Logs = append(page.Logs, livempu.EventSubRecord{AppID: "app-1", SubID: "sub-1", MsgID: fmt.Sprint("m", i), HTTPCode: 200})
			}
			page.Count = len(page.Logs)
			writeJSON(w, 200, string(servicejson.Append(nil, page)))
		}
	})
}

// walkFunc walks one operation the way a user would and returns the number
// of items (or pages) it delivered and the error that ended it.
type walkFunc func(ctx context.Context, c *livempu.Client, opts ...pager.Option) (int, error)

// stallWalks are every way to walk each operation.
var stallWalks = []struct {
	name string
	walk walkFunc
	// delivered is what the walk delivers before stopping, given the
	// period of the server: items for the item iterators, pages for the
	// others.
	delivered func(period int) int
}{
	{"MPUTasks", func(ctx context.Context, c *livempu.Client, opts ...pager.Option) (int, error) {
		return countSeq(livempu.MPUTasks(ctx, c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"}, opts...))
	}, func(period int) int { return 100 * period }}, // each distinct task once
	{"MPUTaskPages", func(ctx context.Context, c *livempu.Client, opts ...pager.Option) (int, error) {
		return countSeq(livempu.MPUTaskPages(ctx, c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"}, opts...))
	}, func(period int) int { return period + pager.StallLimit - 1 }},
	{"MPUTasksPaginator", func(ctx context.Context, c *livempu.Client, opts ...pager.Option) (int, error) {
		return countPaginator(ctx, livempu.NewMPUTaskPaginator(c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"}, opts...))
	}, func(period int) int { return period + pager.StallLimit - 1 }},
	{"EventSubRecords", func(ctx context.Context, c *livempu.Client, opts ...pager.Option) (int, error) {
		return countSeq(livempu.EventSubRecords(ctx, c, recordReq(), opts...))
	}, func(period int) int { return 100 * (period + pager.StallLimit - 1) }}, // repeats of the stale pages before the last
	{"EventSubRecordPages", func(ctx context.Context, c *livempu.Client, opts ...pager.Option) (int, error) {
		return countSeq(livempu.EventSubRecordPages(ctx, c, recordReq(), opts...))
	}, func(period int) int { return period + pager.StallLimit - 1 }},
	{"EventSubRecordsPaginator", func(ctx context.Context, c *livempu.Client, opts ...pager.Option) (int, error) {
		return countPaginator(ctx, livempu.NewEventSubRecordPaginator(c, recordReq(), opts...))
	}, func(period int) int { return period + pager.StallLimit - 1 }},
}

func countSeq[T any](seq func(func(T, error) bool)) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// countPaginator pages until HasMorePages is false or NextPage fails, and
// checks that a failed paginator says it has no more pages.
func countPaginator[P any](ctx context.Context, p *pager.Paginator[P]) (int, error) {
	n := 0
	for p.HasMorePages() {
		if _, err := p.NextPage(ctx); err != nil {
			if p.HasMorePages() {
				return n, fmt.Errorf("HasMorePages still true after %w", err)
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// TestStalledWalksEndWithErrWalkStalled walks every operation, through
// every kind of walk, with and without prefetch, against a server that
// ignores PageNo (period 1) or cycles through two pages (period 2). Each
// walk must end with an error matching ErrWalkStalled that names the page,
// after StallLimit pages that brought nothing new, having sent StallLimit
// more requests than the server has distinct pages (plus at most n with
// WithPrefetch(n)).
func TestStalledWalksEndWithErrWalkStalled(t *testing.T) {
	leakcheck.Check(t)
	for _, period := range []int{1, 2} {
		for _, w := range stallWalks {
			for _, prefetch := range []int{0, 3} {
				t.Run(fmt.Sprintf("period=%d/%s/prefetch=%d", period, w.name, prefetch), func(t *testing.T) {
					t.Parallel()
					f := cyclingServer(t, period)
					c := newTestClient(t, f)
					// The deadline only keeps a broken walk from hanging the
					// test; the fixed one ends after a few requests.
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					n, err := w.walk(ctx, c, pager.WithPrefetch(prefetch))
					checkErr(t, err)
					if !errors.Is(err, livempu.ErrWalkStalled) || !errors.Is(err, pager.ErrStalled) {
						t.Fatalf("walk ended with %v after %d requests, want ErrWalkStalled", err, len(f.attempts()))
					}
					stalledAt := period + pager.StallLimit
					var pe *pager.PageError
					if !errors.As(err, &pe) || pe.PageNo != stalledAt {
						t.Fatalf("error %v: want a *pager.PageError for page %d", err, stalledAt)
					}
					if msg := err.Error(); !strings.HasPrefix(msg, fmt.Sprintf("page %d: ", stalledAt)) || !strings.Contains(msg, "no item not seen before") {
						t.Errorf("error message %q does not name the page and the reason", msg)
					}
					if want := w.delivered(period); n != want {
						t.Errorf("delivered %d before the error, want %d", n, want)
					}
					sent := len(f.attempts())
					lo, hi := stalledAt, stalledAt
					if prefetch > 0 && !strings.Contains(w.name, "Paginator") {
						hi += prefetch // prefetched pages may or may not have reached the server
					}
					if sent < lo || sent > hi {
						t.Errorf("%d requests, want %d to %d", sent, lo, hi)
					}
				})
			}
		}
	}
}

// TestStalledWalkWithTheDefaultLimiter is the walk of the issue: MPUTasks
// through a client with its default rate limiter against a server that
// ignores PageNo used to spend the whole request budget until the context
// ended. It ends with ErrWalkStalled after 4 requests.
func TestStalledWalkWithTheDefaultLimiter(t *testing.T) {
	f := cyclingServer(t, 1)
	c, err := livempu.NewClient(
		livempu.WithEndpoint(f.srv.URL),
		livempu.WithStaticCredentials(testKeyID, testSecret, testToken),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := countSeq(livempu.MPUTasks(ctx, c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"}))
	if !errors.Is(err, livempu.ErrWalkStalled) || n != 100 || len(f.attempts()) != 1+pager.StallLimit {
		t.Fatalf("%d tasks, %d requests, error %v; want 100 tasks, %d requests, ErrWalkStalled", n, len(f.attempts()), err, 1+pager.StallLimit)
	}
}

// slidingAPI is a hand-written livempu.API whose list moves by one item
// between requests, as new data pushed in during a walk makes it: page n
// holds items n-1 to n-2+size, so each page repeats all but one of the items
// of the page before it, and brings one new item. After pages pages the
// list ends (a short task page, HasMore false for records).
type slidingAPI struct {
	size, pages int
}

func (s slidingAPI) ids(pageNo int, prefix string) []string {
	if pageNo > s.pages {
		return nil
	}
	var ids []string
	for i := pageNo - 1; i < pageNo-1+s.size; i++ {
		ids = append(ids, fmt.Sprint(prefix, i))
	}
	return ids
}

func (s slidingAPI) ListRtcMPUTaskDetail(_ context.Context, req *livempu.ListRtcMPUTaskDetailRequest) (*livempu.ListRtcMPUTaskDetailResponse, error) {
	resp := &livempu.ListRtcMPUTaskDetailResponse{RequestID: fmt.Sprint(req.PageNo)}
	for _, id := range s.ids(req.PageNo, "t") {
		resp.MPUTasks = append(resp.MPUTasks, livempu.MPUTask{TaskID: id})
	}
	return resp, nil
}

func (s slidingAPI) ListRtcMPUEventSubRecord(_ context.Context, req *livempu.ListRtcMPUEventSubRecordRequest) (*livempu.ListRtcMPUEventSubRecordResponse, error) {
	resp := &livempu.ListRtcMPUEventSubRecordResponse{RequestID: fmt.Sprint(req.PageNo), HasMore: req.PageNo < s.pages}
	for _, id := range s.ids(req.PageNo, "m") {
		resp.Logs = append(resp.Logs, livempu.EventSubRecord{MsgID: id})
	}
	resp.Count = len(resp.Logs)
	return resp, nil
}

// TestOverlappingPagesDoNotStall walks a list that moves under the walk so
// that every page repeats all but one item of the page before: one new item
// per page is progress, and the walk must reach the end.
func TestOverlappingPagesDoNotStall(t *testing.T) {
	api := slidingAPI{size: 10, pages: 60}
	ctx := context.Background()
	for _, prefetch := range []int{0, 4} {
		opt := pager.WithPrefetch(prefetch)
		tasks, err := countSeq(livempu.MPUTasks(ctx, api, &livempu.ListRtcMPUTaskDetailRequest{AppID: "x", PageSize: 10}, opt))
		if err != nil || tasks != 60+10-1 {
			t.Errorf("prefetch %d: MPUTasks: %d tasks, %v", prefetch, tasks, err)
		}
		taskPages, err := countSeq(livempu.MPUTaskPages(ctx, api, &livempu.ListRtcMPUTaskDetailRequest{AppID: "x", PageSize: 10}, opt))
		if err != nil || taskPages != 60 {
			t.Errorf("prefetch %d: MPUTaskPages: %d pages, %v", prefetch, taskPages, err)
		}
		records, err := countSeq(livempu.EventSubRecords(ctx, api, &livempu.ListRtcMPUEventSubRecordRequest{AppID: "x", PageSize: 10}, opt))
		if err != nil || records != 60*10 {
			t.Errorf("prefetch %d: EventSubRecords: %d records, %v", prefetch, records, err)
		}
	}
	n, err := countPaginator(ctx, livempu.NewEventSubRecordPaginator(api, &livempu.ListRtcMPUEventSubRecordRequest{AppID: "x", PageSize: 10}))
	if err != nil || n != 60 {
		t.Errorf("EventSubRecords paginator: %d pages, %v", n, err)
	}
	n, err = countPaginator(ctx, livempu.NewMPUTaskPaginator(api, &livempu.ListRtcMPUTaskDetailRequest{AppID: "x", PageSize: 10}))
	if err != nil || n != 61 { // the empty page after the last full one
		t.Errorf("MPUTasks paginator: %d pages, %v", n, err)
	}
}

// retriedDeliveriesAPI sends, one record a page, the deliveries of one
// callback message that the subscriber failed four times before it answered
// 200: same MsgID, SubID and Time (the service gives Time to the second, and
// the retries came within it), told apart by the status and the cost.
type retriedDeliveriesAPI struct{}

const retriedDeliveries = 5

func (retriedDeliveriesAPI) ListRtcMPUTaskDetail(context.Context, *livempu.ListRtcMPUTaskDetailRequest) (*livempu.ListRtcMPUTaskDetailResponse, error) {
	return nil, errors.New("not served")
}

func (retriedDeliveriesAPI) ListRtcMPUEventSubRecord(_ context.Context, req *livempu.ListRtcMPUEventSubRecordRequest) (*livempu.ListRtcMPUEventSubRecordResponse, error) {
	code := 500
	if req.PageNo == retriedDeliveries {
		code = 200
	}
	rec := livempu.EventSubRecord{AppID: "x", SubID: "sub-1", MsgID: "m-1", Data: `{"EventType":1}`,
		Time: time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC), Cost: time.Duration(req.PageNo) * time.Millisecond,
		CallbackURL: "https://example.com/cb", HTTPCode: code}
	return &livempu.ListRtcMPUEventSubRecordResponse{Logs: []livempu.EventSubRecord{rec}, Count: retriedDeliveries,
		HasMore: req.PageNo < retriedDeliveries}, nil
}

// TestRetriedDeliveriesDoNotStall walks records that share MsgID, SubID and
// Time but differ otherwise: each is a new record, and the walk must end at
// the last page, not with ErrWalkStalled.
func TestRetriedDeliveriesDoNotStall(t *testing.T) {
	ctx := context.Background()
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: "x", PageSize: 1}
	for _, prefetch := range []int{0, 3} {
		n, err := countSeq(livempu.EventSubRecords(ctx, retriedDeliveriesAPI{}, req, pager.WithPrefetch(prefetch)))
		if err != nil || n != retriedDeliveries {
			t.Errorf("prefetch %d: EventSubRecords: %d records, %v; want %d, nil", prefetch, n, err, retriedDeliveries)
		}
	}
	n, err := countPaginator(ctx, livempu.NewEventSubRecordPaginator(retriedDeliveriesAPI{}, req))
	if err != nil || n != retriedDeliveries {
		t.Errorf("EventSubRecords paginator: %d pages, %v; want %d, nil", n, err, retriedDeliveries)
	}
}
