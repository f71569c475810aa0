package livempu

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a client-side rate limiter. Wait blocks until one request may be
// sent or ctx is done. *rate.Limiter satisfies it, and so does the Redis
// limiter of the redislimit module, which shares one budget across processes.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Documented per-account QPS limits of the two operations.
const (
	// QPSListRtcMPUEventSubRecord is the documented limit of
	// ListRtcMPUEventSubRecord: 100 requests per second per account.
	QPSListRtcMPUEventSubRecord = 100
	// QPSListRtcMPUTaskDetail is the documented limit of
	// ListRtcMPUTaskDetail: 50 requests per second per account.
	QPSListRtcMPUTaskDetail = 50
)

// JitterAllowance is the network and scheduling jitter the default
// limiters leave room for. Requests leave the client at most r+1 in any
// one-second window (a token bucket at rate r with a burst of one), but jitter
// can bring them to the server closer together; DefaultRate keeps enough
// requests in hand that a window of the server's, seen through that much
// jitter, still holds no more than the documented limit.
const JitterAllowance = 20 * time.Millisecond

// DefaultRate returns the rate, in requests per second, of an action's
// default limiter: the documented QPS N less one request for the burst and
// ceil(N*JitterAllowance/1s) requests for jitter (97 for 100 QPS, 48 for 50
// QPS), so at least 95% of the limit is used and the limit is never
// exceeded. It returns 0 for an unknown action.
func DefaultRate(action string) float64 {
	n := DocumentedQPS(action)
	if n == 0 {
		return 0
	}
	spare := int(math.Ceil(float64(n) * JitterAllowance.Seconds()))
	return float64(n - 1 - spare)
}

// DocumentedQPS returns an action's documented per-account QPS limit, or 0
// for an unknown action.
func DocumentedQPS(action string) int {
	switch action {
	case ActionListRtcMPUEventSubRecord:
		return QPSListRtcMPUEventSubRecord
	case ActionListRtcMPUTaskDetail:
		return QPSListRtcMPUTaskDetail
	}
	return 0
}

// NewDefaultLimiter returns a new token bucket for action at DefaultRate
// with a burst of one, or nil for an unknown action. Clients share such buckets per AccessKey ID automatically;
// use this to build your own sharing.
func NewDefaultLimiter(action string) *rate.Limiter {
	r := DefaultRate(action)
	if r == 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(r), 1)
}

// accountKey names one account's bucket for one action.
type accountKey struct{ accessKeyID, action string }

// accountLimiters holds the default buckets of the process, keyed by
// AccessKey ID and action, so that every Client of one account shares them.
var accountLimiters sync.Map // accountKey -> *accountLimiter

// sharedLimiter returns the process-wide default bucket of an account.
func sharedLimiter(accessKeyID, action string) Limiter {
	key := accountKey{accessKeyID, action}
	if l, ok := accountLimiters.Load(key); ok {
		return l.(*accountLimiter)
	}
	lim := NewDefaultLimiter(action)
	if lim == nil {
		return nil
	}
	l, _ := accountLimiters.LoadOrStore(key, &accountLimiter{lim: lim})
	return l.(*accountLimiter)
}

// accountLimiter is a default bucket shared by many goroutines. It reads the
// clock for each reservation under its own lock. rate.Limiter.Wait reads it
// before taking the limiter's lock, so with many waiters contending a
// reservation can carry an older time than the one before it, step the
// limiter's clock back, and the next reservation is credited the same
// interval twice: with 1,000 goroutines on a busy machine a 97/s bucket was
// seen 250 ms ahead of its rate after 8 s, more than the jitter allowance.
type accountLimiter struct {
	mu  sync.Mutex
	lim *rate.Limiter
}

// Limit returns the bucket's rate, which a Hook's Attempt reports as
// LimiterRate.
func (a *accountLimiter) Limit() rate.Limit { return a.lim.Limit() }

// Wait waits for a token. Like rate.Limiter.Wait it fails at once, taking
// nothing, when the token would come after ctx's deadline.
func (a *accountLimiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	now := time.Now()
	r := a.lim.ReserveN(now, 1) // always ok: one token, a burst of one, no wait limit
	delay := r.DelayFrom(now)
	if deadline, ok := ctx.Deadline(); ok && now.Add(delay).After(deadline) {
		r.CancelAt(now)
		a.mu.Unlock()
		return fmt.Errorf("rate: the next token, in %v, comes after the context deadline: %w", delay.Round(time.Millisecond), context.DeadlineExceeded)
	}
	a.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		a.mu.Lock()
		r.CancelAt(time.Now())
		a.mu.Unlock()
		return ctx.Err()
	}
}
