package pager_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/pager"
)

// scripted is an API whose page n holds the keys script[n-1], and the last
// page of the script again for every page after it, always reporting that
// more pages follow unless end says where the list ends.
type scripted struct {
	script [][]int
	end    int // last page, or 0 for none
	calls  atomic.Int64
}

func (s *scripted) fetch(_ context.Context, pageNo int) (page, bool, error) {
	s.calls.Add(1)
	items := s.script[min(pageNo, len(s.script))-1]
	return page{PageNo: pageNo, Items: items}, s.end == 0 || pageNo < s.end, nil
}

// keyed tells the walk the keys of a page: its items.
var keyed = pager.WithItemKeys(func(p page) []int { return p.Items })

// walkKinds are the walks that take WithItemKeys, each returning the page
// numbers it delivered and its error.
var walkKinds = []struct {
	name string
	walk func(s *scripted, opts ...pager.Option) ([]int, error)
}{
	{"Pages", func(s *scripted, opts ...pager.Option) ([]int, error) {
		var got []int
		for p, err := range pager.Pages(context.Background(), s.fetch, pageCount, append(opts, keyed)...) {
			if err != nil {
				return got, err
			}
			got = append(got, p.PageNo)
		}
		return got, nil
	}},
	{"Items", func(s *scripted, opts ...pager.Option) ([]int, error) {
		var got []int
		opts = append(opts, keyed, pager.WithOnPage(func(pi pager.PageInfo) { got = append(got, pi.PageNo) }))
		for _, err := range pager.Items(context.Background(), s.fetch, pageItems, opts...) {
			if err != nil {
				return got, err
			}
		}
		return got, nil
	}},
	{"Paginator", func(s *scripted, opts ...pager.Option) ([]int, error) {
		var got []int
		p := pager.NewPaginator(s.fetch, pageCount, append(opts, keyed)...)
		for p.HasMorePages() {
			pg, err := p.NextPage(context.Background())
			if err != nil {
				if p.HasMorePages() {
					return got, fmt.Errorf("HasMorePages after %w", err)
				}
				return got, err
			}
			got = append(got, pg.PageNo)
		}
		return got, nil
	}},
}

// pages returns the page numbers from..to.
func pages(from, to int) []int {
	var p []int
	for i := from; i <= to; i++ {
		p = append(p, i)
	}
	return p
}

// TestStall checks, for each kind of walk, when pages that bring nothing
// new end it: the page named by the error, the pages delivered before, and
// the exact number of fetches, with and without prefetch.
func TestStall(t *testing.T) {
	distinct := func(n int) [][]int { // n pages of 2 distinct keys each
		var s [][]int
		for i := range n {
			s = append(s, []int{2 * i, 2*i + 1})
		}
		return s
	}
	cases := []struct {
		name      string
		script    [][]int
		end       int
		stalledAt int // 0: the walk ends without error
		delivered []int
	}{
		{"same page forever", [][]int{{1, 2}}, 0, 4, pages(1, 3)},
		{"second page repeats the first forever", [][]int{{1, 2}, {3, 4}, {1, 2}}, 0, 5, pages(1, 4)},
		{"one new item resets the count", [][]int{{1, 2}, {1, 2}, {2, 1}, {2, 3}, {3, 2}, {2, 3}, {4}}, 7, 0, pages(1, 7)},
		{"two stale pages before the end are fine", [][]int{{1, 2}, {1, 2}, {2, 1}}, 3, 0, pages(1, 3)},
		{"a key off the last 10 pages is new again", append(distinct(11), []int{0, 1}), 0, 15, pages(1, 14)},
	}
	for _, tc := range cases {
		for _, k := range walkKinds {
			for _, pf := range prefetches {
				t.Run(fmt.Sprintf("%s/%s/prefetch=%d", tc.name, k.name, pf), func(t *testing.T) {
					leakcheck.Check(t)
					s := &scripted{script: tc.script, end: tc.end}
					got, err := k.walk(s, pager.WithPrefetch(pf))
					if fmt.Sprint(got) != fmt.Sprint(tc.delivered) {
						t.Errorf("delivered pages %v, want %v", got, tc.delivered)
					}
					calls, want := int(s.calls.Load()), max(tc.stalledAt, tc.end)
					if k.name != "Paginator" && tc.stalledAt > 0 {
						want += pf // started, then cancelled: deterministic
					}
					if tc.stalledAt == 0 {
						if err != nil {
							t.Fatalf("walk ended with %v", err)
						}
						if calls < want || calls > want+pf {
							t.Errorf("%d fetches, want %d..%d", calls, want, want+pf)
						}
						return
					}
					var pe *pager.PageError
					if !errors.Is(err, pager.ErrStalled) || !errors.As(err, &pe) || pe.PageNo != tc.stalledAt {
						t.Fatalf("walk ended with %v, want ErrStalled for page %d", err, tc.stalledAt)
					}
					if wantMsg := fmt.Sprintf("page %d: pager: walk stalled: pages %d to %d", tc.stalledAt, tc.stalledAt-pager.StallLimit+1, tc.stalledAt); !strings.HasPrefix(err.Error(), wantMsg) {
						t.Errorf("error %q, want it to start with %q", err, wantMsg)
					}
					if calls != want {
						t.Errorf("%d fetches, want %d", calls, want)
					}
				})
			}
		}
	}
}

