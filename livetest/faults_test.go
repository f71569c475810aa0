package livetest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	const tasks = livempu.ActionListRtcMPUTaskDetail
	const recs = livempu.ActionListRtcMPUEventSubRecord
	call := func(t *testing.T, c *livempu.Client, srv *livetest.Server, action string) error {
		var err error
		if action == tasks {
			_, err = c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 1, PageNo: 1})
		} else {
			_, err = c.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 1, 1))
		}
		return err
	}
	fast := livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond)
	for _, action := range []string{tasks, recs} {
		t.Run(action, func(t *testing.T) {
			t.Run("cut without retry", func(t *testing.T) {
				srv := livetest.NewServer(t)
				srv.Inject(livetest.Cut(), 1, livetest.ForAction(action))
				err := call(t, srv.Client(livempu.WithMaxRetries(0)), srv, action)
				var apiErr *livempu.APIError
				if err == nil || errors.As(err, &apiErr) || errors.Is(err, livempu.ErrMalformedResponse) {
					t.Fatalf("got %v", err)
				}
				r := srv.Requests()
				if len(r) != 1 || r[0].Status != 0 || srv.Stats().Faulted != 1 {
					t.Errorf("requests %+v", r)
				}
			})
			t.Run("cut then retry", func(t *testing.T) {
				srv := livetest.NewServer(t)
				srv.Inject(livetest.Cut(), 2, livetest.ForAction(action))
				if err := call(t, srv.Client(fast), srv, action); err != nil {
					t.Fatal(err)
				}
				if st := srv.Stats(); st.Requests != 3 || st.Faulted != 2 || st.Succeeded != 1 {
					t.Errorf("stats %+v", st)
				}
			})
			t.Run("broken body", func(t *testing.T) {
				srv := livetest.NewServer(t)
				srv.Inject(livetest.Break(), 1, livetest.ForAction(action))
				err := call(t, srv.Client(), srv, action) // a 200 is never retried
				var respErr *livempu.ResponseError
				if !errors.Is(err, livempu.ErrMalformedResponse) || !errors.As(err, &respErr) || respErr.StatusCode != 200 || respErr.RequestID == "" {
					t.Fatalf("got %v", err)
				}
				if err := call(t, srv.Client(), srv, action); err != nil {
					t.Errorf("after the fault: %v", err)
				}
			})
			t.Run("HTML 502", func(t *testing.T) {
				srv := livetest.NewServer(t)
				srv.Inject(livetest.HTML(502), 1, livetest.ForAction(action))
				err := call(t, srv.Client(livempu.WithMaxRetries(0)), srv, action)
				var respErr *livempu.ResponseError
				if !errors.Is(err, livempu.ErrMalformedResponse) || !errors.As(err, &respErr) || respErr.StatusCode != 502 ||
					!strings.Contains(respErr.BodyPrefix, "502 Bad Gateway") {
					t.Fatalf("got %v", err)
				}
				srv.Inject(livetest.HTML(0), 1, livetest.ForAction(action)) // an invalid status means 502
				if err := call(t, srv.Client(fast), srv, action); err != nil {
					t.Errorf("retried: %v", err)
				}
				if st := srv.Stats(); st.Faulted != 2 || st.Succeeded != 1 {
					t.Errorf("stats %+v", st)
				}
			})
		})
	}
	t.Run("queue order and any action", func(t *testing.T) {
		srv := livetest.NewServer(t)
		srv.Inject(livetest.Fail(500, "InternalError"), 1, nil)
		srv.Inject(livetest.Fail(403, "Forbidden.RAM"), 1, livetest.ForAction(tasks))
		srv.Inject(livetest.Fail(500, "Ignored"), 0, livetest.ForAction(tasks))
		c := srv.Client(livempu.WithMaxRetries(0))
		if err := call(t, c, srv, recs); !errors.Is(err, livempu.ErrInternalError) {
			t.Errorf("first: %v", err)
		}
		if err := call(t, c, srv, tasks); !errors.Is(err, livempu.ErrForbidden) {
			t.Errorf("second: %v", err)
		}
		if err := call(t, c, srv, tasks); err != nil {
			t.Errorf("third: %v", err)
		}
		srv.Inject(livetest.Fail(500, "InternalError"), 5, livetest.ForAction(tasks))
		srv.ClearFaults()
		if err := call(t, c, srv, tasks); err != nil {
			t.Errorf("after ClearFaults: %v", err)
		}
	})
}

