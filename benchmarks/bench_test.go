package benchmarks

import (
	"context"
	"github.com/livempu/livempu-go/internal/adapt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/acsauth"
	"github.com/livempu/livempu-go/signer"
)

// The Benchmark functions run every case of a group as a sub-benchmark,
// named group/op/size/impl, e.g.
//
//	go test -run '^$' -bench 'ClientOnly/ListRtcMPUTaskDetail/100' -benchmem
//
// cmd/benchtable runs the same cases alternately and prints the table.

func BenchmarkClientOnly(b *testing.B) { benchGroup(b, ClientOnly) }
func BenchmarkLoopback(b *testing.B)   { benchGroup(b, Loopback) }
func BenchmarkWalk(b *testing.B)       { benchGroup(b, Walk) }

func benchGroup(b *testing.B, group string) {
	for _, c := range Cases() {
		if c.Group == group {
			b.Run(strings.TrimPrefix(c.Name(), group+"/"), c.Bench)
		}
	}
}

// TestCasesRunOnce runs every benchmark body once (twice, to exercise
// connection and buffer reuse), so that `go test ./...` keeps them working.
func TestCasesRunOnce(t *testing.T) {
	for _, c := range Cases() {
		t.Run(c.Name(), func(t *testing.T) {
			call, cleanup, err := c.Setup()
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			for range 2 {
				if err := call(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestBothSDKsSign checks on the loopback server that every request of both
// SDKs carries a valid signature (V3 and V1 for ours, V1 for the official
// SDK), so that the comparison is between SDKs doing the same work.
func TestBothSDKsSign(t *testing.T) {
	pages := &Pages{Tasks: TaskPage(3), Records: [][]byte{RecordPage(4, 3, 1)}}
	want := map[Impl]signer.Version{Ours: signer.V3, OursV1: signer.V1, Official: signer.V1}
	for impl, version := range want {
		t.Run(impl.String(), func(t *testing.T) {
			check := func(r *http.Request) error {
				v, err := acsauth.Verify(r, nil, func(id string) (string, bool) { return AccessKeySecret, id == AccessKeyID })
				if err == nil && signer.Version(v.Version) != version {
					t.Errorf("signed with %v, want %v", v.Version, version)
				}
				return err
			}
			srv := NewServer(pages, 0, check)
			defer srv.Close()
			c := Case{Group: Loopback, Op: "", Size: 3, Impl: impl}
			for _, op := range []string{"ListRtcMPUTaskDetail", "ListRtcMPUEventSubRecord"} {
				c.Op = op
				call, err := c.newCall(nil, srv.URL, srv.Host())
				if err != nil {
					t.Fatal(err)
				}
				if err := call(context.Background()); err != nil {
					t.Fatalf("%s: %v", op, err)
				}
			}
			if srv.Rejected() != 0 || srv.Accepted() != 2 {
				t.Fatalf("server: %d rejected, %d accepted; want 0 and 2", srv.Rejected(), srv.Accepted())
			}
		})
	}
}

// TestSaturationShort runs the saturation scenario briefly. The loopback
// server stamps arrivals when it gets the CPU, so on a busy machine it can
// see a burst that ours never sent and throttle it; ours is judged on what
// it controls and on what its user sees: no call failed (a throttle is
// retried), and the server saw no more requests than ours' limiter allows
// in the time the run took (a delay only makes requests later). The
// official SDK, without a limiter, is throttled whenever it sent more than
// the limit in some second, which is certain once it sent more than limit
// times the whole seconds of the run (a starved machine may not get there).
func TestSaturationShort(t *testing.T) {
	const d = 600 * time.Millisecond
	ours, err := Saturate(Ours, 16, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	sent := ours.Accepted + ours.Throttled
	allowed := 1 + int64(adapt.Rate(adapt.DocumentedQPS(livempu.ActionListRtcMPUEventSubRecord))*ours.Elapsed.Seconds())
	if ours.Failed != 0 || ours.OK == 0 || sent > allowed {
		t.Errorf("ours: %+v; want successes, no failed call, at most %d requests in %v", ours, allowed, ours.Elapsed)
	}
	off, err := Saturate(Official, 16, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	offSent := off.Accepted + off.Throttled
	mustThrottle := offSent > SaturationLimit*int64(math.Ceil(off.Elapsed.Seconds()))
	if off.OK == 0 || mustThrottle && off.Throttled == 0 {
		t.Errorf("official: %+v; want successes and, having sent %d in %v, throttled responses", off, offSent, off.Elapsed)
	}
	t.Logf("ours %.0f/s, %d of %d throttled; official %.0f/s, %d of %d throttled", ours.PerSecond(), ours.Throttled, sent, off.PerSecond(), off.Throttled, offSent)
}

// TestServerWindow checks the throttling server's sliding window.
func TestServerWindow(t *testing.T) {
	s := &Server{limit: 3, window: make([]time.Time, 0, 3)}
	t0 := time.Unix(1000, 0)
	for i, c := range []struct {
		at   time.Duration
		want bool
	}{
		{0, true}, {100 * time.Millisecond, true}, {200 * time.Millisecond, true},
		{900 * time.Millisecond, false}, // 3 in the last second
		{time.Second, true},             // the first left the window
		{1050 * time.Millisecond, false},
		{1100 * time.Millisecond, true},
	} {
		if got := s.admit(t0.Add(c.at)); got != c.want {
			t.Errorf("arrival %d at %v: admitted %v, want %v", i, c.at, got, c.want)
		}
	}
}
