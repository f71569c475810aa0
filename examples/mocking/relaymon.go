// Package relaymon is a small piece of downstream code that uses the SDK:
// it takes the livempu.API interface, not *livempu.Client, so its tests can
// substitute a fake. Its tests show the three ways to mock the SDK: a
// hand-written implementation of livempu.API (interface_test.go), the
// livetest fake server (livetest_test.go), and jarcoal/httpmock responders
// on the client's *http.Client (httpmock_test.go).
package relaymon

import (
	"context"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// FailedCallbacks counts the callbacks of appID in the last window before
// now (clipped to the seven days the service keeps) that were not delivered
// with a 2xx or whose event carries an error code.
func FailedCallbacks(ctx context.Context, api livempu.API, appID string, window time.Duration, now time.Time) (int, error) {
	start, end := livempu.RecordWindow(now, window)
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: appID, StartTime: start, EndTime: end}
	failed := 0
	for rec, err := range livempu.EventSubRecords(ctx, api, req) {
		if err != nil {
			return failed, err
		}
		ev, evErr := rec.Event()
		if !rec.Delivered() || evErr != nil || ev.Failed() {
			failed++
		}
	}
	return failed, nil
}

// MixedTasks returns the IDs of appID's tasks that mix several streams.
func MixedTasks(ctx context.Context, api livempu.API, appID string) ([]string, error) {
	var ids []string
	for task, err := range livempu.MPUTasks(ctx, api, &livempu.ListRtcMPUTaskDetailRequest{AppID: appID}) {
		if err != nil {
			return nil, err
		}
		if task.MixMode == livempu.MixModeMixed {
			ids = append(ids, task.TaskID)
		}
	}
	return ids, nil
}
