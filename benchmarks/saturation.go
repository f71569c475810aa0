package benchmarks

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livempu/livempu-go/signer"
)

// SaturationLimit is the server's limit: accepted requests in any sliding
// second, the documented QPS of ListRtcMPUEventSubRecord (100).
const SaturationLimit = 100

// SaturationSize is the page size of the saturation calls.
const SaturationSize = 10

// SaturationResult is what one SDK achieved against the throttling server.
type SaturationResult struct {
	Impl       Impl
	Goroutines int
	Elapsed    time.Duration // until the last call returned
	OK         int64         // calls that returned a page
	Failed     int64         // calls that returned an error (throttled, for the official SDK)
	Throttled  int64         // Throttling.User responses the server sent
	Accepted   int64         // requests the server answered with a page
}

// PerSecond is the rate of successful calls.
func (r SaturationResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// Saturate runs goroutines callers of ListRtcMPUEventSubRecord for d against
// a fresh loopback server that throttles over SaturationLimit requests in any
// sliding second. Ours keeps its defaults: the client-side limiter (shared
// by the clients of one AccessKey, at 97% of the documented QPS) and 3
// retries. The official client has no limiter; it is shared by the
// goroutines, as its users share it (one per goroutine under the race
// detector, because it writes its http.Client's Timeout on every call).
// check, if not nil, vets every request on the server.
func Saturate(impl Impl, goroutines int, d time.Duration, check func(*http.Request) error) (SaturationResult, error) {
	pages := &Pages{Tasks: TaskPage(1), Records: [][]byte{RecordPage(SaturationSize+1, SaturationSize, 1)}}
	srv := NewServer(pages, SaturationLimit, check)
	defer srv.Close()

	var calls []Call
	switch impl {
	case Ours, OursV1:
		v := signer.V3
		if impl == OursV1 {
			v = signer.V1
		}
		// The default HTTP client keeps 64 idle connections per host.
		cl, err := NewOurs(nil, srv.URL, v, true)
		if err != nil {
			return SaturationResult{}, err
		}
		calls = []Call{OursRecords(cl, SaturationSize)}
	case Official:
		n := 1
		if raceEnabled {
			n = goroutines
		}
		for range n {
			// Its default transport keeps 2 idle connections per host,
			// which would make this a test of ephemeral ports; give it
			// as many as goroutines.
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.MaxIdleConnsPerHost = goroutines
			cl, err := NewOfficial(t, srv.Host())
			if err != nil {
				return SaturationResult{}, err
			}
			calls = append(calls, OfficialRecords(cl, SaturationSize))
		}
	default:
		return SaturationResult{}, errors.New("saturation: unsupported impl " + impl.String())
	}

	res := SaturationResult{Impl: impl, Goroutines: goroutines}
	var ok, failed atomic.Int64
	// A cancel, not a deadline: rate.Limiter.Wait fails at once, without
	// waiting, when the wait would outlast a deadline.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	stop := time.AfterFunc(d, cancel)
	defer stop.Stop()
	var wg sync.WaitGroup
	for g := range goroutines {
		call := calls[g%len(calls)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				err := call(ctx)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, context.Canceled):
					// Ours, waiting on its limiter when time ran out.
				default:
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.OK, res.Failed = ok.Load(), failed.Load()
	res.Throttled, res.Accepted = srv.Throttled(), srv.Accepted()
	if r := srv.Rejected(); r > 0 {
		return res, errors.New("saturation: the server rejected requests")
	}
	return res, nil
}
