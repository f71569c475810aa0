// Package redislimit shares one QPS budget per Alibaba Cloud account and
// action across every process and machine that uses it, on Redis.
//
// The Live API limits ListRtcMPUEventSubRecord (100 QPS) and
// ListRtcMPUTaskDetail (50 QPS) per account, not per process. The SDK's
// default limiter is a token bucket per process, so twenty pods of one
// account would send twenty times the budget. A [Limiter] keeps the budget
// in Redis instead, with the GCRA of github.com/go-redis/redis_rate/v10: one
// Redis key per account and action, shared by every process that points at
// the same Redis (a single server, Sentinel or Cluster: any
// redis.UniversalClient).
//
// Switching a client is one Options call:
//
//	opts, err := redislimit.Options(rdb, accessKeyID)
//	...
//	client, err := livempu.NewClient(append(opts, livempu.WithStaticCredentials(accessKeyID, secret, ""))...)
//
// # Budget
//
// The default rate is the SDK's own default rate for the action, as
// livempu.Client.LimiterRate reports it for a new client (97/s for a
// documented 100, 48/s for 50; [WithQPS] applies the same rule
// to a raised quota), with a burst of one. GCRA with a burst of b admits b
// requests at once and then one every 1/rate; with b = 1 two admissions are
// at least 1/rate apart on Redis's clock, so any one-second window holds at
// most rate+1 of them (98 for 97/s). Requests reach the service with jitter
// after Redis admits them; a server window of one second then covers up to
// 1s+jitter of Redis time, which with the 20 ms of jitter the rate leaves
// room for holds at most floor(97*1.02)+1 = 99 requests, still under 100. A
// larger burst adds b-1 to every such window and trips the server's sliding
// window after an idle moment. In return the aggregate stays above 90% of
// the documented limit (about 95% measured with four processes on one
// machine).
//
// # Adaptive
//
// The budget adapts like the SDK's default limiter, for the whole fleet: a
// Limiter is a livempu.AdaptiveLimiter, and when the service throttles any
// process of the account, that process lowers the shared rate in Redis (a
// hash beside the GCRA key), which every process reads at most 50 ms later;
// the rate then climbs back while nothing throttles. A wait the service asks
// for (x-acs-retry-after, Retry-After, Remain:0) holds every process.
// [WithFixedRate] turns this off.
//
// # Redis unavailable
//
// Fail-closed (the default) makes Wait return an error matching
// [ErrUnavailable] that wraps Redis's error: the SDK then fails the call
// without sending it. Fail-open ([WithFailOpen]) falls back to a local token
// bucket at a share of the rate (1/N for N processes keeps the account under
// its limit), logs the switch once, pings Redis in the background once a
// second and returns to the shared budget as soon as Redis answers.
//
// Give the limiter a Redis client with short timeouts and few retries
// (DialTimeout, ReadTimeout and WriteTimeout of a few hundred milliseconds,
// MaxRetries -1, DialerRetries 1): its defaults take seconds to report an
// outage, and Wait waits that long.
//
// Keys are "rate:" + prefix + action + ":" + a SHA-256 of the AccessKey ID:
// the ID never appears in Redis, in errors or in logs.
package redislimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/adapt"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// ErrUnavailable is matched (errors.Is) by the error Wait returns when a
// fail-closed Limiter cannot reach Redis; the error also wraps Redis's own.
var ErrUnavailable = errors.New("redislimit: Redis unavailable")

// DefaultKeyPrefix is the default start of the limiter's keys, after
// redis_rate's own "rate:" prefix.
const DefaultKeyPrefix = "livempu:"

// probeInterval is how often a fail-open Limiter that fell back to its local
// bucket asks Redis again.
const probeInterval = time.Second

// minRetry bounds how soon a denied Wait asks Redis again, so that a
// vanishing RetryAfter can never make it spin.
const minRetry = 200 * time.Microsecond

// Option configures New and Options.
type Option func(*config)

// config collects what the Options set.
type config struct {
	rate     float64        // 0: the action's default
	qps      map[string]int // WithQPS, by action
	fixed    bool
	failOpen bool
	share    float64
	prefix   string
	logger   *slog.Logger
}

// WithRate sets the shared budget in requests per second (default: the
// SDK's default rate, 97 for ListRtcMPUEventSubRecord and 48 for
// ListRtcMPUTaskDetail); 0 means that default. Stay below the documented
// limit: with a burst of one a window can hold rate+1 requests, more with
// jitter. It applies to one action, so Options refuses it; use New per
// action.
func WithRate(perSecond float64) Option {
	return func(c *config) { c.rate = perSecond }
}

