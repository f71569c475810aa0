package redislimit

import (
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

func TestGCRALimit(t *testing.T) {
	for _, tc := range []struct {
		perSecond float64
		want      redis_rate.Limit
	}{
		{97, redis_rate.Limit{Rate: 97, Period: time.Second, Burst: 1}},
		{48, redis_rate.Limit{Rate: 48, Period: time.Second, Burst: 1}},
		{48.5, redis_rate.Limit{Rate: 485, Period: 10 * time.Second, Burst: 1}},
		{0.25, redis_rate.Limit{Rate: 25, Period: 100 * time.Second, Burst: 1}},
		{1.0 / 3, redis_rate.Limit{Rate: 333, Period: 1000 * time.Second, Burst: 1}},
	} {
		got, err := gcraLimit(tc.perSecond)
		if err != nil || got != tc.want {
			t.Errorf("gcraLimit(%v) = %+v, %v; want %+v", tc.perSecond, got, err, tc.want)
		}
	}
	for _, bad := range []float64{0, -1, 1e-4, 2e6} {
		if _, err := gcraLimit(bad); err == nil {
			t.Errorf("gcraLimit(%v) accepted", bad)
		}
	}
}
