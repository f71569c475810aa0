package adapt

import (
	"math"
	"testing"
	"time"
)

func TestRate(t *testing.T) {
	for qps, want := range map[int]float64{100: 97, 50: 48, 200: 195, 1000: 979, 10: 8, 3: 1.5, 2: 1, 1: 0.5, 0: 0, -5: 0} {
		if got := Rate(qps); got != want {
			t.Errorf("Rate(%d) = %v, want %v", qps, got, want)
		}
	}
	// The rule's promise: through 20 ms of jitter a window holds at most
	// floor(rate*1.02)+1 requests, never more than the quota.
	for qps := 1; qps <= 5000; qps++ {
		if n := int(math.Floor(Rate(qps)*(1+Jitter.Seconds()))) + 1; n > qps {
			t.Fatalf("quota %d: rate %v lets %d requests into a jittered window", qps, Rate(qps), n)
		}
	}
}

func TestStateDropsAndClimbsBack(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s := State{Ceiling: 97}
	if s.Rate(t0) != 97 || s.Lowered(t0) {
		t.Fatal("a new state is not at the ceiling")
	}
	if !s.Throttled(t0, t0.Add(-time.Millisecond), 60) {
		t.Fatal("first throttle ignored")
	}
	if got := s.Rate(t0); math.Abs(got-Backoff*60) > 1e-9 {
		t.Errorf("right after the drop: %v, want %v", got, Backoff*60)
	}
	// A throttle of a request sent before the drop belongs to the same
	// overload: no second drop.
	if s.Throttled(t0.Add(10*time.Millisecond), t0.Add(-time.Millisecond), 51) {
		t.Error("stale throttle lowered the rate again")
	}
	// The curve: back at the peak after k, flat there, then climbing.
	k := math.Cbrt(60 * (1 - Backoff) / (Growth * 97))
	at := func(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }
	if got := s.Rate(at(k)); math.Abs(got-60) > 1e-6 {
		t.Errorf("after k=%.2fs: %v, want 60", k, got)
	}
	prev := 0.0
	for sec := 0.0; sec < 6; sec += 0.05 {
		r := s.Rate(at(sec))
		if r < prev {
			t.Fatalf("rate fell from %v to %v at %.2fs", prev, r, sec)
		}
		prev = r
	}
	// From 60% of the ceiling to 90% within 5 s of the drop.
	if got := s.Rate(at(5)); got < 0.9*97 {
		t.Errorf("5 s after a drop at 60: %v", got)
	}
	if s.Recovered(at(k)) {
		t.Error("recovered below the ceiling")
	}
	if !s.Recovered(at(10)) || s.Recovered(at(10)) || s.Peak != 0 {
		t.Error("Recovered should report the return to the ceiling once")
	}
	// After the recovery a throttle drops from the ceiling (the rate in
	// use is never taken above it).
	s.Throttled(at(11), at(10.5), 1000)
	if got := s.Rate(at(11)); math.Abs(got-Backoff*97) > 1e-9 {
		t.Errorf("drop after recovery: %v", got)
	}
}

func TestStateFloor(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s := State{Ceiling: 48}
	for i := range 100 {
		now := t0.Add(time.Duration(i) * time.Millisecond)
		s.Throttled(now, now, s.Rate(now))
	}
	if got := s.Rate(t0.Add(100 * time.Millisecond)); got < MinRate {
		t.Errorf("rate %v under the floor", got)
	}
	tiny := State{Ceiling: 0.5}
	tiny.Throttled(t0, t0, 0.5)
	if got := tiny.Rate(t0); got != 0.5 {
		t.Errorf("a ceiling under MinRate: %v", got)
	}
}
