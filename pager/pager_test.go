package pager_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/internal/order"
	"github.com/livempu/livempu-go/pager"
)

var prefetches = []int{0, 4}

func TestWalkTable(t *testing.T) {
	for _, total := range []int{0, 1, 99, 100, 101, 537, 1000} {
		for _, size := range []int{1, 7, 100} {
			for _, st := range []style{hasMore, shortPage} {
				for _, pf := range prefetches {
					name := fmt.Sprintf("total=%d/size=%d/%v/prefetch=%d", total, size, st, pf)
					t.Run(name, func(t *testing.T) {
						testWalk(t, total, size, st, pf)
					})
				}
			}
		}
	}
}

func testWalk(t *testing.T, total, size int, st style, pf int) {
	leakcheck.Check(t)
	ctx := context.Background()
	checkCalls := func(f *fakeAPI) {
		t.Helper()
		got, exact := int(f.calls.Load()), f.sequentialCalls()
		if pf == 0 && got != exact {
			t.Errorf("fetches = %d, want %d", got, exact)
		}
		if pf > 0 && (got < exact || got > exact+pf) {
			t.Errorf("fetches = %d, want %d..%d", got, exact, exact+pf)
		}
		if n := f.inflight.Load(); n != 0 {
			t.Errorf("%d fetches still running after the loop", n)
		}
	}

	// Items: every item exactly once, in order.
	f := &fakeAPI{total: total, size: size, style: st}
	want := 0
	for it, err := range pager.Items(ctx, f.fetch, pageItems, pager.WithPrefetch(pf)) {
		if err != nil {
			t.Fatalf("unexpected error after %d items: %v", want, err)
		}
		if it != want {
			t.Fatalf("item %d: got %d", want, it)
		}
		want++
	}
	if want != total {
		t.Errorf("got %d items, want %d", want, total)
	}
	checkCalls(f)

	// Pages: every page once, in order; only a first page may be empty.
	f = &fakeAPI{total: total, size: size, style: st}
	next, pages := 0, 0
	for p, err := range pager.Pages(ctx, f.fetch, pageCount, pager.WithPrefetch(pf)) {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		pages++
		if p.PageNo != pages {
			t.Fatalf("page %d has PageNo %d", pages, p.PageNo)
		}
		if len(p.Items) == 0 && pages != 1 {
			t.Fatalf("empty page %d yielded", pages)
		}
		for _, it := range p.Items {
			if it != next {
				t.Fatalf("got item %d, want %d", it, next)
			}
			next++
		}
	}
	if next != total || pages != f.yieldedPages() {
		t.Errorf("got %d items in %d pages, want %d in %d", next, pages, total, f.yieldedPages())
	}
	checkCalls(f)
}

func TestEmptyFirstPageYielded(t *testing.T) {
	for _, pf := range prefetches {
		f := &fakeAPI{total: 0, size: 10}
		var got []page
		for p, err := range pager.Pages(context.Background(), f.fetch, pageCount, pager.WithPrefetch(pf)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p)
		}
		if len(got) != 1 || got[0].RequestID != "req-1" {
			t.Errorf("prefetch=%d: got %+v, want the one empty page", pf, got)
		}
	}
}

// A server that forgets to clear HasMore must not make the walk loop forever.
func TestEmptyPageEndsWalkDespiteMore(t *testing.T) {
	fetch := func(_ context.Context, pageNo int) (page, bool, error) {
		if pageNo > 3 {
			return page{PageNo: pageNo}, true, nil
		}
		return page{PageNo: pageNo, Items: []int{pageNo}}, true, nil
	}
	for _, pf := range prefetches {
		var got []int
		for it, err := range pager.Items(context.Background(), fetch, pageItems, pager.WithPrefetch(pf)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, it)
		}
		if !slices.Equal(got, []int{1, 2, 3}) {
			t.Errorf("prefetch=%d: got %v", pf, got)
		}
	}
}

