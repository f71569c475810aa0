package relaymon_test

import (
	"context"
	"errors"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/examples/mocking"
)

// fakeAPI is a hand-written livempu.API: it serves fixed pages, and the
// SDK's iterators page through it exactly as through a real client.
type fakeAPI struct {
	records [][]livempu.EventSubRecord // one slice per page
	err     error
}

func (f *fakeAPI) ListRtcMPUEventSubRecord(_ context.Context, req *livempu.ListRtcMPUEventSubRecordRequest) (*livempu.ListRtcMPUEventSubRecordResponse, error) {
	if f.err != nil {
		return nil, f.err
	}
	page := f.records[req.PageNo-1]
	return &livempu.ListRtcMPUEventSubRecordResponse{RequestID: "fake", Count: len(page), HasMore: req.PageNo < len(f.records), Logs: page}, nil
}

func (f *fakeAPI) ListRtcMPUTaskDetail(context.Context, *livempu.ListRtcMPUTaskDetailRequest) (*livempu.ListRtcMPUTaskDetailResponse, error) {
	return &livempu.ListRtcMPUTaskDetailResponse{RequestID: "fake", MPUTasks: []livempu.MPUTask{
		{TaskID: "a", MixMode: livempu.MixModeMixed}, {TaskID: "b", MixMode: livempu.MixModeSingle},
	}}, nil
}

func TestFailedCallbacksWithAFakeAPI(t *testing.T) {
	ok := livempu.EventSubRecord{HTTPCode: 200, Data: `{"EventType":1,"Payload":{"ErrorCode":0}}`}
	undelivered := livempu.EventSubRecord{HTTPCode: 500, Data: `{"EventType":1}`}
	eventError := livempu.EventSubRecord{HTTPCode: 200, Data: `{"EventType":1,"Payload":{"ErrorCode":1001}}`}
	api := &fakeAPI{records: [][]livempu.EventSubRecord{{ok, undelivered}, {eventError, ok}}}

	n, err := relaymon.FailedCallbacks(context.Background(), api, "app", time.Hour, time.Now())
	if err != nil || n != 2 {
		t.Fatalf("FailedCallbacks = %d, %v; want 2", n, err)
	}
	ids, err := relaymon.MixedTasks(context.Background(), api, "app")
	if err != nil || len(ids) != 1 || ids[0] != "a" {
		t.Fatalf("MixedTasks = %v, %v", ids, err)
	}

	api.err = &livempu.APIError{StatusCode: 403, Code: "Forbidden.RAM"}
	if _, err := relaymon.FailedCallbacks(context.Background(), api, "app", time.Hour, time.Now()); !errors.Is(err, livempu.ErrForbidden) {
		t.Fatalf("err = %v, want ErrForbidden", err)
	}
}
