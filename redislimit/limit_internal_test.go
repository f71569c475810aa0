package redislimit

import (
	"testing"
	"time"
)

func TestGCRALimit(t *testing.T) {
	// GCRA admits one request per Period/Rate; it must be the requested
	// interval, also for rates that are not whole numbers (rounding them
	// would overshoot the budget).
	sec := float64(time.Second) // a variable: constant expressions would have to be exact
	for perSecond, interval := range map[float64]time.Duration{
		97:     time.Second / 97,
		48:     time.Second / 48,
		48.5:   time.Duration(sec / 48.5),
		0.25:   4 * time.Second,
		0.0015: time.Duration(sec / 0.0015),
	} {
		got, err := gcraLimit(perSecond)
		if err != nil || got.Burst != 1 || got.Period/time.Duration(got.Rate) != interval {
			t.Errorf("gcraLimit(%v) = %+v, %v; want one request every %v", perSecond, got, err, interval)
		}
	}
	for _, bad := range []float64{0, -1, 1e-4, 2e6} {
		if _, err := gcraLimit(bad); err == nil {
			t.Errorf("gcraLimit(%v) accepted", bad)
		}
	}
}
