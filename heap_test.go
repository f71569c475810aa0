package livempu_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"testing"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/pager"
)

// endlessRecords is a livempu.API that serves total records in pages built
// on the fly, like a service holding far more than fits in memory. Each
// record has its own MsgID, as the service's do, so that the walk sees new
// records on every page.
type endlessRecords struct{ total int }

func (e endlessRecords) ListRtcMPUEventSubRecord(_ context.Context, req *livempu.ListRtcMPUEventSubRecordRequest) (*livempu.ListRtcMPUEventSubRecordResponse, error) {
	lo, hi := (req.PageNo-1)*req.PageSize, min(req.PageNo*req.PageSize, e.total)
	resp := &livempu.ListRtcMPUEventSubRecordResponse{RequestID: "r", HasMore: hi < e.total, Logs: make([]livempu.EventSubRecord, 0, max(hi-lo, 0))}
	for i := lo; i < hi; i++ {
		resp.Logs = append(resp.Logs, livempu.EventSubRecord{AppID: "a", MsgID: strconv.Itoa(i), Data: `{"EventType":1}`, HTTPCode: 200})
	}
	resp.Count = len(resp.Logs)
	return resp, nil
}

func (endlessRecords) ListRtcMPUTaskDetail(context.Context, *livempu.ListRtcMPUTaskDetailRequest) (*livempu.ListRtcMPUTaskDetailResponse, error) {
	return nil, errors.New("not used")
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestWalkingAMillionRecordsKeepsTheHeapFlat measures the heap in use,
// inside the loop, after 10,000 records and after 1,000,000: the walk must not
// accumulate records or pages, with or without prefetch.
func TestWalkingAMillionRecordsKeepsTheHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("walks a million records")
	}
	const total = 1_000_000
	for _, prefetch := range []int{0, 4} {
		var at10k, at1m uint64
		n := 0
		for _, err := range livempu.EventSubRecords(context.Background(), endlessRecords{total}, recordReq(), pager.WithPrefetch(prefetch)) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			switch n {
			case 10_000:
				at10k = heapInUse()
			case total:
				at1m = heapInUse()
			}
		}
		if n != total {
			t.Fatalf("walked %d records", n)
		}
		growth := int64(at1m) - int64(at10k)
		t.Logf("prefetch %d: heap in use %d KiB after 10k records, %d KiB after 1M (growth %d KiB)", prefetch, at10k>>10, at1m>>10, growth>>10)
		if growth > 4<<20 {
			t.Errorf("prefetch %d: heap grew by %d KiB between 10k and 1M records", prefetch, growth>>10)
		}
	}
}
