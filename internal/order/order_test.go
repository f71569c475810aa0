package order

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestTurnsGoInPageOrder starts the pages' goroutines in reverse order and
// checks that they pass Wait in page order anyway.
func TestTurnsGoInPageOrder(t *testing.T) {
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
		time.Sleep(time.Millisecond) // let the later pages queue up first
	}
	wg.Wait()
	for i, page := range passed {
		if page != 3+i {
			t.Fatalf("pages passed in order %v", passed)
		}
	}
}

// TestWaitEndsWithContext checks that a page whose turn never comes returns
// the context's error, and that without a ticket nothing waits.
func TestWaitEndsWithContext(t *testing.T) {
	q := NewQueue(1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := Wait(With(ctx, q, 2)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait for a turn that never comes = %v, want DeadlineExceeded", err)
	}
	if err := Wait(context.Background()); err != nil {
		t.Fatalf("Wait without a ticket = %v", err)
	}
	Done(context.Background()) // no ticket: nothing to do, no panic
	if _, ok := Page(context.Background()); ok {
		t.Fatal("Page found a ticket in a bare context")
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
	Done(With(context.Background(), q, 3)) // page 3 ended early
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := Wait(With(short, q, 2)); err == nil {
		t.Fatal("page 2 passed before page 1 ended its turn")
	}
	Done(With(context.Background(), q, 1))
	Done(With(context.Background(), q, 2))
	if q.next != 4 {
		t.Fatalf("after pages 1 and 2 ended, with 3 ended early, it is page %d's turn, want 4", q.next)
	}
	ctx, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	if err := Wait(With(ctx, q, 4)); err != nil {
		t.Fatalf("page 4: %v", err)
	}
}
