package livempu

import (
	"context"
	"sync"

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

// DefaultLimitShare is the share of an action's documented QPS that the
// default limiter allows. With a burst of one, a token bucket at rate r
// admits at most r+1 requests in any one-second window; 97% leaves room for
// network jitter to compress requests without ever exceeding the server's
// sliding-window limit, while sustaining more than 95% of it.
const DefaultLimitShare = 0.97

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

// NewDefaultLimiter returns a new token bucket for action at
// DefaultLimitShare of its documented QPS with a burst of one, or nil for an
// unknown action. Clients share such buckets per AccessKey ID automatically;
// use this to build your own sharing.
func NewDefaultLimiter(action string) *rate.Limiter {
	qps := DocumentedQPS(action)
	if qps == 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(float64(qps)*DefaultLimitShare), 1)
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