func TestLatency(t *testing.T) {
	t.Parallel()
	const action = livempu.ActionListRtcMPUTaskDetail
	srv := livetest.NewServer(t)
	srv.SetLatency("", 50*time.Millisecond)
	// No client-side limiter: the demo account's process-wide one is
	// shared with the parallel tests, and one of them throttling it would
	// hold the second call at the limiter past its 100 ms deadline, so
	// that it never reached the server.
	c := srv.Client(livempu.WithRateLimiter(action, nil))
	start := time.Now()
	if _, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, TaskID: "t"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered in %v", d)
	}

	srv.SetLatency(action, time.Minute)
	cctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err := c.ListRtcMPUTaskDetail(cctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, TaskID: "t"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
	// The server notices the client left and records no answer.
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := srv.Requests()
		if len(r) == 2 && r[1].Status == 0 && srv.Stats().Accepted == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("requests %+v", r)
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv.SetLatency(action, 0)
	srv.SetLatency("", 0)
	start = time.Now()
	if _, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, TaskID: "t"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 40*time.Millisecond {
		t.Logf("answered in %v after removing the latency", d)
	}
}

func TestCloseDuringLatency(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t)
	srv.SetLatency("", time.Hour)
	c := srv.Client(livempu.WithMaxRetries(0))
	done := make(chan error, 1)
	go func() {
		_, err := c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, TaskID: "t"})
		done <- err
	}()
	// Requests are recorded when answered, so give this one time to arrive.
	time.Sleep(200 * time.Millisecond)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on a sleeping request")
	}
	err := <-done
	if err == nil {
		t.Error("the call succeeded")
	}
	// The connection is dropped without an answer: a network error, not an
	// empty 200 that would read as a malformed page.
	if errors.Is(err, livempu.ErrMalformedResponse) {
		t.Errorf("err = %v: the server answered instead of dropping the connection", err)
	}
	srv.Close() // twice is fine
}

func TestSetLatencyZeroFallsBackToTheServerWide(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t)
	c := srv.Client(livempu.WithMaxRetries(0))
	srv.SetLatency("", 200*time.Millisecond)
	srv.SetLatency(livempu.ActionListRtcMPUTaskDetail, time.Second)
	srv.SetLatency(livempu.ActionListRtcMPUTaskDetail, 0)
	start := time.Now()
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, TaskID: "t"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 190*time.Millisecond || d > 900*time.Millisecond {
		t.Errorf("answered after %v, want the server-wide 200ms", d)
	}
}

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]livetest.Option{
		{livetest.WithAccount("", "s", "")},
		{livetest.WithAccount("a", "s", ""), livetest.WithAccount("a", "t", "")},
		{livetest.WithGenerated(-1, 0, 1)},
		{livetest.WithQPS(livempu.ActionListRtcMPUTaskDetail, -1)},
	} {
		if msg := newServerFailure(t, opts...); msg == "" {
			t.Errorf("NewServer accepted %d options", len(opts))
		}
		if p := panicOf(func() { livetest.NewServer(nil, opts...).Close() }); p == nil {
			t.Errorf("NewServer(nil) accepted %d options", len(opts))
		}
	}
	f := &fatalTB{TB: t}
	srv := livetest.NewServer(f, nil, livetest.WithClock(nil))
	if f.msg != "" {
		t.Fatal(f.msg)
	}
	if c := srv.Client(livempu.WithMaxRetries(-1)); c != nil || !strings.Contains(f.msg, "livetest: Client:") {
		t.Errorf("Client with an invalid option: %v, failure %q", c, f.msg)
	}
	prog := livetest.NewServer(nil)
	defer prog.Close()
	if p := panicOf(func() { prog.Client(livempu.WithMaxRetries(-1)) }); p == nil {
		t.Error("Client of a NewServer(nil) server accepted an invalid option")
	}
}

func TestFixedClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := livetest.NewServer(t, livetest.WithClock(func() time.Time { return at }), livetest.WithGenerated(2, 30, 5))
	c := srv.Client() // timestamps with the server clock
	page, err := c.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 100, 1))
	if err != nil {
		t.Fatal(err)
	}
	if page.Count != 30 || page.Logs[29].Time.After(at) || page.Logs[0].Time.Before(at.Add(-livempu.RecordRetention)) {
		t.Errorf("count %d, %v .. %v", page.Count, page.Logs[0].Time, page.Logs[page.Count-1].Time)
	}
	// A client on the real clock is far off the server's.
	real := srv.Client(livempu.WithClock(time.Now))
	if _, err := real.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 100, 1)); !errors.Is(err, livempu.ErrTimestampExpired) {
		t.Errorf("got %v", err)
	}
}