// WithQPS sets the account's quota for one action, in requests per second,
// when it was raised in Quota Center: give the same number as to
// livempu.WithQPS. The shared budget then paces at up to qps less one
// request for the burst and 2% for jitter (195/s for 200), as the SDK's
// default limiter does. Options accepts it for either action; New refuses
// it for an action other than its own, and qps < 1.
func WithQPS(action string, qps int) Option {
	return func(c *config) {
		if c.qps == nil {
			c.qps = make(map[string]int)
		}
		c.qps[action] = qps
	}
}

// WithFixedRate turns adaptation off: the Limiter paces the budget at the
// configured rate whatever the service answers, and Observe does nothing
// (neither the throttles nor the waits it is told of reach the fleet).
func WithFixedRate() Option {
	return func(c *config) { c.fixed = true }
}

// WithFailOpen keeps requests going when Redis is unavailable: Wait falls
// back to a local token bucket at share (0 < share <= 1) of the rate, for
// example 1/N when N processes share the account, logs the fall-back once
// and returns to Redis when it answers a PING again (sent in the background
// once a second).
func WithFailOpen(share float64) Option {
	return func(c *config) { c.failOpen, c.share = true, share }
}

// WithFailClosed makes Wait fail with an error matching ErrUnavailable when
// Redis is unavailable, so that no request is sent unaccounted. This is the
// default.
func WithFailClosed() Option {
	return func(c *config) { c.failOpen, c.share = false, 0 }
}

// WithKeyPrefix replaces DefaultKeyPrefix, for example to keep the keys of
// several environments that share one Redis apart.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithLogger sets where a fail-open Limiter logs falling back to its local
// bucket and returning to Redis (slog.Default() by default).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// Limiter is a livempu.Limiter whose budget lives in Redis and is shared by
// every Limiter of the same account and action on that Redis. It is safe for
// concurrent use; its waiters queue locally so that only one of them at a
// time asks Redis. Create one per account and action in a process and share
// it (a fail-open Limiter's local bucket is its own).
type Limiter struct {
	rdb       redis.UniversalClient
	gcra      *redis_rate.Limiter
	key       string // passed to redis_rate, which prepends "rate:"
	action    string
	perSecond float64   // the configured rate
	adapt     *adaptive // nil with WithFixedRate
	failOpen  bool
	local     *rate.Limiter // fail-open only
	logger    *slog.Logger
	turn      chan struct{} // one waiter at a time asks Redis

	mu        sync.Mutex
	degraded  bool      // fail-open is on the local bucket
	probing   bool      // a probe is under way
	nextProbe time.Time // when a degraded Limiter asks Redis again
	// outage is set when a fail-open Limiter logs that it fell back, and
	// cleared (with a log line) only when Redis admits a request again: a
	// Redis that answers PING but refuses the limiter's script (a read-only
	// replica, ACLs, maxmemory) does not make it log on every probe.
	outage atomic.Bool
}

var _ livempu.AdaptiveLimiter = (*Limiter)(nil)

// New returns a Limiter of the budget of one account (named by its
// AccessKey ID, which is only stored hashed) for one action. It does not
// contact Redis. The action must be one the SDK knows unless WithRate is
// given. accessKeyID is only an identity: pass a common value (the account
// ID, say) to make several AccessKeys of one account share a budget, as the
// service does.
func New(rdb redis.UniversalClient, accessKeyID, action string, opts ...Option) (*Limiter, error) {
	c := config{prefix: DefaultKeyPrefix}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	switch {
	case rdb == nil:
		return nil, errors.New("redislimit: nil Redis client")
	case accessKeyID == "":
		return nil, errors.New("redislimit: empty AccessKey ID")
	case action == "":
		return nil, errors.New("redislimit: empty action")
	}
	perSecond, err := c.perSecond(action)
	if err != nil {
		return nil, err
	}
	if _, err := gcraLimit(perSecond); err != nil {
		return nil, err
	}
	l := &Limiter{
		rdb:       rdb,
		gcra:      redis_rate.NewLimiter(rdb),
		key:       Key(c.prefix, accessKeyID, action),
		action:    action,
		perSecond: perSecond,
		failOpen:  c.failOpen,
		logger:    c.logger,
		turn:      make(chan struct{}, 1),
	}
	if !c.fixed {
		l.adapt = &adaptive{key: l.key + ":adaptive", quota: perSecond, state: adapt.State{Ceiling: perSecond}}
	}
	if c.failOpen {
		if !(c.share > 0 && c.share <= 1) {
			return nil, fmt.Errorf("redislimit: WithFailOpen(%v): share must be in (0, 1]", c.share)
		}
		l.local = rate.NewLimiter(rate.Limit(perSecond*c.share), 1)
	}
	if l.logger == nil {
		l.logger = slog.Default()
	}
	return l, nil
}

