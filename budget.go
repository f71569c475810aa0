package livempu

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livempu/livempu-go/internal/adapt"
)

// budget is the default limiter of one account's quota for one action,
// shared by every Client of the process with the same limit key (WithLimitKey,
// or the AccessKey ID) and quota. It paces requests one interval apart at
// the rate adaptation allows (adapt.State), like a bucket with a burst of
// one kept as the time of its next free slot, and gives no slot before the
// end of a wait the service asked for.
//
// Waiters take turns to book a slot, and a slot is booked only within
// lookahead of its time: the waiters that booked sleep side by side, so a
// late wake-up of one (a loaded machine) does not delay the others, while a
// drop of the rate or a requested wait reaches every slot booked after it,
// that is every slot from lookahead on.
type budget struct {
	turn chan struct{} // held by the waiter booking the next slot

	mu      sync.Mutex
	next    time.Time   // the next free slot
	hold    time.Time   // no slot before this: the service asked to wait
	state   adapt.State // adaptive rate
	quota   float64     // configured ceiling; state.Ceiling may be lower when the service reports a lower Limit
	meter   meter       // slots taken in the last second
	waiters int
	lastUse time.Time
	freed   bool // removed from budgets: look it up again
}

// lookahead is how long before its time a slot is booked.
const lookahead = 50 * time.Millisecond

func newBudget(qps int) *budget {
	r := adapt.Rate(qps)
	return &budget{turn: make(chan struct{}, 1), state: adapt.State{Ceiling: r}, quota: r, lastUse: time.Now()}
}

// errFreed tells a waiter that its budget was freed for being idle while it
// looked it up; it looks it up again.
var errFreed = errors.New("budget freed")

// wait blocks until the waiter's slot: at the adapted rate, or at the
// ceiling when adaptive is false. It fails at once when the slot, with the
// waiters ahead, would come after ctx's deadline. back reports that the
// rate has just climbed back to the ceiling.
func (b *budget) wait(ctx context.Context, adaptive bool) (sent time.Time, back bool, err error) {
	b.mu.Lock()
	if b.freed {
		b.mu.Unlock()
		return time.Time{}, false, errFreed
	}
	now := time.Now()
	if deadline, ok := ctx.Deadline(); ok {
		at, interval, _ := b.slot(now, adaptive)
		if at = at.Add(time.Duration(b.waiters) * interval); at.After(deadline) {
			b.mu.Unlock()
			return time.Time{}, false, fmt.Errorf("next slot in %v is after the deadline: %w", at.Sub(now).Round(time.Millisecond), context.DeadlineExceeded)
		}
	}
	b.waiters++
	b.lastUse = now
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.waiters--
		b.mu.Unlock()
	}()

	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		at, interval, r, err := b.book(ctx, adaptive, &timer)
		back = back || r
		if err != nil {
			return time.Time{}, back, err
		}
		if err := sleepUntil(ctx, at, &timer); err != nil {
			b.mu.Lock()
			if b.next.Equal(at.Add(interval)) { // nobody booked after: give the slot back
				b.next = at
			}
			b.mu.Unlock()
			return time.Time{}, back, err
		}
		b.mu.Lock()
		if b.hold.After(at) { // the service asked to wait while this waiter slept
			b.mu.Unlock()
			continue
		}
		b.meter.add(at)
		b.mu.Unlock()
		return time.Now(), back, nil
	}
}

// book takes the turn, waits until the next slot is within lookahead and
// books it. back reports that the rate has just climbed back to the
// ceiling.
func (b *budget) book(ctx context.Context, adaptive bool, timer **time.Timer) (at time.Time, interval time.Duration, back bool, err error) {
	select {
	case b.turn <- struct{}{}:
	case <-ctx.Done():
		return at, 0, false, ctx.Err()
	}
	defer func() { <-b.turn }()
	for {
		b.mu.Lock()
		now := time.Now()
		var r bool
		at, interval, r = b.slot(now, adaptive)
		back = back || r
		if at.Sub(now) <= lookahead {
			b.next = at.Add(interval)
			b.mu.Unlock()
			return at, interval, back, nil
		}
		b.mu.Unlock()
		// Look again closer to the slot: the rate or a requested wait
		// may change meanwhile.
		if err := sleepUntil(ctx, at.Add(-lookahead), timer); err != nil {
			return at, 0, back, err
		}
	}
}

