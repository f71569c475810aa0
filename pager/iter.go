package pager

import (
	"context"
	"iter"
	"runtime"
	"sync"

	"github.com/livempu/livempu-go/internal/order"
)

// Pages returns an iterator over the pages that fetch returns, starting at
// page 1 (see [WithFirstPage]). count returns the number of items in a page;
// a page with none ends the walk.
//
// Nothing is fetched until the iterator is ranged over, and each range walks
// again from the first page with fresh state. The first page is yielded even
// if it is empty, so that the caller sees the response (and its request id)
// of an empty result; a later empty page ends the walk without being
// yielded. With [WithItemKeys], [StallLimit] pages in a row that bring no new
// item end the walk with [ErrStalled]. An error is yielded once, as a [*PageError] paired with the zero
// page, and ends the walk. ctx governs every fetch of every range; once it
// is done the walk yields its error.
//
// fetch and count must not be nil.
func Pages[P any](ctx context.Context, fetch FetchFunc[P], count func(P) int, opts ...Option) iter.Seq2[P, error] {
	if fetch == nil || count == nil {
		panic("pager: Pages called with a nil function")
	}
	c := newConfig(opts)
	newFresh := noveltyFor[P](&c, "Pages")
	return func(yield func(P, error) bool) {
		var info PageInfo
		var fresh func(P) bool
		if newFresh != nil {
			fresh = newFresh()
		}
		err := walk(ctx, fetch, count, fresh, &c, func(pageNo int, page P, n int) bool {
			if !yield(page, nil) {
				return false
			}
			info = PageInfo{PageNo: pageNo, Items: n, PagesSoFar: info.PagesSoFar + 1, ItemsSoFar: info.ItemsSoFar + n}
			if c.onPage != nil {
				c.onPage(info)
			}
			return c.maxItems == 0 || info.ItemsSoFar < c.maxItems
		})
		if err != nil {
			var zero P
			yield(zero, err)
		}
	}
}

// Items returns an iterator over the items of the pages that fetch returns,
// in order, starting at page 1 (see [WithFirstPage]). items returns a page's
// items; a page with none ends the walk.
//
// Nothing is fetched until the iterator is ranged over, and each range walks
// again from the first page with fresh state. With [WithItemKeys],
// [StallLimit] pages in a row that bring no new item end the walk with
// [ErrStalled]. An error is yielded once, as a [*PageError] paired with the
// zero item, after the items of the pages before the failed one, and ends
// the walk. ctx governs every fetch of every
// range; once it is done the walk yields its error.
//
// fetch and items must not be nil.
func Items[P, T any](ctx context.Context, fetch FetchFunc[P], items func(P) []T, opts ...Option) iter.Seq2[T, error] {
	if fetch == nil || items == nil {
		panic("pager: Items called with a nil function")
	}
	return itemSeq(ctx, fetch, items, nil, opts)
}

// UniqueItems is Items that skips an item whose key was already yielded in
// the same walk. It is for lists sorted by a value that can change while they
// are walked (an update time), where an item can move from one page to the
// next and would otherwise be seen twice. The set of seen keys lives only for
// one range and grows with the number of distinct items. Skipped items count
// neither towards WithMaxItems nor in PageInfo.Items. A page whose items
// were all seen before does not end the walk, but [StallLimit] such pages in
// a row do, with [ErrStalled]: the walk cannot tell a server that sends the
// same pages forever from one that is slow to move on, and the first would
// otherwise never end. [WithItemKeys] is not needed, and is ignored.
//
// fetch, items and key must not be nil.
func UniqueItems[P, T any, K comparable](ctx context.Context, fetch FetchFunc[P], items func(P) []T, key func(T) K, opts ...Option) iter.Seq2[T, error] {
	if fetch == nil || items == nil || key == nil {
		panic("pager: UniqueItems called with a nil function")
	}
	newFilter := func() (keep func(T) bool, fresh func(P) bool) {
		seen := make(map[K]struct{})
		keep = func(it T) bool {
			k := key(it)
			if _, dup := seen[k]; dup {
				return false
			}
			seen[k] = struct{}{}
			return true
		}
		fresh = func(page P) bool {
			for _, it := range items(page) {
				if _, dup := seen[key(it)]; !dup {
					return true
				}
			}
			return false
		}
		return keep, fresh
	}
	return itemSeq(ctx, fetch, items, newFilter, opts)
}