// perSecond returns the configured rate of action: WithRate, or the
// headroom rule applied to WithQPS or to the documented quota.
func (c *config) perSecond(action string) (float64, error) {
	for a, n := range c.qps {
		switch {
		case a != action:
			return 0, fmt.Errorf("redislimit: WithQPS(%q, %d) given to the limiter of %s", a, n, action)
		case n < 1:
			return 0, fmt.Errorf("redislimit: WithQPS(%q, %d): the quota must be at least 1", a, n)
		case c.rate != 0:
			return 0, errors.New("redislimit: give WithRate or WithQPS, not both")
		}
		return adapt.Rate(n), nil
	}
	if c.rate != 0 {
		return c.rate, nil
	}
	if r := adapt.Rate(adapt.DocumentedQPS(action)); r != 0 {
		return r, nil
	}
	return 0, fmt.Errorf("redislimit: unknown action %q: give WithRate", action)
}

// gcraLimit expresses perSecond as a redis_rate.Limit with a burst of one:
// one request per period of 1/perSecond, exact to the nanosecond for any
// rate (GCRA only uses the interval between two requests).
func gcraLimit(perSecond float64) (redis_rate.Limit, error) {
	if math.IsNaN(perSecond) || math.IsInf(perSecond, 0) || perSecond < 0.001 || perSecond > 1e6 {
		return redis_rate.Limit{}, fmt.Errorf("redislimit: WithRate(%v): need 0.001 to 1e6 per second", perSecond)
	}
	return redis_rate.Limit{Rate: 1, Period: time.Duration(float64(time.Second) / perSecond), Burst: 1}, nil
}

// Key returns the name under which redis_rate stores the budget of an
// account and action, without the "rate:" redis_rate prepends: prefix, the
// action, and the first 128 bits of a SHA-256 of the AccessKey ID in hex.
// Two accounts or two actions never share a key; the ID cannot be read
// from it.
func Key(prefix, accessKeyID, action string) string {
	sum := sha256.Sum256([]byte("livempu-go/redislimit\x00" + accessKeyID))
	return prefix + action + ":" + hex.EncodeToString(sum[:16])
}

// Key returns the Redis key of the limiter's budget, as stored ("rate:"
// included), for inspection with redis-cli.
func (l *Limiter) Key() string { return "rate:" + l.key }

// Wait blocks until Redis admits one request of the shared budget, sleeping
// the RetryAfter Redis answers between two asks, or until ctx is done. It
// fails at once, with an error matching context.DeadlineExceeded, when the
// next slot is after ctx's deadline. When Redis is unavailable it fails with
// an error matching ErrUnavailable, or, fail-open, waits on the local bucket.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()

	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if l.failOpen && l.onLocal() {
			return l.waitLocal(ctx)
		}
		limit, err := l.limitNow(ctx)
		if err != nil {
			return err
		}
		res, err := l.gcra.Allow(ctx, l.key, limit)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if !l.failOpen {
				return fmt.Errorf("%w: shared budget of %s not checked: %w", ErrUnavailable, l.action, err)
			}
			l.fallBack(err)
			return l.waitLocal(ctx)
		}
		if l.outage.Load() {
			l.recovered()
		}
		if res.Allowed > 0 {
			return nil
		}
		d := max(res.RetryAfter, minRetry)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
			return fmt.Errorf("redislimit: next slot of %s in %v would exceed the context deadline: %w",
				l.action, d.Round(time.Microsecond), context.DeadlineExceeded)
		}
		if err := sleep(ctx, d, &timer); err != nil {
			return err
		}
	}
}

// limitNow returns the GCRA limit to ask Redis with: the configured rate,
// or the adapted one, after the end of any wait the service asked for.
func (l *Limiter) limitNow(ctx context.Context) (redis_rate.Limit, error) {
	if l.adapt == nil {
		return gcraLimit(l.perSecond)
	}
	now := time.Now()
	l.refresh(now)
	r, hold := l.paced(now)
	if d := hold.Sub(now); d > 0 {
		if deadline, ok := ctx.Deadline(); ok && deadline.Before(hold) {
			return redis_rate.Limit{}, fmt.Errorf("redislimit: the service asked %s to wait %v, past the context deadline: %w",
				l.action, d.Round(time.Millisecond), context.DeadlineExceeded)
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return redis_rate.Limit{}, ctx.Err()
		}
	}
	return gcraLimit(r)
}

