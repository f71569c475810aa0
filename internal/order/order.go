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
//
// The pager gives each fetch a ticket in its context (With); the client calls
// Wait before taking a token and Done right after. A page waits without limit
// for earlier pages that are already at the limiter (waiting their turn or
// for their token), since those are making progress. For an earlier page that
// has not got there yet it waits at most MaxArrivalWait: that page may be
// held up by something the waiting page holds (a caller's cap on requests in
// flight, a shared credential refresh), and ordering must never turn that
// into a hang. A fetch that never reaches a limiter ends its turn when it
// returns, which the pager ensures.
package order

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// MaxArrivalWait bounds how long a page at the limiter waits for an earlier
// page that has not reached it. Normally the earlier page's goroutine is
// microseconds behind; a page held up for longer is let go past.
const MaxArrivalWait = 10 * time.Millisecond

// arrivalWait is the bound in force: MaxArrivalWait, or what a test set.
var arrivalWait atomic.Int64

func init() { arrivalWait.Store(int64(MaxArrivalWait)) }

// SetArrivalWait changes the bound and returns the previous one. Tests that
// assert strict page order on a loaded machine raise it, so that a goroutine
// the scheduler delays cannot be let go past.
func SetArrivalWait(d time.Duration) time.Duration {
	return time.Duration(arrivalWait.Swap(int64(d)))
}

// Queue orders the turns of one walk's pages. Pages are started in order, so
// every page before a waiting one has been started.
type Queue struct {
	mu      sync.Mutex
	next    int           // the lowest page whose turn has not ended
	ended   map[int]bool  // pages after next whose turn has ended
	present map[int]int   // pages at the limiter: callers between Wait and Done
	changed chan struct{} // closed and replaced whenever a turn ends
}

// NewQueue returns the queue of a walk that starts at page first.
func NewQueue(first int) *Queue {
	return &Queue{next: first, ended: map[int]bool{}, present: map[int]int{}, changed: make(chan struct{})}
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

// Wait blocks until no earlier page of ctx's walk is at the limiter and
// every earlier page has either ended its turn or been waited for
// MaxArrivalWait, or until ctx is done. Without a ticket, and once the
// page's turn has ended (a retry), it returns at once. A nil return must be
// followed by Done.
func Wait(ctx context.Context) error {
	t, ok := ctx.Value(ticketKey{}).(ticket)
	if !ok {
		return nil
	}
	q := t.q
	q.mu.Lock()
	if q.endedLocked(t.page) {
		q.mu.Unlock()
		return nil
	}
	q.present[t.page]++
	q.mu.Unlock()

	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	arrivalDeadline := time.Now().Add(time.Duration(arrivalWait.Load()))
	for {
		q.mu.Lock()
		blocked, missing := q.earlierLocked(t.page)
		if !blocked && (!missing || !time.Now().Before(arrivalDeadline)) {
			q.mu.Unlock()
			return nil
		}
		changed := q.changed
		q.mu.Unlock()
		var expired <-chan time.Time
		if !blocked && missing {
			if timer == nil {
				timer = time.NewTimer(time.Until(arrivalDeadline))
			}
			expired = timer.C
		}
		select {
		case <-changed:
		case <-expired:
		case <-ctx.Done():
			q.leave(t.page)
			return ctx.Err()
		}
	}
}

// earlierLocked reports whether an earlier page is at the limiter (blocked)
// and whether one has neither ended nor reached it (missing).
func (q *Queue) earlierLocked(page int) (blocked, missing bool) {
	for p := q.next; p < page; p++ {
		switch {
		case q.ended[p]:
		case q.present[p] > 0:
			return true, missing
		default:
			missing = true
		}
	}
	return false, missing
}

// endedLocked reports whether page's turn has ended.
func (q *Queue) endedLocked(page int) bool { return page < q.next || q.ended[page] }

// leave takes back a caller of page that gave up waiting.
func (q *Queue) leave(page int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.present[page]--; q.present[page] <= 0 {
		delete(q.present, page)
	}
	q.broadcastLocked()
}

// broadcastLocked wakes every waiter to look again.
func (q *Queue) broadcastLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// Done ends the turn of ctx's page: the page has its token, failed, or its
// fetch returned. Calling it again, or on a context without a ticket, does
// nothing.
func Done(ctx context.Context) {
	t, ok := ctx.Value(ticketKey{}).(ticket)
	if !ok {
		return
	}
	q := t.q
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.present, t.page)
	if q.endedLocked(t.page) {
		return
	}
	q.ended[t.page] = true
	for q.ended[q.next] {
		delete(q.ended, q.next)
		q.next++
	}
	q.broadcastLocked()
}
