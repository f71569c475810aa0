package redislimit

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/adapt"
	"github.com/redis/go-redis/v9"
)

// The adaptive state of a budget lives in Redis beside its GCRA key, in a
// hash of three fields kept in Redis's clock (microseconds): peak and at,
// where and when the rate last dropped (adapt.State); hold, the end of the
// latest wait the service asked for; and limit, the quota the service last
// reported. Every process of the account reads it (at most every
// stateRefresh) and paces the shared GCRA at the rate it gives, so a throttle
// seen by one process slows the whole fleet.

// stateRefresh is how often a Limiter reads the shared adaptive state.
const stateRefresh = 50 * time.Millisecond

// stateTTL is how long an untouched adaptive state is kept in Redis; by then
// the rate has long climbed back.
const stateTTL = 10 * time.Minute

// readState returns the state hash and Redis's clock, in microseconds.
var readState = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local v = redis.call('HMGET', KEYS[1], 'peak', 'at', 'hold', 'limit')
return {tostring(now), v[1] or '0', v[2] or '0', v[3] or '0', v[4] or '0'}
`)

// observeState records an answer in the state hash. ARGV: sent (Redis
// microseconds), in-use rate (0 when not throttled), wait (microseconds),
// reported limit. A throttle of a request sent before the last drop is
// ignored, as adapt.State.Throttled does. Returns 1 when the rate dropped.
var observeState = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local sent, inuse, wait, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local dropped = 0
if inuse > 0 then
  local peak = tonumber(redis.call('HGET', KEYS[1], 'peak') or '0')
  local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '0')
  if peak == 0 or sent >= at then
    redis.call('HSET', KEYS[1], 'peak', ARGV[2], 'at', tostring(now))
    dropped = 1
  end
end
if wait > 0 then
  local hold = tonumber(redis.call('HGET', KEYS[1], 'hold') or '0')
  if now + wait > hold then redis.call('HSET', KEYS[1], 'hold', tostring(now + wait)) end
end
if limit > 0 then redis.call('HSET', KEYS[1], 'limit', ARGV[4]) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return dropped
`)

// adaptive is a Limiter's local view of the shared adaptive state.
type adaptive struct {
	key   string // the state hash
	quota float64

	mu         sync.Mutex
	refreshing bool
	state      adapt.State
	hold       time.Time
	offset     time.Duration // Redis's clock minus the local one
	readAt     time.Time
	lowered    bool // logged a drop and not yet the return
}

// rate returns the adapted rate at now.
func (a *adaptive) rate(now time.Time) float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.state.Rate(now)
}

// refresh starts reading the shared state in the background when the local
// copy is older than stateRefresh, so that Wait never waits on it.
func (l *Limiter) refresh(now time.Time) {
	a := l.adapt
	a.mu.Lock()
	start := !a.refreshing && now.Sub(a.readAt) >= stateRefresh
	if start {
		a.refreshing = true
	}
	a.mu.Unlock()
	if start {
		go l.read()
	}
}

// read reads the shared state. A Redis error leaves the local copy as it
// is: Wait reports Redis errors itself.
func (l *Limiter) read() {
	a := l.adapt
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	v, err := readState.Run(ctx, l.rdb, []string{a.key}).StringSlice()
	local := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refreshing = false
	if err != nil || len(v) != 5 {
		a.readAt = local // try again after stateRefresh
		return
	}
	f := make([]float64, 5)
	for i, s := range v {
		f[i], _ = strconv.ParseFloat(s, 64)
	}
	a.readAt = local
	a.offset = time.UnixMicro(int64(f[0])).Sub(local)
	a.state.Ceiling = a.quota
	if f[4] > 0 {
		a.state.Ceiling = min(a.quota, adapt.Rate(int(f[4])))
	}
	a.state.Peak = f[1]
	a.state.At = time.UnixMicro(int64(f[2])).Add(-a.offset)
	a.hold = time.UnixMicro(int64(f[3])).Add(-a.offset)
}

// paced returns the rate to pace at now and when the hold ends, logging a
// return to the ceiling once.
func (l *Limiter) paced(now time.Time) (float64, time.Time) {
	a := l.adapt
	a.mu.Lock()
	r, hold := a.state.Rate(now), a.hold
	back := a.lowered && r >= a.state.Ceiling
	if back {
		a.lowered = false
	}
	a.mu.Unlock()
	if back {
		l.logger.LogAttrs(context.Background(), slog.LevelInfo, "redislimit: shared request rate back to the configured rate",
			slog.String("action", l.action), slog.Float64("rate", math.Round(r*10)/10))
	}
	return r, hold
}

// Observe records what an answer said in the shared state, so that every
// process of the account slows down after a throttle and waits as long as
// the service asked. Client calls it after every attempt; it returns at once
// and writes to Redis in the background when there is something to record.
func (l *Limiter) Observe(fb livempu.Feedback) {
	if l.adapt == nil || !fb.Throttled && fb.Wait == 0 && fb.Limit == 0 {
		return
	}
	a := l.adapt
	now := time.Now()
	a.mu.Lock()
	inUse := 0.0
	if fb.Throttled {
		inUse = a.state.Rate(now)
		// Drop at once here; the fleet learns it through Redis.
		a.state.Throttled(now, fb.Sent, inUse)
	}
	if fb.Wait > 0 && now.Add(fb.Wait).After(a.hold) {
		a.hold = now.Add(fb.Wait)
	}
	offset := a.offset
	a.mu.Unlock()
	go l.record(fb, inUse, offset)
}

// record writes one observation to the shared state.
func (l *Limiter) record(fb livempu.Feedback, inUse float64, offset time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	sent := fb.Sent.Add(offset).UnixMicro()
	dropped, err := observeState.Run(ctx, l.rdb, []string{l.adapt.key},
		sent, strconv.FormatFloat(inUse, 'f', 3, 64), fb.Wait.Microseconds(), fb.Limit, stateTTL.Milliseconds()).Int()
	if err != nil {
		return
	}
	a := l.adapt
	a.mu.Lock()
	a.readAt = time.Time{} // read the result at the next Wait
	logDrop := dropped == 1 && !a.lowered
	if logDrop {
		a.lowered = true
	}
	a.mu.Unlock()
	if logDrop {
		l.logger.LogAttrs(ctx, slog.LevelWarn, "redislimit: throttled by the service, lowering the shared request rate",
			slog.String("action", l.action), slog.Float64("rate", math.Round(inUse*adapt.Backoff*10)/10))
	}
}

// Rate returns the rate, in requests per second, at which the Limiter paces
// the shared budget now: the configured rate, or less while the service
// throttles (as last read from Redis). livempu.Client.LimiterRate reports
// it.
func (l *Limiter) Rate() float64 {
	if l.adapt == nil {
		return l.perSecond
	}
	return l.adapt.rate(time.Now())
}
