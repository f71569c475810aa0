package pager

import (
	"context"
	"errors"
	"fmt"
)

// FetchFunc fetches page pageNo and reports whether another page may follow
// it.
//
// Page numbers start at 1 unless [WithFirstPage] says otherwise and grow by
// one per page; pager passes them through without interpreting them. more is
// the API's own "has more" flag or, for an API without one, the caller's
// inference, typically len(items) == pageSize. A FetchFunc should return
// promptly with an error once ctx is done.
//
// With [WithPrefetch], a FetchFunc is called from several goroutines at once
// and must be safe for concurrent use.
type FetchFunc[P any] func(ctx context.Context, pageNo int) (page P, more bool, err error)

// PageInfo describes a page that has been delivered to the caller. It is what
// [WithOnPage] callbacks receive.
type PageInfo struct {
	// PageNo is the page's number, as passed to the FetchFunc.
	PageNo int
	// Items is the number of the page's items delivered. It is the page's
	// item count, except on the last page of an [Items] walk cut short by
	// [WithMaxItems].
	Items int
	// PagesSoFar counts the pages delivered in this walk, this one
	// included.
	PagesSoFar int
	// ItemsSoFar counts the items delivered in this walk, this page's
	// included.
	ItemsSoFar int
}

// PageError is the error yielded when a page could not be fetched, whether
// the FetchFunc failed or the context was done before the page was
// delivered. It wraps the cause, so errors.Is and errors.As see through it,
// and PageNo is where to resume with [WithFirstPage].
type PageError struct {
	// PageNo is the number of the page that was not delivered.
	PageNo int
	// Err is the FetchFunc's error or the context's.
	Err error
}

// Error returns "page N: " followed by the cause.
func (e *PageError) Error() string { return fmt.Sprintf("page %d: %v", e.PageNo, e.Err) }

// Unwrap returns the cause.
func (e *PageError) Unwrap() error { return e.Err }

// ErrNoMorePages is returned by [Paginator.NextPage] when called after the
// last page.
var ErrNoMorePages = errors.New("pager: no more pages")

// ErrNilContext is the error of a walk or NextPage given a nil context,
// reported instead of a panic.
var ErrNilContext = errors.New("pager: nil context")

// ErrStalled is matched (errors.Is) by the error that ends a walk after
// [StallLimit] pages in a row that brought no new item: a server or proxy
// that ignores the page number, or keeps reporting more pages while sending
// the same ones, would otherwise be walked until the context ends, spending
// the account's request budget. The error is a [*PageError] naming the
// page that reached the limit. See "How a walk ends" in the package doc for
// what "new" means.
var ErrStalled = errors.New("pager: walk stalled")

// StallLimit is the number of pages in a row that bring no new item after
// which a walk that can tell new items from seen ones ends with
// [ErrStalled]. Against a server that sends the same page whatever the page
// number, a sequential walk therefore makes StallLimit+1 requests, the first
// one useful, and a walk with [WithPrefetch](n) starts at most n more. A
// page with at least one new item resets the count, so pages that overlap
// because the data changes during a walk do not stop it.
const StallLimit = 3

// Option configures a walk. Options are applied when the iterator or
// paginator is created; later options override earlier ones.
type Option func(*config)

type config struct {
	firstPage int
	maxPages  int
	maxItems  int
	prefetch  int
	onPage    func(PageInfo)
	novelty   any   // a newNovelty[P] set by WithItemKeys
	err       error // an option that does not fit the walk; nothing is fetched
}

func newConfig(opts []Option) config {
	c := config{firstPage: 1}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithFirstPage starts every walk at page n instead of page 1, which resumes
// a walk that was interrupted: the [PageError] of a failed walk and the
// [PageInfo] of the last page delivered both say where to resume. The number
// is passed to the FetchFunc as is; an API that counts pages from 0 can use
// WithFirstPage(0).
func WithFirstPage(n int) Option {
	return func(c *config) { c.firstPage = n }
}

// WithMaxPages stops a walk after n pages, as if the n-th page had reported
// more == false; n <= 0 means no limit, the default. It guards against a
// server that never stops reporting more pages, and caps the cost of a walk.
// Reaching the limit is not an error. With [WithPrefetch], no page beyond
// the limit is ever requested.
func WithMaxPages(n int) Option {
	return func(c *config) { c.maxPages = max(n, 0) }
}

// WithMaxItems stops a walk once n items have been delivered; n <= 0 means
// no limit, the default. [Items] yields exactly n items at most. [Pages] and
// [Paginator], which cannot split a page, stop after the page that brings
// the count to n or beyond. No further page is requested once the limit is
// reached.
func WithMaxItems(n int) Option {
	return func(c *config) { c.maxItems = max(n, 0) }
}

// WithPrefetch lets [Pages] and [Items] request up to n pages ahead of the
// page being yielded, concurrently; n <= 0 means one request at a time, the
// default. Pages are still yielded in order. Pages requested beyond the end
// of the walk, which cannot be known in advance, are discarded along with
// their errors, so a walk makes at most n more requests than a sequential
// one. The FetchFunc must be safe for concurrent use. [Paginator] ignores
// this option: its caller decides when to request.
func WithPrefetch(n int) Option {
	return func(c *config) { c.prefetch = max(n, 0) }
}

// WithOnPage calls fn for each page delivered, in page order, on the
// goroutine that ranges over the iterator, for progress reporting and
// checkpointing.
//
// For [Pages] and [Items], fn runs once the caller has finished with a page:
// after the page, or its last item, has been yielded and the loop body has
// asked for more; a page the loop broke out of is not reported. So
// WithFirstPage(info.PageNo+1) resumes after the last page reported. The
// last page of an [Items] walk cut short by [WithMaxItems] is reported with
// the number of items yielded from it. For [Paginator], fn runs just before
// NextPage returns a page.
func WithOnPage(fn func(PageInfo)) Option {
	return func(c *config) { c.onPage = fn }
}

// WithItemKeys lets a walk tell a page that brings new items from one that
// only repeats items already seen, so that it can end with [ErrStalled]
// instead of walking forever when a server sends the same pages again and
// again. keys returns the key of each item of a page: an item is new unless
// its key was on one of the last 10 pages delivered, so memory stays
// bounded whatever the length of the walk. The walk keeps the slice keys
// returns, which must not be changed afterwards. A nil keys turns the check
// off.
//
// [UniqueItems] needs no keys (it knows every key it has yielded) and
// ignores this option. Without it, [Pages], [Items] and [Paginator] cannot
// detect a stalled walk; [WithMaxPages] is then the only guard. P must be
// the page type of the walk the option is given to; otherwise the walk
// fetches nothing and returns a [*PageError] for its first page saying so.
func WithItemKeys[P any, K comparable](keys func(page P) []K) Option {
	if keys == nil {
		return func(c *config) { c.novelty = nil }
	}
	var nn newNovelty[P] = func() func(P) bool {
		w := newKeyWindow[K](keyWindowPages)
		return func(page P) bool { return w.add(keys(page)) }
	}
	return func(c *config) { c.novelty = nn }
}