// TestUniqueItemsStallsOnKeysSeenAnywhere checks that UniqueItems, which
// remembers every key it yielded, stops on pages repeating keys seen more
// than 10 pages ago, without WithItemKeys.
func TestUniqueItemsStallsOnKeysSeenAnywhere(t *testing.T) {
	var script [][]int
	for i := range 12 {
		script = append(script, []int{2 * i, 2*i + 1})
	}
	script = append(script, []int{1, 0}) // page 13 on, forever
	for _, pf := range prefetches {
		s := &scripted{script: script}
		n := 0
		var err error
		for _, err = range pager.UniqueItems(context.Background(), s.fetch, pageItems, func(k int) int { return k }, pager.WithPrefetch(pf)) {
			if err != nil {
				break
			}
			n++
		}
		var pe *pager.PageError
		if !errors.Is(err, pager.ErrStalled) || !errors.As(err, &pe) || pe.PageNo != 15 || n != 24 {
			t.Errorf("prefetch %d: %d items, then %v; want 24 items, then ErrStalled for page 15", pf, n, err)
		}
		if calls := int(s.calls.Load()); calls != 15+pf {
			t.Errorf("prefetch %d: %d fetches, want %d", pf, calls, 15+pf)
		}
	}
}

// TestNoKeysNoStallCheck checks that a walk without keys cannot tell stale
// pages and is bounded by WithMaxPages only, as documented.
func TestNoKeysNoStallCheck(t *testing.T) {
	s := &scripted{script: [][]int{{1, 2}}}
	n := 0
	for _, err := range pager.Items(context.Background(), s.fetch, pageItems, pager.WithMaxPages(20)) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 40 || s.calls.Load() != 20 {
		t.Errorf("%d items in %d fetches", n, s.calls.Load())
	}
}

func TestWithItemKeysForAnotherPageTypeIsAnError(t *testing.T) {
	wrong := pager.WithItemKeys(func(s string) []byte { return []byte(s) })
	firstErr := func(seq func(func(page, error) bool)) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
		}
		return nil
	}
	for _, tc := range []struct {
		name string
		walk func(s *scripted) error
	}{
		{"Pages", func(s *scripted) error {
			return firstErr(pager.Pages(context.Background(), s.fetch, pageCount, wrong))
		}},
		{"Pages", func(s *scripted) error {
			return firstErr(pager.Pages(context.Background(), s.fetch, pageCount, wrong, pager.WithPrefetch(3)))
		}},
		{"Items", func(s *scripted) error {
			for _, err := range pager.Items(context.Background(), s.fetch, pageItems, wrong) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"NewPaginator", func(s *scripted) error {
			p := pager.NewPaginator(s.fetch, pageCount, wrong)
			_, err := p.NextPage(context.Background())
			if p.HasMorePages() {
				t.Error("NewPaginator: HasMorePages after the option error")
			}
			return err
		}},
	} {
		s := &scripted{script: [][]int{{1}}}
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panicked: %v", tc.name, r)
				}
			}()
			err = tc.walk(s)
		}()
		var pe *pager.PageError
		if !errors.As(err, &pe) || pe.PageNo != 1 || !strings.Contains(err.Error(), tc.name) ||
			!strings.Contains(err.Error(), "WithItemKeys") || !strings.Contains(err.Error(), "pager_test.page") {
			t.Errorf("%s: error %v, want a *PageError for page 1 naming the call, the option and the page type", tc.name, err)
		}
		if n := s.calls.Load(); n != 0 {
			t.Errorf("%s: %d fetches, want none", tc.name, n)
		}
	}
}

func TestWithItemKeysTurnedOff(t *testing.T) {
	// A nil keys function turns the check off, and a later option
	// overrides an earlier one.
	s := &scripted{script: [][]int{{1}}}
	n := 0
	for range pager.Pages(context.Background(), s.fetch, pageCount, keyed, pager.WithItemKeys[page, int](nil), pager.WithMaxPages(8)) {
		n++
	}
	if n != 8 {
		t.Errorf("with keys turned off: %d pages, want 8", n)
	}
}