// itemSeq implements Items and UniqueItems; newFilter, when not nil, makes
// for each range a fresh filter of the items to yield and the check of
// whether a page brings an item the filter would keep, both called in page
// order on the ranging goroutine. Without it, WithItemKeys says what is new.
func itemSeq[P, T any](ctx context.Context, fetch FetchFunc[P], items func(P) []T, newFilter func() (func(T) bool, func(P) bool), opts []Option) iter.Seq2[T, error] {
	c := newConfig(opts)
	var newFresh newNovelty[P]
	if newFilter == nil {
		newFresh = noveltyFor[P](&c, "Items")
	}
	count := func(p P) int { return len(items(p)) }
	return func(yield func(T, error) bool) {
		var info PageInfo
		var keep func(T) bool
		var fresh func(P) bool
		switch {
		case newFilter != nil:
			keep, fresh = newFilter()
		case newFresh != nil:
			fresh = newFresh()
		}
		err := walk(ctx, fetch, count, fresh, &c, func(pageNo int, page P, _ int) bool {
			n := 0
			limited := false
			for _, it := range items(page) {
				if c.maxItems > 0 && info.ItemsSoFar+n == c.maxItems {
					limited = true
					break
				}
				if keep != nil && !keep(it) {
					continue
				}
				if !yield(it, nil) {
					return false
				}
				n++
			}
			info = PageInfo{PageNo: pageNo, Items: n, PagesSoFar: info.PagesSoFar + 1, ItemsSoFar: info.ItemsSoFar + n}
			if c.onPage != nil {
				c.onPage(info)
			}
			return !limited && (c.maxItems == 0 || info.ItemsSoFar < c.maxItems)
		})
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// emitFunc receives a page to deliver together with its item count, and
// reports whether the walk should go on.
type emitFunc[P any] func(pageNo int, page P, n int) bool

// walk fetches pages in order and passes each page to deliver to emit until
// the walk ends. fresh, when not nil, says whether a non-empty page brings a
// new item; StallLimit pages in a row that bring none end the walk with
// ErrStalled, before the last of them is delivered. It returns the error to
// yield, if any.
func walk[P any](ctx context.Context, fetch FetchFunc[P], count func(P) int, fresh func(P) bool, c *config, emit emitFunc[P]) error {
	if c.err != nil {
		return &PageError{PageNo: c.firstPage, Err: c.err}
	}
	if ctx == nil {
		return &PageError{PageNo: c.firstPage, Err: ErrNilContext}
	}
	if c.prefetch > 0 {
		return walkPrefetch(ctx, fetch, count, fresh, c, emit)
	}
	first := c.firstPage
	var stalls stallCount
	for pageNo := first; c.maxPages == 0 || pageNo-first < c.maxPages; pageNo++ {
		if err := ctx.Err(); err != nil {
			return &PageError{PageNo: pageNo, Err: err}
		}
		page, more, err := fetch(ctx, pageNo)
		if err != nil {
			return &PageError{PageNo: pageNo, Err: err}
		}
		n := count(page)
		if n == 0 && pageNo != first {
			return nil
		}
		if n > 0 && fresh != nil {
			if err := stalls.check(pageNo, fresh(page)); err != nil {
				return err
			}
		}
		if !emit(pageNo, page, n) || !more || n == 0 {
			return nil
		}
	}
	return nil
}

// result is the outcome of one fetch started by walkPrefetch.
type result[P any] struct {
	page     P
	more     bool
	err      error
	panicked bool // fetch panicked with panicVal
	panicVal any
	goexit   bool // fetch called runtime.Goexit
}

// walkPrefetch is walk with up to c.prefetch fetches in flight beyond the
// page being delivered.
//
// Page p's fetch runs in its own goroutine and sends its result into slot
// (p-first) mod (prefetch+1), a channel with room for one result. A page's
// fetch is started only after the page prefetch+1 places before it has been
// received, so a slot never holds more than one result and no send blocks,
// which lets abandoned goroutines finish on their own. On return, for
// whatever reason (end of walk, error, break in the caller's loop, panic), the
// context of the outstanding fetches is cancelled and they are waited for.
func walkPrefetch[P any](ctx context.Context, fetch FetchFunc[P], count func(P) int, fresh func(P) bool, c *config, emit emitFunc[P]) error {
	fctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()

	first := c.firstPage
	var stalls stallCount
	turns := order.NewQueue(first) // limiter tokens in page order: see internal/order
	slots := make([]chan result[P], c.prefetch+1)
	for i := range slots {
		slots[i] = make(chan result[P], 1)
	}
	slot := func(pageNo int) chan result[P] { return slots[(pageNo-first)%len(slots)] }

	next := first // the next page to start
	start := func() {
		if c.maxPages > 0 && next-first >= c.maxPages {
			return
		}
		if ctx.Err() != nil {
			return // the loop reports it; don't issue doomed requests
		}
		ch := slot(next)
		wg.Add(1)
		go func(pageNo int) {
			defer wg.Done()
			r := result[P]{goexit: true}
			defer func() {
				if v := recover(); v != nil {
					r = result[P]{panicked: true, panicVal: v}
				}
				ch <- r
			}()
			pctx := order.With(fctx, turns, pageNo)
			defer order.Done(pctx) // in case the fetch never reached a limiter
			r.page, r.more, r.err = fetch(pctx, pageNo)
			r.goexit = false
		}(next)
		next++
	}

	for range slots {
		start()
	}
	for pageNo := first; ; pageNo++ {
		if c.maxPages > 0 && pageNo-first >= c.maxPages {
			return nil // WithMaxPages reached: no page is owed, whatever ctx says
		}
		if err := ctx.Err(); err != nil {
			return &PageError{PageNo: pageNo, Err: err}
		}
		var r result[P]
		select {
		case r = <-slot(pageNo):
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			return &PageError{PageNo: pageNo, Err: err}
		}
		switch {
		case r.panicked:
			panic(r.panicVal) // as a sequential walk would, on the ranging goroutine
		case r.goexit:
			runtime.Goexit()
		case r.err != nil:
			return &PageError{PageNo: pageNo, Err: r.err}
		}
		n := count(r.page)
		if n == 0 && pageNo != first {
			return nil
		}
		if n > 0 && fresh != nil {
			if err := stalls.check(pageNo, fresh(r.page)); err != nil {
				return err
			}
		}
		if !emit(pageNo, r.page, n) || !r.more || n == 0 {
			return nil
		}
		start()
	}
}