func TestBreak(t *testing.T) {
	for _, pf := range []int{0, 1, 4} {
		for _, k := range []int{1, 10, 11, 25} {
			t.Run(fmt.Sprintf("prefetch=%d/k=%d", pf, k), func(t *testing.T) {
				leakcheck.Check(t)
				f := &fakeAPI{total: 1000, size: 10, delay: time.Millisecond}
				n := 0
				for _, err := range pager.Items(context.Background(), f.fetch, pageItems, pager.WithPrefetch(pf)) {
					if err != nil {
						t.Fatal(err)
					}
					n++
					if n == k {
						break
					}
				}
				// Every fetch has returned by the time the range statement does.
				if r := f.inflight.Load(); r != 0 {
					t.Fatalf("%d fetches running after the loop returned", r)
				}
				calls := f.calls.Load()
				needed := int64(ceilDiv(k, 10))
				if pf == 0 && calls != needed {
					t.Errorf("fetches = %d, want %d", calls, needed)
				}
				if calls < needed || calls > needed+int64(pf) {
					t.Errorf("fetches = %d, want %d..%d", calls, needed, needed+int64(pf))
				}
				time.Sleep(20 * time.Millisecond)
				if c := f.calls.Load(); c != calls {
					t.Errorf("%d fetches started after the loop returned", c-calls)
				}
			})
		}
	}
}

func TestBreakPages(t *testing.T) {
	for _, pf := range prefetches {
		leakcheck.Check(t)
		f := &fakeAPI{total: 1000, size: 10, delay: time.Millisecond}
		for p, err := range pager.Pages(context.Background(), f.fetch, pageCount, pager.WithPrefetch(pf)) {
			if err != nil {
				t.Fatal(err)
			}
			if p.PageNo == 2 {
				break
			}
		}
		if r := f.inflight.Load(); r != 0 {
			t.Fatalf("prefetch=%d: %d fetches running after the loop returned", pf, r)
		}
		if c := f.calls.Load(); c < 2 || c > int64(2+pf) {
			t.Errorf("prefetch=%d: fetches = %d", pf, c)
		}
	}
}

// collect ranges over seq and returns the items before the first error, the
// errors, and whether yield was called again after an error.
func collect[T any](seq iter.Seq2[T, error]) (items []T, errs []error) {
	for it, err := range seq {
		if err != nil {
			errs = append(errs, err)
			if !reflect.ValueOf(&it).Elem().IsZero() {
				panic("error yielded with a non-zero item")
			}
			continue // must not be called again
		}
		if len(errs) > 0 {
			panic("item yielded after an error")
		}
		items = append(items, it)
	}
	return items, errs
}

func checkPageError(t *testing.T, errs []error, pageNo int, cause error) {
	t.Helper()
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want 1: %v", len(errs), errs)
	}
	err := errs[0]
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, %v) = false", err, cause)
	}
	var pe *pager.PageError
	if !errors.As(err, &pe) || pe.PageNo != pageNo {
		t.Errorf("error %v: want a *PageError for page %d", err, pageNo)
	}
	if want := fmt.Sprintf("page %d: ", pageNo); len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Errorf("error %q does not start with %q", err, want)
	}
}

func TestErrorOnPage(t *testing.T) {
	for _, pf := range []int{0, 1, 4, 8} {
		t.Run(fmt.Sprintf("prefetch=%d", pf), func(t *testing.T) {
			leakcheck.Check(t)
			f := &fakeAPI{total: 100, size: 10, fail: map[int]error{3: errBoom}}
			items, errs := collect(pager.Items(context.Background(), f.fetch, pageItems, pager.WithPrefetch(pf)))
			if !slices.Equal(items, seq(0, 20)) {
				t.Errorf("items before the error: got %v", items)
			}
			checkPageError(t, errs, 3, errBoom)
			if f.inflight.Load() != 0 {
				t.Error("fetches running after the loop returned")
			}

			f.calls.Store(0)
			pages, errs := collect(pager.Pages(context.Background(), f.fetch, pageCount, pager.WithPrefetch(pf)))
			if len(pages) != 2 {
				t.Errorf("got %d pages before the error, want 2", len(pages))
			}
			checkPageError(t, errs, 3, errBoom)
		})
	}
}

// With prefetch, a later page may fail before an earlier one does; the
// error yielded is still that of the first failing page, after the items of
// the pages before it.
func TestErrorOrderWithPrefetch(t *testing.T) {
	leakcheck.Check(t)
	errLate := errors.New("late")
	f := &fakeAPI{total: 100, size: 10,
		fail:      map[int]error{3: errLate, 5: errBoom},
		failDelay: map[int]time.Duration{3: 30 * time.Millisecond},
	}
	items, errs := collect(pager.Items(context.Background(), f.fetch, pageItems, pager.WithPrefetch(4)))
	if !slices.Equal(items, seq(0, 20)) {
		t.Errorf("items: got %v", items)
	}
	checkPageError(t, errs, 3, errLate)
}

