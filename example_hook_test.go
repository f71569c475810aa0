package livempu_test

import (
	"context"
	"fmt"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

// A Hook counting throttled attempts, as a metrics library would, and
// printing each attempt: the throttled first attempt says how long the
// client waits before the second.
func ExampleWithHook() {
	srv := exampleServer()
	defer srv.Close()
	srv.Inject(livetest.Fail(400, "Throttling.User"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))

	throttled := 0
	hook := livempu.Hook{
		Attempt: func(_ context.Context, a livempu.Attempt) {
			if a.Outcome == livempu.OutcomeThrottled {
				throttled++ // a real hook must be safe for concurrent calls
			}
			fmt.Printf("attempt %d of %s: %s %d %s, retry: %t\n", a.Number, a.Action, a.Outcome, a.StatusCode, a.Code, a.Retry)
		},
		OperationEnd: func(_ context.Context, r livempu.Operation) {
			fmt.Printf("%s: %d attempts, error: %v\n", r.Action, r.Attempts, r.Err)
		},
	}
	client := srv.Client(livempu.WithHook(hook), livempu.WithRetryBackoff(time.Millisecond, time.Millisecond))
	resp, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 10, PageNo: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("throttled:", throttled, "attempts:", resp.Attempts, "request id set:", resp.RequestID != "")
	// Output:
	// attempt 1 of ListRtcMPUTaskDetail: throttled 400 Throttling.User, retry: true
	// attempt 2 of ListRtcMPUTaskDetail: ok 200 , retry: false
	// ListRtcMPUTaskDetail: 2 attempts, error: <nil>
	// throttled: 1 attempts: 2 request id set: true
}

// RequestID finds the service's request id in any error of the SDK, for
// Alibaba support.
func ExampleRequestID() {
	srv := exampleServer()
	defer srv.Close()
	srv.Inject(livetest.Fail(403, "Forbidden.RAM"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
	client := srv.Client()
	_, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 10, PageNo: 1})
	fmt.Println(livempu.RequestID(err) != "")
	// Output: true
}
