package livetest_test

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/pager"
	"github.com/livempu/livempu-go/signer"
)

const (
	actTasks   = livempu.ActionListRtcMPUTaskDetail
	actRecords = livempu.ActionListRtcMPUEventSubRecord
)

// failed and answered tell the requests answered with an error (or not at
// all: a cut connection, or a prefetch the client gave up) from those
// answered with data.
func failed(r livetest.Request) bool   { return r.Status != http.StatusOK }
func answered(r livetest.Request) bool { return r.Status == http.StatusOK }

// upTo20 drops the pages after 20 (the last full one), which a prefetching
// walk may or may not have asked for, and given up.
func upTo20(pages []int) []int { return slices.DeleteFunc(pages, func(p int) bool { return p > 20 }) }

// onPage is the condition of a fault keyed to one page of one action.
func onPage(action string, pageNo int) func(livetest.Request) bool {
	want := strconv.Itoa(pageNo)
	return func(r livetest.Request) bool { return r.Action == action && r.Params.Get("PageNo") == want }
}

// pagesOf returns the PageNo of each logged request for action that meets
// cond, in arrival order.
func pagesOf(srv *livetest.Server, action string, cond func(livetest.Request) bool) []int {
	var pages []int
	for _, r := range srv.Requests() {
		if r.Action == action && cond(r) {
			n, _ := strconv.Atoi(r.Params.Get("PageNo"))
			pages = append(pages, n)
		}
	}
	return pages
}

// TestInjectOnPageUnderPrefetch keys a fault to page 3 of a walk that
// fetches up to eight pages at once: whatever order the pages arrive in,
// exactly page 3 is faulted, once, and the retried walk is complete.
func TestInjectOnPageUnderPrefetch(t *testing.T) {
	t.Parallel()
	fast := livempu.WithRetryBackoff(time.Millisecond, 2*time.Millisecond)
	for _, tc := range []struct {
		name  string
		fault livetest.Fault
	}{
		{"fail", livetest.Fail(503, "ServiceUnavailable")},
		{"cut", livetest.Cut()},
		{"html", livetest.HTML(502)},
		{"throttled", livetest.Fail(400, "Throttling.User")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := livetest.NewServer(t, livetest.WithGenerated(200, 0, 1), livetest.WithQPS(actTasks, 1000))
			// Pages arrive out of order: the early ones are the slow ones.
			srv.SetLatency(actTasks, 2*time.Millisecond)
			srv.Inject(tc.fault, 1, onPage(actTasks, 3))
			c := srv.Client(fast)
			n := 0
			for _, err := range livempu.MPUTasks(ctx(t), c, &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10}, pager.WithPrefetch(8)) {
				if err != nil {
					t.Fatalf("after %d tasks: %v", n, err)
				}
				n++
			}
			if n != 200 {
				t.Errorf("walked %d tasks, want 200", n)
			}
			if got := upTo20(pagesOf(srv, actTasks, failed)); !slices.Equal(got, []int{3}) {
				t.Errorf("faulted pages %v, want [3]", got)
			}
			// Pages after 20 (the last full one) may or may not have been
			// prefetched; each of 1..20 was answered once.
			ok := upTo20(pagesOf(srv, actTasks, answered))
			slices.Sort(ok)
			if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}; !slices.Equal(ok, want) {
				t.Errorf("accepted pages %v, want each of 1..20 once", ok)
			}
		})
	}
}

