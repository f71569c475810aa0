package relaymon_test

import (
	"context"
	"errors"
	"testing"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/examples/mocking"
	"github.com/livempu/livempu-go/livetest"
)

// livetest runs a real HTTP server that signs, pages, throttles and fails
// like the service, so the test exercises the whole client.
func TestFailedCallbacksAgainstLivetest(t *testing.T) {
	srv := livetest.NewServer(t, livetest.WithGenerated(120, 600, 42))
	client := srv.Client()
	ctx := context.Background()

	want := 0
	for _, rec := range srv.Records() {
		ev, err := rec.Event()
		if !rec.Delivered() || err != nil || ev.Failed() {
			want++
		}
	}
	got, err := relaymon.FailedCallbacks(ctx, client, livetest.DemoAppID, livempu.RecordRetention, srv.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got > want || got == 0 {
		t.Fatalf("FailedCallbacks = %d, stored failures %d", got, want)
	}

	ids, err := relaymon.MixedTasks(ctx, client, livetest.DemoAppID)
	if err != nil || len(ids) == 0 {
		t.Fatalf("MixedTasks = %d ids, %v", len(ids), err)
	}

	// Inject a failure into page 2 of the walk: the service is not enabled
	// for the account. The fault is keyed to the page, not to the order in
	// which requests arrive.
	srv.Inject(livetest.Fail(403, "OperationDenied"), 1, func(r livetest.Request) bool {
		return r.Action == livempu.ActionListRtcMPUTaskDetail && r.Params.Get("PageNo") == "2"
	})
	if _, err := relaymon.MixedTasks(ctx, client, livetest.DemoAppID); !errors.Is(err, livempu.ErrOperationDenied) {
		t.Fatalf("err = %v, want ErrOperationDenied", err)
	}
}
