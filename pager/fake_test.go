package pager_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// style is how a fake API signals the end of its pages.
type style int

const (
	// hasMore: every page carries a HasMore flag.
	hasMore style = iota
	// shortPage: no flag and no total; the caller ends on a short page, so a
	// total that is a multiple of the page size costs one extra, empty page.
	shortPage
)

func (s style) String() string { return [...]string{"hasMore", "shortPage"}[s] }

// page is a response of the fake API.
type page struct {
	RequestID string
	PageNo    int
	Items     []int
	HasMore   bool // only meaningful for the hasMore style
}

func pageItems(p page) []int { return p.Items }
func pageCount(p page) int   { return len(p.Items) }

var errBoom = errors.New("boom")

// fakeAPI serves items 0..total-1 in pages of size, counting its calls.
type fakeAPI struct {
	total, size int
	style       style
	delay       time.Duration         // per fetch; honours ctx
	fail        map[int]error         // page number -> error to return
	failDelay   map[int]time.Duration // extra delay before a failure

	calls    atomic.Int64 // fetches started
	inflight atomic.Int64 // fetches running now
	maxPage  atomic.Int64 // highest page requested

	mu    sync.Mutex
	pages []int // page numbers requested, in call order
}

func (f *fakeAPI) fetch(ctx context.Context, pageNo int) (page, bool, error) {
	f.calls.Add(1)
	f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		m := f.maxPage.Load()
		if int64(pageNo) <= m || f.maxPage.CompareAndSwap(m, int64(pageNo)) {
			break
		}
	}
	f.mu.Lock()
	f.pages = append(f.pages, pageNo)
	f.mu.Unlock()

	d := f.delay
	if err := f.fail[pageNo]; err != nil {
		d += f.failDelay[pageNo]
	}
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return page{}, false, fmt.Errorf("fake: %w", ctx.Err())
		}
	}
	if err := f.fail[pageNo]; err != nil {
		return page{}, false, fmt.Errorf("fake: %w", err)
	}
	lo := min((pageNo-1)*f.size, f.total)
	hi := min(lo+f.size, f.total)
	p := page{RequestID: fmt.Sprintf("req-%d", pageNo), PageNo: pageNo, HasMore: hi < f.total}
	for i := lo; i < hi; i++ {
		p.Items = append(p.Items, i)
	}
	if f.style == shortPage {
		return p, len(p.Items) == f.size, nil
	}
	return p, p.HasMore, nil
}

// sequentialCalls is the exact number of fetches a sequential walk of the
// whole fake makes.
func (f *fakeAPI) sequentialCalls() int {
	if f.style == shortPage {
		return f.total/f.size + 1
	}
	return max(1, ceilDiv(f.total, f.size))
}

// yieldedPages is the number of pages Pages yields for the whole fake.
func (f *fakeAPI) yieldedPages() int { return max(1, ceilDiv(f.total, f.size)) }

func ceilDiv(a, b int) int { return (a + b - 1) / b }