// sleep waits d or until ctx is done, reusing *timer. Go's timers wake up
// to a millisecond late on Linux (the runtime's poller waits in whole
// milliseconds), and every microsecond a waiter arrives after its slot is
// lost to the budget: GCRA counts the next slot from the late arrival. So the
// last fineSleep of the wait is slept precisely where the platform allows
// (see preciseSleep); ctx is then honoured within fineSleep.
func sleep(ctx context.Context, d time.Duration, timer **time.Timer) error {
	target := time.Now().Add(d)
	if coarse := d - fineSleep; coarse > 0 {
		if *timer == nil {
			*timer = time.NewTimer(coarse)
		} else {
			(*timer).Reset(coarse)
		}
		select {
		case <-(*timer).C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if rem := time.Until(target); rem > 0 {
		preciseSleep(rem)
	}
	return ctx.Err()
}

// onLocal reports whether a fail-open Limiter should use its local bucket:
// whether it fell back and Redis has not answered since. When it is time,
// it asks Redis again in the background, so that waiters never wait on a
// Redis that is down.
func (l *Limiter) onLocal() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.degraded {
		return false
	}
	if !l.probing && !time.Now().Before(l.nextProbe) {
		l.probing = true
		go l.probe()
	}
	return true
}

// probe pings Redis once; if it answers, the Limiter tries the shared
// budget again (recovered says so once Redis admits a request).
func (l *Limiter) probe() {
	ctx, cancel := context.WithTimeout(context.Background(), probeInterval)
	err := l.rdb.Ping(ctx).Err()
	cancel()
	l.mu.Lock()
	l.probing = false
	if err == nil {
		l.degraded = false
	} else {
		l.nextProbe = time.Now().Add(probeInterval)
	}
	l.mu.Unlock()
}

// recovered logs, once per outage, that Redis admits requests again.
func (l *Limiter) recovered() {
	if l.outage.CompareAndSwap(true, false) {
		l.logger.LogAttrs(context.Background(), slog.LevelInfo,
			"redislimit: Redis answers again, back on the shared budget",
			slog.String("action", l.action),
			slog.String("key", l.Key()))
	}
}

// fallBack records that Redis failed and logs the first failure of an
// outage.
func (l *Limiter) fallBack(err error) {
	l.mu.Lock()
	l.degraded = true
	l.nextProbe = time.Now().Add(probeInterval)
	l.mu.Unlock()
	if l.outage.CompareAndSwap(false, true) {
		l.logger.LogAttrs(context.Background(), slog.LevelWarn,
			"redislimit: Redis unavailable, falling back to the local limiter",
			slog.String("action", l.action),
			slog.String("key", l.Key()),
			slog.Float64("local_rate", float64(l.local.Limit())),
			slog.String("error", err.Error()))
	}
}

// waitLocal waits on the fail-open local bucket. x/time's limiter fails at
// once, with an error of its own, when the wait would pass ctx's deadline;
// that is reported as context.DeadlineExceeded, as Wait documents.
func (l *Limiter) waitLocal(ctx context.Context) error {
	err := l.local.Wait(ctx)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("redislimit: local bucket of %s: %v: %w", l.action, err, context.DeadlineExceeded)
	}
	return err
}

// Options returns the livempu.Options that make a Client wait on shared
// Redis budgets for both actions of the account accessKeyID (a
// livempu.WithRateLimiter per action), so that switching a client is
// livempu.NewClient(append(opts, ...)...). opts apply to both limiters;
// WithRate, which is per action, is refused. Build the options once per
// process and give them to every Client of the account.
func Options(rdb redis.UniversalClient, accessKeyID string, opts ...Option) ([]livempu.Option, error) {
	var c config
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if c.rate != 0 {
		return nil, errors.New("redislimit: Options: WithRate is per action; use New and livempu.WithRateLimiter")
	}
	for a := range c.qps {
		if a != livempu.ActionListRtcMPUEventSubRecord && a != livempu.ActionListRtcMPUTaskDetail {
			return nil, fmt.Errorf("redislimit: WithQPS: unknown action %q", a)
		}
	}
	var out []livempu.Option
	for _, action := range []string{livempu.ActionListRtcMPUEventSubRecord, livempu.ActionListRtcMPUTaskDetail} {
		actionOpts := opts
		if n, ok := c.qps[action]; ok {
			actionOpts = append(slices.Clone(opts), func(c *config) { c.qps = map[string]int{action: n} })
		} else if len(c.qps) > 0 {
			actionOpts = append(slices.Clone(opts), func(c *config) { c.qps = nil })
		}
		l, err := New(rdb, accessKeyID, action, actionOpts...)
		if err != nil {
			return nil, err
		}
		out = append(out, livempu.WithRateLimiter(action, l))
	}
	return out, nil
}
