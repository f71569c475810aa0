package order

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestTurnsGoInPageOrder starts the pages' goroutines in reverse order and
// checks that they pass Wait in page order anyway.
func TestTurnsGoInPageOrder(t *testing.T) {
	defer SetArrivalWait(SetArrivalWait(time.Minute)) // strict order even if the scheduler lags
	q := NewQueue(3)
	var mu sync.Mutex
	var passed []int
	var wg sync.WaitGroup
	for page := 12; page >= 3; page-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := With(context.Background(), q, page)
			if err := Wait(ctx); err != nil {
				t.Error(err)
			}
			mu.Lock()
			passed = append(passed, page)
			mu.Unlock()
			Done(ctx)
		}()
		time.Sleep(time.Millisecond) // later pages arrive first
	}
	wg.Wait()
	for i, page := range passed {
		if page != 3+i {
			t.Fatalf("pages passed in order %v", passed)
		}
	}
}

// TestWaitEndsWithContext checks that a page behind an earlier page that is
// at the limiter waits until ctx ends, and that without a ticket nothing
// waits.
func TestWaitEndsWithContext(t *testing.T) {
	q := NewQueue(1)
	if err := Wait(With(context.Background(), q, 1)); err != nil { // page 1 at the limiter, no Done
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*MaxArrivalWait)
	defer cancel()
	if err := Wait(With(ctx, q, 2)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait behind a page at the limiter = %v, want DeadlineExceeded", err)
	}
	if err := Wait(context.Background()); err != nil {
		t.Fatalf("Wait without a ticket = %v", err)
	}
	Done(context.Background()) // no ticket: nothing to do, no panic
	if _, ok := Page(context.Background()); ok {
		t.Fatal("Page found a ticket in a bare context")
	}
}

// TestMissingEarlierPageIsWaitedForBriefly checks that a page whose earlier
// page never reaches the limiter (held up by something the waiting page
// holds) goes ahead after MaxArrivalWait instead of hanging.
func TestMissingEarlierPageIsWaitedForBriefly(t *testing.T) {
	q := NewQueue(1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	if err := Wait(With(ctx, q, 2)); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < MaxArrivalWait || waited > 100*MaxArrivalWait {
		t.Fatalf("page 2 waited %v for page 1 that never came, want about %v", waited, MaxArrivalWait)
	}
	Done(With(ctx, q, 2))
	if err := Wait(With(ctx, q, 1)); err != nil { // page 1 comes at last: its turn
		t.Fatal(err)
	}
	Done(With(ctx, q, 1))
	if q.next != 3 {
		t.Fatalf("after pages 2 and 1 ended, it is page %d's turn, want 3", q.next)
	}
}

// TestDoneIsIdempotentAndRetriesPass checks that a page's second attempt
// (after its Done) passes at once and that Done twice moves nothing on.
func TestDoneIsIdempotentAndRetriesPass(t *testing.T) {
	q := NewQueue(1)
	one := With(context.Background(), q, 1)
	if err := Wait(one); err != nil {
		t.Fatal(err)
	}
	Done(one)
	Done(one)
	if err := Wait(one); err != nil { // a retry of page 1
		t.Fatal(err)
	}
	if p, ok := Page(With(context.Background(), q, 4)); !ok || p != 4 {
		t.Fatalf("Page = %d, %v", p, ok)
	}
	if q.next != 2 {
		t.Fatalf("after page 1 ended twice, it is page %d's turn, want 2", q.next)
	}
}

// TestEarlyEndDoesNotLetOthersJump checks that a later page ending its turn
// before its turn came (a fetch that failed or needed no token) neither lets
// a page between jump the queue nor holds the pages after it.
func TestEarlyEndDoesNotLetOthersJump(t *testing.T) {
	q := NewQueue(1)
	one := With(context.Background(), q, 1)
	if err := Wait(one); err != nil { // page 1 at the limiter
		t.Fatal(err)
	}
	Done(With(context.Background(), q, 3)) // page 3 ended early
	short, cancel := context.WithTimeout(context.Background(), 3*MaxArrivalWait)
	defer cancel()
	if err := Wait(With(short, q, 2)); err == nil {
		t.Fatal("page 2 passed while page 1 was at the limiter")
	}
	Done(one)
	Done(With(context.Background(), q, 2))
	if q.next != 4 {
		t.Fatalf("after pages 1 and 2 ended, with 3 ended early, it is page %d's turn, want 4", q.next)
	}
	if len(q.present) != 0 || len(q.ended) != 0 {
		t.Fatalf("queue keeps state: present %v, ended %v", q.present, q.ended)
	}
	// Page 4, on its turn, waits for nothing: with the arrival wait an hour
	// long, waiting for a page it wrongly thought missing would end on the
	// context instead (judged without a clock, which a busy machine can
	// stretch past any margin).
	defer SetArrivalWait(SetArrivalWait(time.Hour))
	ctx, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := Wait(With(ctx, q, 4)); err != nil {
		t.Fatalf("page 4 on its turn: %v", err)
	}
}

// TestManyPagesWithEarlyEnds runs walks of 64 pages whose goroutines start
// together, a quarter of them ending without waiting, and checks that every
// page gets through, that the pages that waited passed in page order, and
// that the queue is left empty.
func TestManyPagesWithEarlyEnds(t *testing.T) {
	defer SetArrivalWait(SetArrivalWait(time.Minute)) // strict order even if the scheduler lags
	for round := range 50 {
		q := NewQueue(1)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var mu sync.Mutex
		var passed []int
		var wg sync.WaitGroup
		for page := 1; page <= 64; page++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := With(ctx, q, page)
				defer Done(c) // as the pager does when the fetch returns
				if (page*7+round)%4 == 0 {
					return // a fetch that failed before reaching a limiter
				}
				if err := Wait(c); err != nil {
					t.Error(page, err)
					return
				}
				mu.Lock()
				passed = append(passed, page)
				mu.Unlock()
				Done(c)
			}()
		}
		wg.Wait()
		cancel()
		if q.next != 65 || len(q.ended) != 0 || len(q.present) != 0 {
			t.Fatalf("round %d: queue left at page %d, ended %v, present %v", round, q.next, q.ended, q.present)
		}
		if !slices.IsSorted(passed) {
			t.Fatalf("round %d: pages passed in order %v", round, passed)
		}
	}
}