// slot returns the next free slot and the interval after it, and whether
// the rate has just climbed back to the ceiling. b.mu is held.
func (b *budget) slot(now time.Time, adaptive bool) (time.Time, time.Duration, bool) {
	back := b.state.Recovered(now)
	r := b.state.Ceiling
	if adaptive {
		r = b.state.Rate(now)
	}
	return later(now, later(b.next, b.hold)), time.Duration(float64(time.Second) / r), back
}

// sleepUntil sleeps until t or until ctx is done, reusing *timer.
func sleepUntil(ctx context.Context, t time.Time, timer **time.Timer) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	if *timer == nil {
		*timer = time.NewTimer(d)
	} else {
		(*timer).Reset(d)
	}
	select {
	case <-(*timer).C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// observe applies what an answer said: a throttle lowers the rate, a
// requested wait holds every waiter, a reported Limit caps the ceiling. It
// reports whether the rate dropped from the ceiling, and the rate now.
func (b *budget) observe(fb Feedback) (dropped bool, now float64) {
	t := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastUse = t
	if fb.Limit > 0 {
		b.state.Ceiling = min(b.quota, adapt.Rate(fb.Limit))
	}
	if fb.Wait > 0 {
		b.hold = later(b.hold, t.Add(fb.Wait))
	}
	if fb.Throttled {
		wasLowered := b.state.Lowered(t)
		// Lower from the rate the callers actually sent at, when they did
		// not use the whole rate or the service's waits held them back.
		inUse := min(b.state.Rate(t), b.meter.rate(t))
		if b.state.Throttled(t, fb.Sent, inUse) && !wasLowered {
			dropped = true
		}
	}
	return dropped, b.state.Rate(t)
}

// rate returns the adapted rate at now.
func (b *budget) rate(now time.Time) float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state.Rate(now)
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// meter counts the slots taken in the last second, in ten 100 ms bins.
type meter struct {
	bin   [10]int64 // bin number (Unix time / 100 ms) of each count
	n     [10]int32
	first time.Time
}

const meterBin = 100 * time.Millisecond

func (m *meter) add(t time.Time) {
	if m.first.IsZero() {
		m.first = t
	}
	i := t.UnixNano() / int64(meterBin)
	s := i % int64(len(m.bin))
	if m.bin[s] != i {
		m.bin[s], m.n[s] = i, 0
	}
	m.n[s]++
}

// rate returns the slots per second taken over the last second (or since
// the first, if that is more recent).
func (m *meter) rate(now time.Time) float64 {
	i := now.UnixNano() / int64(meterBin)
	sum := 0
	for s, bin := range m.bin {
		if bin > i-int64(len(m.bin)) && bin <= i {
			sum += int(m.n[s])
		}
	}
	span := min(max(now.Sub(m.first), meterBin), time.Second)
	return float64(sum) / span.Seconds()
}

// budgetKey names a shared budget.
type budgetKey struct {
	key, action string
	qps         int
}

// idleBudget is how long a budget is kept unused. By then its adaptive
// state has climbed back and its next slot is past, so a fresh one is the
// same; freeing them bounds the memory of rotating STS AccessKey IDs.
const idleBudget = time.Minute

// budgetRegistry holds the process-wide budgets.
type budgetRegistry struct {
	m         sync.Map // budgetKey -> *budget
	nextSweep atomic.Int64
}

// budgets are the default limiters of the process.
var budgets budgetRegistry

// get returns the budget of key, or nil.
func (r *budgetRegistry) get(key budgetKey) *budget {
	if b, ok := r.m.Load(key); ok {
		return b.(*budget)
	}
	return nil
}

// lookup returns the budget of key, creating it, and now and then frees
// the budgets idle for longer than idleBudget.
func (r *budgetRegistry) lookup(key budgetKey) *budget {
	now := time.Now()
	if next := r.nextSweep.Load(); now.UnixNano() >= next && r.nextSweep.CompareAndSwap(next, now.Add(idleBudget).UnixNano()) {
		r.sweep(now)
	}
	if b := r.get(key); b != nil {
		return b
	}
	b, _ := r.m.LoadOrStore(key, newBudget(key.qps))
	return b.(*budget)
}

// sweep frees the budgets nobody waits on that have been idle for
// idleBudget.
func (r *budgetRegistry) sweep(now time.Time) {
	r.m.Range(func(k, v any) bool {
		b := v.(*budget)
		b.mu.Lock()
		if b.waiters == 0 && now.Sub(b.lastUse) > idleBudget {
			b.freed = true
			r.m.CompareAndDelete(k, b)
		}
		b.mu.Unlock()
		return true
	})
}

// size counts the budgets, for tests.
func (r *budgetRegistry) size() int {
	n := 0
	r.m.Range(func(any, any) bool { n++; return true })
	return n
}
