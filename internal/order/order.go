// Package order lets the concurrent fetches of one prefetching walk take
// their turn at a rate limiter in page order.
//
// A prefetching walk starts several fetch goroutines at once, and the
// scheduler decides which of them reaches the limiter first. A token bucket
// serves its callers in the order they call, so without help a later page
// often gets an earlier token than the page the caller is waiting for, and the
// walk stalls on it: with 50 ms pages through the 97/s default limiter,
// prefetch 4 walked 100 pages in 1.27 s, and walks them in 1.07 s in order
// (BenchmarkWalkWithLatency in the root package).
// The pager gives each fetch a ticket in its context (With); the client waits
// for the ticket's turn (Wait) before taking a token and ends the turn (Done)
// right after, so tokens go out in page order. A fetch that never reaches a
// limiter ends its turn when it returns, which the pager ensures.
package order

import (
	"context"
	"sync"
)

// Queue orders the turns of one walk's pages.
type Queue struct {
	mu      sync.Mutex
	next    int           // the page whose turn it is; earlier pages have had theirs
	early   map[int]bool  // later pages whose turn ended before it came
	changed chan struct{} // closed and replaced whenever next moves on
}

// NewQueue returns the queue of a walk that starts at page first.
func NewQueue(first int) *Queue {
	return &Queue{next: first, changed: make(chan struct{})}
}

// ticket is one page's place in its walk's queue.
type ticket struct {
	q    *Queue
	page int
}

type ticketKey struct{}

// With returns ctx carrying page's ticket in q.
func With(ctx context.Context, q *Queue, page int) context.Context {
	return context.WithValue(ctx, ticketKey{}, ticket{q, page})
}

// Page returns the page of ctx's ticket, and false when ctx has none.
func Page(ctx context.Context) (int, bool) {
	t, ok := ctx.Value(ticketKey{}).(ticket)
	return t.page, ok
}

// Wait blocks until every earlier page of ctx's walk has had its turn, or
// ctx is done. Without a ticket, and once the turn has been taken (a retry),
// it returns at once.
func Wait(ctx context.Context) error {
	t, ok := ctx.Value(ticketKey{}).(ticket)
	if !ok {
		return nil
	}
	q := t.q
	for {
		q.mu.Lock()
		if t.page <= q.next {
			q.mu.Unlock()
			return nil
		}
		changed := q.changed
		q.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Done ends the turn of ctx's page. When it was that page's turn, the next
// page whose turn has not ended yet gets it; a page that ends early (a fetch
// that failed or needed no token) is remembered and skipped when its turn
// comes, without letting any page before it jump the queue. Calling Done
// again, or on a context without a ticket, does nothing.
func Done(ctx context.Context) {
	t, ok := ctx.Value(ticketKey{}).(ticket)
	if !ok {
		return
	}
	q := t.q
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case t.page > q.next:
		if q.early == nil {
			q.early = make(map[int]bool)
		}
		q.early[t.page] = true
	case t.page == q.next:
		q.next++
		for q.early[q.next] {
			delete(q.early, q.next)
			q.next++
		}
		close(q.changed)
		q.changed = make(chan struct{})
	}
}
