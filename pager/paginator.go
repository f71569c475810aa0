package pager

import "context"

// Paginator fetches pages one at a time, when the caller asks, in the style
// of the AWS SDK's paginators:
//
//	p := pager.NewPaginator(fetch, count)
//	for p.HasMorePages() {
//		page, err := p.NextPage(ctx)
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// Unlike the iterators, a Paginator is a stateful, single-use cursor: it
// suits callers that interleave paging with other work, stop and resume, or
// retry a failed page. It is not safe for concurrent use.
type Paginator[P any] struct {
	fetch FetchFunc[P]
	count func(P) int
	cfg   config
	next  int
	info  PageInfo
	done  bool
	// fresh says whether a page brings a new item (WithItemKeys); stalls
	// counts the pages in a row that brought none.
	fresh  func(P) bool
	stalls stallCount
}

// NewPaginator returns a Paginator positioned before the first page (see
// [WithFirstPage]). count returns the number of items in a page; an empty
// page is the last one. [WithPrefetch] is ignored. Nothing is fetched until
// [Paginator.NextPage] is called. fetch and count must not be nil.
func NewPaginator[P any](fetch FetchFunc[P], count func(P) int, opts ...Option) *Paginator[P] {
	if fetch == nil || count == nil {
		panic("pager: NewPaginator called with a nil function")
	}
	c := newConfig(opts)
	nn := noveltyFor[P](&c, "NewPaginator")
	p := &Paginator[P]{fetch: fetch, count: count, cfg: c, next: c.firstPage}
	if nn != nil {
		p.fresh = nn()
	}
	return p
}

// HasMorePages reports whether [Paginator.NextPage] may return another page.
// It is true until NextPage has returned a page that reported more == false,
// an empty page, the page reaching the [WithMaxPages] or [WithMaxItems]
// limit, or [ErrStalled].
func (p *Paginator[P]) HasMorePages() bool { return !p.done }

// NextPage fetches the next page.
//
// After the last page it returns [ErrNoMorePages]. If the fetch fails, or ctx
// is already done, it returns a [*PageError] and does not advance, so calling
// NextPage again retries the same page. With [WithItemKeys], the page that
// makes [StallLimit] pages in a row without a new item is not returned:
// NextPage returns a [*PageError] for it matching [ErrStalled], and the walk
// is over. An empty page after the first is
// returned like any other (and ends the walk), unlike [Pages], which hides
// it: a caller that asked for a page gets the page the server sent.
func (p *Paginator[P]) NextPage(ctx context.Context) (P, error) {
	var zero P
	if p.done {
		return zero, ErrNoMorePages
	}
	if p.cfg.err != nil {
		p.done = true
		return zero, &PageError{PageNo: p.next, Err: p.cfg.err}
	}
	if ctx == nil {
		return zero, &PageError{PageNo: p.next, Err: ErrNilContext}
	}
	if err := ctx.Err(); err != nil {
		return zero, &PageError{PageNo: p.next, Err: err}
	}
	page, more, err := p.fetch(ctx, p.next)
	if err != nil {
		return zero, &PageError{PageNo: p.next, Err: err}
	}
	n := p.count(page)
	if n > 0 && p.fresh != nil {
		if err := p.stalls.check(p.next, p.fresh(page)); err != nil {
			p.done = true
			return zero, err
		}
	}
	p.info = PageInfo{PageNo: p.next, Items: n, PagesSoFar: p.info.PagesSoFar + 1, ItemsSoFar: p.info.ItemsSoFar + n}
	p.next++
	p.done = !more || n == 0 ||
		(p.cfg.maxPages > 0 && p.info.PagesSoFar >= p.cfg.maxPages) ||
		(p.cfg.maxItems > 0 && p.info.ItemsSoFar >= p.cfg.maxItems)
	if p.cfg.onPage != nil {
		p.cfg.onPage(p.info)
	}
	return page, nil
}

// NextPageNo returns the number of the page the next call to
// [Paginator.NextPage] will fetch; after the last page, the number after it.
// Passed to [WithFirstPage], it resumes the walk in a new Paginator or
// iterator.
func (p *Paginator[P]) NextPageNo() int { return p.next }