// Pages fetched speculatively beyond the last page are discarded with
// their errors.
func TestSpeculativeErrorsIgnored(t *testing.T) {
	leakcheck.Check(t)
	f := &fakeAPI{total: 30, size: 10, fail: map[int]error{4: errBoom, 5: errBoom, 6: errBoom}}
	items, errs := collect(pager.Items(context.Background(), f.fetch, pageItems, pager.WithPrefetch(4)))
	if len(errs) != 0 || !slices.Equal(items, seq(0, 30)) {
		t.Errorf("got %d items and errors %v", len(items), errs)
	}
	// Pages 1-5 are requested at once; 4 and 5 fail after the end.
	if m := f.maxPage.Load(); m < 5 {
		t.Errorf("max page requested %d; the test needs speculative fetches", m)
	}
}

// A panic in a prefetching fetch surfaces on the ranging goroutine, as it
// would without prefetch, after every goroutine has stopped.
func TestPrefetchPanic(t *testing.T) {
	leakcheck.Check(t)
	fetch := func(ctx context.Context, pageNo int) (page, bool, error) {
		if pageNo == 2 {
			panic("kaboom")
		}
		return page{Items: []int{pageNo}}, true, nil
	}
	defer func() {
		if v := recover(); v != "kaboom" {
			t.Errorf("recovered %v, want kaboom", v)
		}
	}()
	for range pager.Items(context.Background(), fetch, pageItems, pager.WithPrefetch(3)) {
	}
	t.Error("no panic")
}

func TestLazyAndReRangeable(t *testing.T) {
	for _, pf := range prefetches {
		f := &fakeAPI{total: 25, size: 10}
		items := pager.Items(context.Background(), f.fetch, pageItems, pager.WithPrefetch(pf))
		pages := pager.Pages(context.Background(), f.fetch, pageCount, pager.WithPrefetch(pf))
		time.Sleep(5 * time.Millisecond)
		if c := f.calls.Load(); c != 0 {
			t.Fatalf("prefetch=%d: %d fetches before ranging", pf, c)
		}
		first, _ := collect(items)
		second, _ := collect(items)
		if !slices.Equal(first, seq(0, 25)) || !slices.Equal(first, second) {
			t.Errorf("prefetch=%d: ranges differ: %v / %v", pf, first, second)
		}
		p1, _ := collect(pages)
		p2, _ := collect(pages)
		if len(p1) != 3 || len(p2) != 3 || p2[0].PageNo != 1 {
			t.Errorf("prefetch=%d: page ranges differ: %d / %d pages", pf, len(p1), len(p2))
		}

		// A range broken off early does not affect the next one.
		for range items {
			break
		}
		third, _ := collect(items)
		if !slices.Equal(third, first) {
			t.Errorf("prefetch=%d: range after a break: %v", pf, third)
		}
	}
}

func TestConcurrentRanges(t *testing.T) {
	f := &fakeAPI{total: 250, size: 10}
	items := pager.Items(context.Background(), f.fetch, pageItems, pager.WithPrefetch(2))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, errs := collect(items)
			if len(errs) != 0 || !slices.Equal(got, seq(0, 250)) {
				t.Errorf("concurrent range: %d items, errors %v", len(got), errs)
			}
		}()
	}
	wg.Wait()
}

func TestFirstPage(t *testing.T) {
	for _, pf := range prefetches {
		f := &fakeAPI{total: 100, size: 10}
		items, _ := collect(pager.Items(context.Background(), f.fetch, pageItems,
			pager.WithFirstPage(8), pager.WithPrefetch(pf)))
		if !slices.Equal(items, seq(70, 100)) {
			t.Errorf("prefetch=%d: got %v", pf, items)
		}
		f.mu.Lock()
		if m := slices.Min(f.pages); m != 8 {
			t.Errorf("prefetch=%d: lowest page fetched was %d", pf, m)
		}
		f.mu.Unlock()

		// A resumed walk that starts past the end yields its empty first page.
		pages, _ := collect(pager.Pages(context.Background(), f.fetch, pageCount,
			pager.WithFirstPage(11), pager.WithPrefetch(pf)))
		if len(pages) != 1 || pages[0].PageNo != 11 || len(pages[0].Items) != 0 {
			t.Errorf("prefetch=%d: resume past the end: %+v", pf, pages)
		}
	}
}

