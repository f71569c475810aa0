// Package pager walks APIs that page by number (PageNo, PageSize) and turns
// them into Go 1.23 range-over-func iterators or an explicit paginator.
//
// The package knows nothing about any particular API. A caller describes one
// page fetch as a [FetchFunc] — fetch page n, say whether another page may
// follow — plus a function that counts (or returns) the items of a page, and
// gets back:
//
//   - [Pages], an iter.Seq2 over whole pages (responses keep their request
//     ids and other metadata);
//   - [Items], an iter.Seq2 over the items of all pages;
//   - [Paginator], an AWS-style HasMorePages/NextPage loop for callers who
//     want to decide when each request is made.
//
// # How a walk ends
//
// A walk ends at the first of:
//
//   - a page whose FetchFunc reported more == false. APIs that have no
//     HasMore flag and no total end on a short page: their FetchFunc reports
//     more = len(items) == pageSize, so pager itself has no notion of page
//     size;
//   - a page with no items, even if more == true, so that a server that
//     forgets to clear HasMore, or a total that is an exact multiple of the
//     page size, cannot make the walk loop forever;
//   - [StallLimit] (3) pages in a row that bring no new item, which end the
//     walk with an error matching [ErrStalled] that names the last of them,
//     so that a server that ignores the page number, or reports more pages
//     while sending the same ones again, cannot make the walk spend the
//     account's request budget until the context ends. A sequential walk
//     against such a server makes StallLimit+1 requests (1 useful and 3
//     wasted), and a walk with [WithPrefetch](n) at most n more. The pages
//     before the last are delivered: pages that overlap because the data
//     changes during the walk are normal, and one new item on a page resets
//     the count. What is "new" is known to [UniqueItems] (a key it has not
//     yielded in this walk) and, for [Items], [Pages] and [Paginator], given
//     by [WithItemKeys] (a key not on the last 10 pages); without it they
//     cannot tell, and only [WithMaxPages] bounds such a walk;
//   - the limits set by [WithMaxPages] and [WithMaxItems];
//   - an error from the FetchFunc or the context, which is yielded once,
//     wrapped in a [*PageError] that names the page;
//   - the caller breaking out of the range loop.
//
// # Iterators
//
// The iterators follow the lessons of existing SDKs. Like gax-go's
// RangeAdapter, an error is yielded once, with the zero value, and then the
// iteration stops. Unlike go-github's generated iterators, which reassign
// captured request options, an iterator keeps no state between ranges:
// every range starts again from the first page, so an iterator value can be
// ranged any number of times. Unlike stripe-go's List, nothing is fetched
// before the range starts.
//
// # Prefetch
//
// [WithPrefetch] overlaps the latency of the next pages with the caller's
// work on the current one, while still yielding strictly in page order and
// holding at most prefetch+1 pages in memory. Requests are spread over
// goroutines, so the FetchFunc must then be safe for concurrent use; any rate
// limiter belongs inside the FetchFunc (the API client), which keeps prefetch
// from exceeding the API's request budget. Each fetch's context carries the
// page's place in the walk, and the livempu Client waits its turn with it, so
// that its rate limiter hands out tokens in page order: otherwise the
// goroutine of the page the caller needs next could be served after later
// ones, and the walk would stall on it. The iterator never lets one of its
// goroutines outlive the range loop: when the loop ends, for whatever
// reason, outstanding fetches are cancelled through their context and waited
// for before the range statement returns.
package pager
