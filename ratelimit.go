package livempu

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/livempu/livempu-go/internal/adapt"
	"github.com/livempu/livempu-go/internal/order"
	"golang.org/x/time/rate"
)

// Limiter is a client-side rate limiter. Wait blocks until one request may be
// sent or ctx is done. *rate.Limiter satisfies it, and so does the Redis
// limiter of the redislimit module, which shares one budget across processes.
type Limiter interface {
	Wait(ctx context.Context) error
}

// AdaptiveLimiter is a Limiter that learns from the service's answers. After
// every attempt it let through that got an answer, the Client calls Observe
// with what the answer said about the budget. The redislimit module's
// limiter is one; the Client's default limiter behaves the same way.
// Observe must be safe for concurrent use and must not block.
type AdaptiveLimiter interface {
	Limiter
	Observe(Feedback)
}

// Feedback is what one answer of the service said about an action's budget,
// as the Client reports it to an AdaptiveLimiter.
type Feedback struct {
	// Sent is when the attempt was let through (when Wait returned).
	Sent time.Time
	// Throttled reports a throttle: the codes Throttling, Throttling.User,
	// Throttling.Api (any Throttling.*), HTTP 429, or an error carrying
	// x-acs-retry-after.
	Throttled bool
	// Wait is how long the service asked this action to wait before its
	// next request, whoever sends it: x-acs-retry-after, Retry-After, or
	// the TimeLeft of an x-ratelimit-user(-api) header that says Remain:0.
	// 0 when it asked for nothing. At most a minute.
	Wait time.Duration
	// Limit is the quota the service reported in an x-ratelimit-user-api or
	// x-ratelimit-user header (the lower if both), 0 when it sent none.
	Limit int
}

// limiterFor returns the custom limiter of an action (WithRateLimiter), with
// ok false when the action uses the default limiter.
func (c *Client) limiterFor(action string) (lim Limiter, ok bool) {
	lim, ok = c.limiters[action]
	return lim, ok
}

// LimiterRate returns the current rate, in requests per second, of the
// limiter this client waits on for action; for telemetry. For the default
// limiter it is the rate adaptation has settled on (the configured rate
// when nothing throttles), of the bucket the client last used (before its
// first call: of the bucket of its WithLimitKey, or the configured rate).
// With WithFixedRate it is the configured rate. For a limiter of
// WithRateLimiter it is its Limit for a *rate.Limiter, what its
// Rate() float64 method returns if it has one (redislimit's Limiter does),
// and 0 otherwise, for an unlimited *rate.Limiter, for a nil limiter and
// for an unknown action.
func (c *Client) LimiterRate(action string) float64 {
	if lim, ok := c.limiterFor(action); ok {
		return customRate(lim)
	}
	i := actionIndex(action)
	if i < 0 {
		return 0
	}
	ceiling := adapt.Rate(c.qps[i])
	if c.fixedRate {
		return ceiling
	}
	b := c.lastBudget[i].Load()
	if b == nil && c.limitKey != "" {
		b = budgets.get(budgetKey{c.limitKey, action, c.qps[i]})
	}
	if b == nil {
		return ceiling
	}
	return b.rate(time.Now())
}

// customRate is LimiterRate for a limiter of WithRateLimiter.
func customRate(lim Limiter) float64 {
	switch l := lim.(type) {
	case nil:
		return 0
	case *rate.Limiter:
		if l.Limit() == rate.Inf {
			return 0
		}
		return float64(l.Limit())
	case interface{ Rate() float64 }:
		return l.Rate()
	}
	return 0
}

// actionIndex numbers the actions for per-action arrays; -1 for others.
func actionIndex(action string) int {
	switch action {
	case ActionListRtcMPUEventSubRecord:
		return 0
	case ActionListRtcMPUTaskDetail:
		return 1
	}
	return -1
}

// actions lists the actions in actionIndex order.
var actions = [...]string{ActionListRtcMPUEventSubRecord, ActionListRtcMPUTaskDetail}

// ticket is what an attempt took from its limiter: where to report the
// answer.
type ticket struct {
	b      *budget         // the default limiter, or nil
	custom AdaptiveLimiter // a custom limiter that learns, or nil
	sent   time.Time
}

// waitLimiter waits on the action's limiter for one attempt. In a
// prefetching walk the fetches of several pages wait at once; each first
// waits for the earlier pages to have taken their slots (internal/order),
// so that slots go out in page order and the page the caller needs next is
// never the one left waiting.
func (c *Client) waitLimiter(ctx context.Context, accessKeyID, action string) (ticket, error) {
	lim, custom := c.limiterFor(action)
	if custom && lim == nil {
		return ticket{}, nil
	}
	if err := order.Wait(ctx); err != nil {
		return ticket{}, err
	}
	defer order.Done(ctx)
	if custom {
		if err := lim.Wait(ctx); err != nil {
			return ticket{}, err
		}
		a, _ := lim.(AdaptiveLimiter)
		return ticket{custom: a, sent: time.Now()}, nil
	}
	i := actionIndex(action)
	key := budgetKey{c.limitKey, action, c.qps[i]}
	if key.key == "" {
		key.key = accessKeyID
	}
	for {
		b := budgets.lookup(key)
		c.lastBudget[i].Store(b)
		sent, back, err := b.wait(ctx, !c.fixedRate)
		if back && !c.fixedRate {
			c.logRate(ctx, action, false, b.rate(time.Now()))
		}
		if err == errFreed {
			continue
		}
		return ticket{b: b, sent: sent}, err
	}
}

// report tells the attempt's limiter what the answer said.
func (c *Client) report(ctx context.Context, action string, t ticket, resp *http.Response) {
	if t.b == nil && t.custom == nil {
		return
	}
	fb := feedback(resp)
	fb.Sent = t.sent
	c.observe(ctx, action, t, fb)
}

// reportThrottle tells the attempt's limiter of a throttle that came as an
// error document with a 2xx status, found when the body was read.
func (c *Client) reportThrottle(ctx context.Context, action string, t ticket) {
	c.observe(ctx, action, t, Feedback{Sent: t.sent, Throttled: true})
}

// observe passes feedback to the attempt's limiter.
func (c *Client) observe(ctx context.Context, action string, t ticket, fb Feedback) {
	switch {
	case t.b == nil && t.custom == nil:
		return
	case t.custom != nil:
		t.custom.Observe(fb)
		return
	}
	if !fb.Throttled && fb.Wait == 0 && fb.Limit == 0 {
		return
	}
	if dropped, r := t.b.observe(fb); dropped && !c.fixedRate {
		c.logRate(ctx, action, true, r)
	}
}

// logRate logs that the adapted rate of an action dropped below the
// configured rate, or climbed back to it: once each way per episode, on the
// client's logger or slog.Default.
func (c *Client) logRate(ctx context.Context, action string, dropped bool, r float64) {
	l := c.logger
	if l == nil {
		l = slog.Default()
	}
	if dropped {
		l.LogAttrs(ctx, slog.LevelWarn, "livempu: throttled by the service, lowering the request rate",
			slog.String("action", action), slog.Float64("rate", roundRate(r)))
		return
	}
	l.LogAttrs(ctx, slog.LevelInfo, "livempu: request rate back to the configured rate",
		slog.String("action", action), slog.Float64("rate", roundRate(r)))
}

// roundRate rounds a rate to a tenth, for logs.
func roundRate(r float64) float64 { return math.Round(r*10) / 10 }