// Resuming from a PageError continues exactly where the walk failed.
func TestResumeAfterError(t *testing.T) {
	f := &fakeAPI{total: 100, size: 10, fail: map[int]error{4: errBoom}}
	items, errs := collect(pager.Items(context.Background(), f.fetch, pageItems))
	var pe *pager.PageError
	if len(errs) != 1 || !errors.As(errs[0], &pe) {
		t.Fatalf("errors: %v", errs)
	}
	delete(f.fail, 4)
	rest, errs := collect(pager.Items(context.Background(), f.fetch, pageItems, pager.WithFirstPage(pe.PageNo)))
	if len(errs) != 0 || !slices.Equal(append(items, rest...), seq(0, 100)) {
		t.Errorf("resumed walk: %v then %v, errors %v", items, rest, errs)
	}
}

func TestMaxItems(t *testing.T) {
	for _, pf := range prefetches {
		for _, tc := range []struct{ max, wantItems, wantCalls int }{
			{25, 25, 3}, {20, 20, 2}, {1, 1, 1}, {1000, 100, 10}, {0, 100, 10}, {-1, 100, 10},
		} {
			f := &fakeAPI{total: 100, size: 10}
			items, errs := collect(pager.Items(context.Background(), f.fetch, pageItems,
				pager.WithMaxItems(tc.max), pager.WithPrefetch(pf)))
			if len(errs) != 0 || !slices.Equal(items, seq(0, tc.wantItems)) {
				t.Errorf("prefetch=%d max=%d: got %d items, errors %v", pf, tc.max, len(items), errs)
			}
			if c := int(f.calls.Load()); (pf == 0 && c != tc.wantCalls) || c < tc.wantCalls || c > tc.wantCalls+pf {
				t.Errorf("prefetch=%d max=%d: %d fetches, want %d (+%d)", pf, tc.max, c, tc.wantCalls, pf)
			}
		}
		// Pages cannot split a page: it stops after the page reaching the limit.
		f := &fakeAPI{total: 100, size: 10}
		pages, _ := collect(pager.Pages(context.Background(), f.fetch, pageCount,
			pager.WithMaxItems(25), pager.WithPrefetch(pf)))
		if len(pages) != 3 {
			t.Errorf("prefetch=%d: Pages with MaxItems(25) yielded %d pages, want 3", pf, len(pages))
		}
	}
}

func TestMaxPages(t *testing.T) {
	for _, pf := range []int{0, 1, 4, 8} {
		f := &fakeAPI{total: 100, size: 10}
		items, errs := collect(pager.Items(context.Background(), f.fetch, pageItems,
			pager.WithMaxPages(2), pager.WithPrefetch(pf)))
		if len(errs) != 0 || !slices.Equal(items, seq(0, 20)) {
			t.Errorf("prefetch=%d: got %v, errors %v", pf, items, errs)
		}
		// No page beyond the limit is ever requested, even speculatively.
		if c, m := f.calls.Load(), f.maxPage.Load(); c != 2 || m != 2 {
			t.Errorf("prefetch=%d: %d fetches up to page %d, want 2 up to 2", pf, c, m)
		}

		// A server that never ends is cut off.
		endless := func(_ context.Context, pageNo int) (page, bool, error) {
			return page{PageNo: pageNo, Items: []int{pageNo}}, true, nil
		}
		pages, _ := collect(pager.Pages(context.Background(), endless, pageCount,
			pager.WithMaxPages(50), pager.WithFirstPage(3), pager.WithPrefetch(pf)))
		if len(pages) != 50 || pages[49].PageNo != 52 {
			t.Errorf("prefetch=%d: endless server: %d pages", pf, len(pages))
		}
	}
}