// TestInjectEveryMatch keeps failing page 5 of a record walk (n < 0) with
// an error the client does not retry: the walk delivers pages 1 to 4, then
// a PageError for page 5, and no other page is faulted, however many the
// prefetch had in flight.
func TestInjectEveryMatch(t *testing.T) {
	t.Parallel()
	for i := range 5 {
		srv := livetest.NewServer(t, livetest.WithGenerated(0, 300, int64(i)))
		srv.SetLatency(actRecords, time.Millisecond)
		srv.Inject(livetest.Fail(400, "InvalidParam"), -1, onPage(actRecords, 5))
		c := srv.Client()
		n := 0
		var walkErr error
		for _, err := range livempu.EventSubRecords(ctx(t), c, recordsReq(srv, 10, 1), pager.WithPrefetch(6)) {
			if err != nil {
				walkErr = err
				break
			}
			n++
		}
		var pe *pager.PageError
		if !errors.As(walkErr, &pe) || pe.PageNo != 5 || !errors.Is(walkErr, livempu.ErrInvalidParam) || n != 40 {
			t.Fatalf("run %d: %d records, then %v; want 40 then page 5's InvalidParam", i, n, walkErr)
		}
		faulted := func(r livetest.Request) bool { return r.Code == "InvalidParam" }
		for _, p := range pagesOf(srv, actRecords, faulted) {
			if p != 5 {
				t.Fatalf("run %d: page %d faulted", i, p)
			}
		}
		// A fault without limit lasts: a second walk meets it again.
		if _, err := c.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 10, 5)); !errors.Is(err, livempu.ErrInvalidParam) {
			t.Fatalf("run %d: page 5 again: %v", i, err)
		}
		srv.ClearFaults()
		if _, err := c.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 10, 5)); err != nil {
			t.Fatalf("run %d: after ClearFaults: %v", i, err)
		}
	}
}

// TestInjectConditions covers the other conditions: any request (nil), a
// predicate over the signature version, n == 0, the order of two faults
// that match the same request, and a condition that calls the Server.
func TestInjectConditions(t *testing.T) {
	t.Parallel()
	noRetry := livempu.WithMaxRetries(0)
	tasksPage := func(c *livempu.Client) error {
		_, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 1, PageNo: 1})
		return err
	}
	code := func(err error) string {
		var apiErr *livempu.APIError
		if errors.As(err, &apiErr) {
			return apiErr.Code
		}
		if err != nil {
			return "other: " + err.Error()
		}
		return ""
	}

	t.Run("nil condition, two uses, any action", func(t *testing.T) {
		srv := livetest.NewServer(t)
		srv.Inject(livetest.Fail(500, ""), 2, nil)
		c := srv.Client(noRetry)
		_, recErr := c.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 1, 1))
		got := []string{code(tasksPage(c)), code(recErr), code(tasksPage(c))}
		if !slices.Equal(got, []string{"InternalError", "InternalError", ""}) {
			t.Errorf("codes %q", got)
		}
	})
	t.Run("signature version", func(t *testing.T) {
		srv := livetest.NewServer(t)
		srv.Inject(livetest.Fail(403, "Forbidden"), -1, func(r livetest.Request) bool { return r.SignatureVersion == signer.V1 })
		if got := code(tasksPage(srv.Client(noRetry, livempu.WithSignatureVersion(signer.V1)))); got != "Forbidden" {
			t.Errorf("V1: %q", got)
		}
		if got := code(tasksPage(srv.Client(noRetry, livempu.WithSignatureVersion(signer.V3)))); got != "" {
			t.Errorf("V3: %q", got)
		}
	})
	t.Run("zero Fault", func(t *testing.T) {
		srv := livetest.NewServer(t)
		srv.Inject(livetest.Fault{}, 1, nil)
		var apiErr *livempu.APIError
		if err := tasksPage(srv.Client(noRetry)); !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Code != "InternalError" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("n == 0 adds nothing", func(t *testing.T) {
		srv := livetest.NewServer(t)
		srv.Inject(livetest.Cut(), 0, nil)
		if err := tasksPage(srv.Client(noRetry)); err != nil {
			t.Error(err)
		}
	})
	t.Run("first added first", func(t *testing.T) {
		srv := livetest.NewServer(t)
		srv.Inject(livetest.Fail(400, "Throttling.User"), 1, onPage(actTasks, 1))
		srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 1, nil)
		c := srv.Client(noRetry)
		got := []string{code(tasksPage(c)), code(tasksPage(c)), code(tasksPage(c))}
		if !slices.Equal(got, []string{"Throttling.User", "ServiceUnavailable", ""}) {
			t.Errorf("codes %q", got)
		}
	})
	t.Run("condition calls the server", func(t *testing.T) {
		srv := livetest.NewServer(t)
		// Fault every request after the second one the server saw.
		srv.Inject(livetest.Break(), -1, func(livetest.Request) bool { return srv.Stats().Requests >= 2 })
		c := srv.Client(noRetry)
		errs := []error{tasksPage(c), tasksPage(c), tasksPage(c)}
		if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], livempu.ErrMalformedResponse) {
			t.Errorf("errors %v", errs)
		}
	})
}
