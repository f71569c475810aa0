// Package adapt holds the policy of the SDK's rate limiters, shared by the
// in-process limiter of package livempu and the Redis limiter of the
// redislimit module so that both pace and adapt alike: the headroom kept
// under a quota, and the rate that falls when the service throttles and
// climbs back while it does not.
//
// After a throttle the rate drops at once to Backoff times the rate in use
// (multiplicative decrease) and then climbs back along a cubic curve, as in
// TCP CUBIC and aws-sdk-go-v2's adaptive retry mode: fast at first, flat
// around the rate at which the service throttled (where the budget most
// likely is), then faster again, probing for a budget that freed up. The
// growth is scaled to the ceiling, so that the time to recover does not
// depend on the quota.
package adapt

import (
	"math"
	"time"
)

// Jitter is the network and scheduling jitter the limiters leave room for:
// a paced client sends at most r+1 requests in any one-second window (a
// bucket at rate r with a burst of one), but jitter can bring them to the
// server closer together.
const Jitter = 20 * time.Millisecond

// Backoff is the share of the rate in use that is kept after a throttle.
const Backoff = 0.9

// Growth scales the cubic climb: Growth times the ceiling, per second
// cubed. With 0.04 a rate that dropped at 60% of the ceiling is back there
// in 1.1 s and gains another 30% of the ceiling 2 s after that.
const Growth = 0.04

// MinRate is the lowest rate adaptation goes down to, in requests per
// second (or the ceiling, if that is lower).
const MinRate = 1.0

// Rate returns the paced rate for a quota of qps requests per second: qps
// less one request for the burst and ceil(qps*Jitter/1s) for jitter (97 for
// 100, 48 for 50, 195 for 200), so that a server window seen through that
// much jitter never holds more than qps; never less than qps/2, for small
// quotas. It returns 0 for qps < 1.
func Rate(qps int) float64 {
	if qps < 1 {
		return 0
	}
	spare := int(math.Ceil(float64(qps) * Jitter.Seconds()))
	return max(float64(qps-1-spare), float64(qps)/2)
}

// State is the adaptive state of one budget: where the rate dropped and
// when. The zero State (with a Ceiling) has never been throttled and runs at
// the ceiling.
type State struct {
	// Ceiling is the configured rate, never exceeded.
	Ceiling float64
	// Peak is the rate in use when the service last throttled, 0 if it
	// never did (or the rate has climbed back to the ceiling since).
	Peak float64
	// At is when the rate dropped.
	At time.Time
}

// Lowered reports whether the rate is below the ceiling at now.
func (s *State) Lowered(now time.Time) bool { return s.Rate(now) < s.Ceiling }

// Rate returns the rate at now: Backoff*Peak right after a drop, Peak again
// after a while, the ceiling at most.
func (s *State) Rate(now time.Time) float64 {
	if s.Peak == 0 {
		return s.Ceiling
	}
	c := Growth * s.Ceiling
	k := math.Cbrt(s.Peak * (1 - Backoff) / c)
	dt := max(now.Sub(s.At).Seconds(), 0) - k
	r := s.Peak + c*dt*dt*dt
	return min(max(r, s.floor()), s.Ceiling)
}

// floor is the lowest rate.
func (s *State) floor() float64 { return min(MinRate, s.Ceiling) }

// Throttled records a throttle at now of a request sent at sent, when the
// rate in use was inUse (at most Rate(now); less when the callers did not
// use all of it). A throttle of a request sent before the last drop is
// ignored: the drop already answered the overload it belongs to. It reports
// whether the rate dropped.
func (s *State) Throttled(now, sent time.Time, inUse float64) bool {
	if s.Peak != 0 && sent.Before(s.At) {
		return false
	}
	s.Peak = max(min(inUse, s.Rate(now)), s.floor())
	s.At = now
	return true
}

// Recovered forgets a drop once the rate is back at the ceiling, and
// reports whether it did.
func (s *State) Recovered(now time.Time) bool {
	if s.Peak == 0 || s.Rate(now) < s.Ceiling {
		return false
	}
	s.Peak, s.At = 0, time.Time{}
	return true
}

// DocumentedQPS returns the documented per-account quota of an action of
// the SDK, or 0 for an unknown action.
func DocumentedQPS(action string) int {
	switch action {
	case "ListRtcMPUEventSubRecord":
		return 100
	case "ListRtcMPUTaskDetail":
		return 50
	}
	return 0
}