func TestOnPage(t *testing.T) {
	for _, pf := range prefetches {
		f := &fakeAPI{total: 25, size: 10}
		var events []string
		onPage := pager.WithOnPage(func(pi pager.PageInfo) {
			events = append(events, fmt.Sprintf("page %d: %d items, %d pages/%d items so far",
				pi.PageNo, pi.Items, pi.PagesSoFar, pi.ItemsSoFar))
		})
		for it, err := range pager.Items(context.Background(), f.fetch, pageItems, onPage, pager.WithPrefetch(pf)) {
			if err != nil {
				t.Fatal(err)
			}
			if it%10 == 9 || it == 24 {
				events = append(events, fmt.Sprintf("item %d", it))
			}
		}
		want := []string{
			"item 9", "page 1: 10 items, 1 pages/10 items so far",
			"item 19", "page 2: 10 items, 2 pages/20 items so far",
			"item 24", "page 3: 5 items, 3 pages/25 items so far",
		}
		if !slices.Equal(events, want) {
			t.Errorf("prefetch=%d: Items events:\n%q\nwant\n%q", pf, events, want)
		}

		// A page the loop breaks out of is not reported; a truncated one is.
		events = nil
		for p, err := range pager.Pages(context.Background(), f.fetch, pageCount, onPage, pager.WithPrefetch(pf)) {
			if err != nil {
				t.Fatal(err)
			}
			if p.PageNo == 2 {
				break
			}
		}
		if want := []string{"page 1: 10 items, 1 pages/10 items so far"}; !slices.Equal(events, want) {
			t.Errorf("prefetch=%d: Pages events with break: %q", pf, events)
		}
		events = nil
		collect(pager.Items(context.Background(), f.fetch, pageItems, onPage, pager.WithMaxItems(13), pager.WithPrefetch(pf)))
		if want := []string{"page 1: 10 items, 1 pages/10 items so far", "page 2: 3 items, 2 pages/13 items so far"}; !slices.Equal(events, want) {
			t.Errorf("prefetch=%d: Items events with MaxItems: %q", pf, events)
		}
	}
}

func TestContextCancelMidWalk(t *testing.T) {
	for _, pf := range []int{0, 1, 4} {
		t.Run(fmt.Sprintf("prefetch=%d", pf), func(t *testing.T) {
			leakcheck.Check(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := &fakeAPI{total: 1000, size: 10, delay: time.Millisecond}
			var items []int
			var errs []error
			for it, err := range pager.Items(ctx, f.fetch, pageItems, pager.WithPrefetch(pf)) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				items = append(items, it)
				if it == 14 {
					cancel()
				}
			}
			// The page in hand is finished; the next one is not delivered.
			if !slices.Equal(items, seq(0, 20)) {
				t.Errorf("items: got %v", items)
			}
			checkPageError(t, errs, 3, context.Canceled)
			if f.inflight.Load() != 0 {
				t.Error("fetches running after the loop returned")
			}
		})
	}
}

// Cancellation while waiting for a slow page ends the walk promptly.
func TestContextCancelDuringFetch(t *testing.T) {
	for _, pf := range prefetches {
		leakcheck.Check(t)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		f := &fakeAPI{total: 1000, size: 10, delay: 10 * time.Second}
		start := time.Now()
		_, errs := collect(pager.Items(ctx, f.fetch, pageItems, pager.WithPrefetch(pf)))
		cancel()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("prefetch=%d: walk took %v after its deadline", pf, d)
		}
		checkPageError(t, errs, 1, context.DeadlineExceeded)
	}
}

func TestContextAlreadyDone(t *testing.T) {
	for _, pf := range prefetches {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		f := &fakeAPI{total: 100, size: 10}
		_, errs := collect(pager.Pages(ctx, f.fetch, pageCount, pager.WithPrefetch(pf)))
		checkPageError(t, errs, 1, context.Canceled)
		if c := f.calls.Load(); c != 0 {
			t.Errorf("prefetch=%d: %d fetches with a done context", pf, c)
		}
	}
}

