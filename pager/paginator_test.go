package pager_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/livempu/livempu-go/pager"
)

// drain runs the canonical paginator loop.
func drain(t *testing.T, p *pager.Paginator[page]) (pages []page) {
	t.Helper()
	for p.HasMorePages() {
		pg, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("NextPage: %v", err)
		}
		pages = append(pages, pg)
	}
	return pages
}

func TestPaginator(t *testing.T) {
	for _, st := range []style{hasMore, shortPage} {
		f := &fakeAPI{total: 30, size: 10, style: st}
		p := pager.NewPaginator(f.fetch, pageCount)
		if !p.HasMorePages() || p.NextPageNo() != 1 || f.calls.Load() != 0 {
			t.Fatalf("%v: fresh paginator: more=%v next=%d calls=%d", st, p.HasMorePages(), p.NextPageNo(), f.calls.Load())
		}
		pages := drain(t, p)
		// The short-page style sees the trailing empty page: the paginator
		// returns every page it fetched.
		want := map[style]int{hasMore: 3, shortPage: 4}[st]
		if len(pages) != want || int(f.calls.Load()) != want {
			t.Errorf("%v: %d pages in %d fetches, want %d", st, len(pages), f.calls.Load(), want)
		}
		if _, err := p.NextPage(context.Background()); !errors.Is(err, pager.ErrNoMorePages) {
			t.Errorf("%v: NextPage after the end: %v", st, err)
		}
		if int(f.calls.Load()) != want {
			t.Errorf("%v: NextPage after the end fetched", st)
		}
		if p.NextPageNo() != want+1 {
			t.Errorf("%v: NextPageNo after the end = %d", st, p.NextPageNo())
		}
	}
}

func TestPaginatorEmptyFirstPage(t *testing.T) {
	f := &fakeAPI{total: 0, size: 10}
	pages := drain(t, pager.NewPaginator(f.fetch, pageCount))
	if len(pages) != 1 || pages[0].RequestID != "req-1" {
		t.Errorf("got %+v", pages)
	}
}

func TestPaginatorEmptyPageDespiteMore(t *testing.T) {
	fetch := func(_ context.Context, pageNo int) (page, bool, error) {
		if pageNo > 2 {
			return page{PageNo: pageNo}, true, nil
		}
		return page{PageNo: pageNo, Items: []int{pageNo}}, true, nil
	}
	if pages := drain(t, pager.NewPaginator(fetch, pageCount)); len(pages) != 3 {
		t.Errorf("got %d pages, want 3", len(pages))
	}
}

// A failed page is not skipped: NextPage retries it.
func TestPaginatorRetry(t *testing.T) {
	f := &fakeAPI{total: 30, size: 10, fail: map[int]error{2: errBoom}}
	p := pager.NewPaginator(f.fetch, pageCount)
	if _, err := p.NextPage(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := p.NextPage(context.Background())
	checkPageError(t, []error{err}, 2, errBoom)
	if !p.HasMorePages() || p.NextPageNo() != 2 {
		t.Fatalf("after an error: more=%v next=%d", p.HasMorePages(), p.NextPageNo())
	}
	delete(f.fail, 2)
	rest := drain(t, p)
	if len(rest) != 2 || rest[0].PageNo != 2 {
		t.Errorf("after retry: %+v", rest)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p = pager.NewPaginator(f.fetch, pageCount)
	calls := f.calls.Load()
	_, err = p.NextPage(ctx)
	checkPageError(t, []error{err}, 1, context.Canceled)
	if f.calls.Load() != calls {
		t.Error("fetched with a done context")
	}
}

func TestPaginatorOptions(t *testing.T) {
	f := &fakeAPI{total: 100, size: 10}
	var infos []pager.PageInfo
	p := pager.NewPaginator(f.fetch, pageCount,
		pager.WithFirstPage(3), pager.WithMaxPages(4), pager.WithPrefetch(8),
		pager.WithOnPage(func(pi pager.PageInfo) { infos = append(infos, pi) }))
	pages := drain(t, p)
	if len(pages) != 4 || pages[0].PageNo != 3 || pages[3].PageNo != 6 || f.calls.Load() != 4 {
		t.Errorf("MaxPages(4) from page 3: %d pages in %d fetches", len(pages), f.calls.Load())
	}
	want := []pager.PageInfo{{3, 10, 1, 10}, {4, 10, 2, 20}, {5, 10, 3, 30}, {6, 10, 4, 40}}
	if !slices.Equal(infos, want) {
		t.Errorf("OnPage: %+v", infos)
	}

	f = &fakeAPI{total: 100, size: 10}
	pages = drain(t, pager.NewPaginator(f.fetch, pageCount, pager.WithMaxItems(25)))
	if len(pages) != 3 {
		t.Errorf("MaxItems(25): %d pages, want 3", len(pages))
	}
}
