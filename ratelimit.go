package livempu

import (
	"context"
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
var accountLimiters sync.Map // accountKey -> *rate.Limiter

// sharedLimiter returns the process-wide default bucket of an account.
func sharedLimiter(accessKeyID, action string) Limiter {
	key := accountKey{accessKeyID, action}
	if l, ok := accountLimiters.Load(key); ok {
		return l.(*rate.Limiter)
	}
	lim := NewDefaultLimiter(action)
	if lim == nil {
		return nil
	}
	l, _ := accountLimiters.LoadOrStore(key, lim)
	return l.(*rate.Limiter)
}