func TestNilFunctionsPanic(t *testing.T) {
	f := &fakeAPI{}
	for name, fn := range map[string]func(){
		"Pages fetch":        func() { pager.Pages[page](context.Background(), nil, pageCount) },
		"Pages count":        func() { pager.Pages(context.Background(), f.fetch, nil) },
		"Items items":        func() { pager.Items[page, int](context.Background(), f.fetch, nil) },
		"NewPaginator fetch": func() { pager.NewPaginator[page](nil, pageCount) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

func seq(lo, hi int) []int {
	s := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

// Breaking out of the loop cancels the fetches in flight, rather than
// waiting for them to finish.
func TestBreakCancelsInFlight(t *testing.T) {
	leakcheck.Check(t)
	var cancelled atomic.Int64
	fetch := func(ctx context.Context, pageNo int) (page, bool, error) {
		if pageNo > 1 {
			select {
			case <-ctx.Done():
				cancelled.Add(1)
				return page{}, false, ctx.Err()
			case <-time.After(10 * time.Second):
			}
		}
		return page{PageNo: pageNo, Items: []int{pageNo}}, true, nil
	}
	start := time.Now()
	for range pager.Items(context.Background(), fetch, pageItems, pager.WithPrefetch(4)) {
		break
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("break took %v: in-flight fetches were not cancelled", d)
	}
	if c := cancelled.Load(); c != 4 {
		t.Errorf("%d fetches saw their context cancelled, want 4 (pages 2-5)", c)
	}
}

func TestNilContextIsAnErrorNotAPanic(t *testing.T) {
	fetch := func(ctx context.Context, pageNo int) ([]int, bool, error) { return []int{1}, false, nil }
	items := func(p []int) []int { return p }
	//lint:ignore SA1012 the point is a nil context
	for _, err := range pager.Items(nil, fetch, items) {
		if !errors.Is(err, pager.ErrNilContext) {
			t.Errorf("Items: %v", err)
		}
	}
	p := pager.NewPaginator(fetch, func(p []int) int { return len(p) })
	//lint:ignore SA1012 the point is a nil context
	if _, err := p.NextPage(nil); !errors.Is(err, pager.ErrNilContext) {
		t.Errorf("NextPage: %v", err)
	}
}

func TestMaxPagesReachedIsNotAnErrorWhenTheContextEnds(t *testing.T) {
	for _, pf := range prefetches {
		ctx, cancel := context.WithCancel(context.Background())
		f := &fakeAPI{total: 1000, size: 10}
		pages := 0
		var errs []error
		for _, err := range pager.Pages(ctx, f.fetch, pageCount, pager.WithMaxPages(3), pager.WithPrefetch(pf)) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if pages++; pages == 3 {
				cancel() // while the last allowed page is handled
			}
		}
		cancel()
		if pages != 3 || len(errs) != 0 {
			t.Errorf("prefetch=%d: %d pages, errors %v", pf, pages, errs)
		}
	}
}

// TestPrefetchTakesTurnsInPageOrder checks the tickets a prefetching walk
// gives its fetches: fetches that wait for their turn (as the client does
// before its rate limiter) pass in page order, though their goroutines start
// together and later pages are made to arrive first; a fetch that never waits
// does not hold up the others; a sequential walk gives no ticket; and a
// second walk of the same iterator starts its own queue.
func TestPrefetchTakesTurnsInPageOrder(t *testing.T) {
	defer leakcheck.Check(t)
	defer order.SetArrivalWait(order.SetArrivalWait(time.Minute)) // strict order even if the scheduler lags
	const pages = 30
	var mu sync.Mutex
	var passed []int
	fetch := func(ctx context.Context, pageNo int) ([]int, bool, error) {
		if _, ok := order.Page(ctx); !ok {
			return nil, false, errors.New("no ticket in a prefetching walk")
		}
		if pageNo%7 == 0 {
			return []int{pageNo}, pageNo < pages, nil // never waits: ends its turn on return
		}
		time.Sleep(time.Duration(pages-pageNo%8) * 100 * time.Microsecond) // later pages first
		if err := order.Wait(ctx); err != nil {
			return nil, false, err
		}
		mu.Lock()
		passed = append(passed, pageNo)
		mu.Unlock()
		order.Done(ctx)
		return []int{pageNo}, pageNo < pages, nil
	}
	var want []int
	for p := 1; p <= pages; p++ {
		if p%7 != 0 {
			want = append(want, p)
		}
	}
	seq := pager.Pages(context.Background(), fetch, func(p []int) int { return len(p) }, pager.WithPrefetch(6))
	for range 2 {
		passed = nil
		for _, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
		}
		// Pages past the last may be fetched speculatively; they queue
		// behind it like any other.
		if !slices.IsSorted(passed) || len(passed) < len(want) || !slices.Equal(passed[:len(want)], want) {
			t.Fatalf("turns taken in order %v, want %v first", passed, want)
		}
	}
	sequential := func(ctx context.Context, pageNo int) ([]int, bool, error) {
		if _, ok := order.Page(ctx); ok {
			return nil, false, errors.New("a sequential walk gave a ticket")
		}
		return []int{pageNo}, pageNo < 3, nil
	}
	for _, err := range pager.Pages(context.Background(), sequential, func(p []int) int { return len(p) }) {
		if err != nil {
			t.Fatal(err)
		}
	}
}
