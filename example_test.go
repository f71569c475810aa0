package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/pager"
	"github.com/livempu/livempu-go/signer"
	"golang.org/x/time/rate"
)

// exampleServer is a livetest server with three fixed tasks and records.
func exampleServer() *livetest.Server {
	now := time.Date(2024, 4, 9, 12, 0, 0, 0, time.UTC)
	var tasks []livempu.MPUTask
	for i, mode := range []livempu.MixMode{livempu.MixModeMixed, livempu.MixModeSingle, livempu.MixModeMixed} {
		tasks = append(tasks, livempu.MPUTask{AppID: "my-app", TaskID: fmt.Sprintf("task-%d", i+1), MixMode: mode, Region: livempu.RegionAPSingapore, MaxIdleTime: 30 * time.Second})
	}
	var records []livempu.EventSubRecord
	for i, code := range []int{200, 500, 200} {
		records = append(records, livempu.EventSubRecord{AppID: "my-app", SubID: "sub-1", MsgID: fmt.Sprintf("msg-%d", i+1), HTTPCode: code,
			Time: now.Add(time.Duration(i-3) * time.Hour), Cost: 20 * time.Millisecond, CallbackURL: "https://example.com/cb",
			Data: fmt.Sprintf(`{"EventType":1,"MsgId":"msg-%d","TaskId":"task-%d","CallbackTs":%d,"Payload":{"EventCode":1,"ErrorCode":%d}}`, i+1, i+1, now.UnixMilli(), i*1001)})
	}
	srv := livetest.NewServer(nil, livetest.WithClock(func() time.Time { return now }))
	srv.AddTasks(tasks...)
	srv.AddRecords(records...)
	return srv
}

func ExampleNewClient() {
	// Credentials come from the environment or Alibaba's profile files by
	// default; here they are given explicitly.
	client, err := livempu.NewClient(
		livempu.WithStaticCredentials("LTAI5tExampleKeyId", "example-secret", ""),
		livempu.WithRegion("ap-southeast-1"), // Singapore: live.ap-southeast-1.aliyuncs.com
		livempu.WithSignatureVersion(signer.V3),
		livempu.WithMaxRetries(5),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client)
	// Output: livempu.Client{endpoint: https://live.ap-southeast-1.aliyuncs.com/, region: ap-southeast-1, signature: ACS3-HMAC-SHA256}
}

func ExampleClient_ListRtcMPUTaskDetail() {
	srv := exampleServer()
	defer srv.Close()
	client := srv.Client()

	page, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 2, PageNo: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range page.MPUTasks {
		fmt.Println(t.TaskID, t.MixMode, t.Region, t.MaxIdleTime)
	}
	// Output:
	// task-1 mixed AP-Singapore 30s
	// task-2 single AP-Singapore 30s
}

func ExampleMPUTasks() {
	srv := exampleServer()
	defer srv.Close()

	// Every page is walked; PageSize defaults to 100.
	for task, err := range livempu.MPUTasks(context.Background(), srv.Client(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 2}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(task.TaskID)
	}
	// Output:
	// task-1
	// task-2
	// task-3
}

func ExampleEventSubRecords() {
	srv := exampleServer()
	defer srv.Close()
	end := srv.Now()
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: "my-app", StartTime: end.Add(-24 * time.Hour), EndTime: end}

	for rec, err := range livempu.EventSubRecords(context.Background(), srv.Client(), req, pager.WithPrefetch(2)) {
		if err != nil {
			fmt.Println(err)
			return
		}
		ev, err := rec.Event()
		if err != nil {
			fmt.Println(rec.MsgID, err)
			continue
		}
		fmt.Printf("%s HTTP %d delivered=%v task=%s error=%d\n", rec.MsgID, rec.HTTPCode, rec.Delivered(), ev.TaskID, ev.Payload.ErrorCode)
	}
	// Output:
	// msg-1 HTTP 200 delivered=true task=task-1 error=0
	// msg-2 HTTP 500 delivered=false task=task-2 error=1001
	// msg-3 HTTP 200 delivered=true task=task-3 error=2002
}

func ExampleAPIError() {
	srv := exampleServer()
	defer srv.Close()
	srv.Inject(livetest.Fail(403, "OperationDenied"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))

	_, err := srv.Client().ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 10, PageNo: 1})
	var apiErr *livempu.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Code, apiErr.StatusCode)
	}
	fmt.Println(errors.Is(err, livempu.ErrOperationDenied), errors.Is(err, livempu.ErrThrottled))
	// Output:
	// OperationDenied 403
	// true false
}

func ExampleValidationError() {
	client, _ := livempu.NewClient(livempu.WithStaticCredentials("id", "secret", ""))
	// Nothing is sent: the page size is out of range.
	_, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 500, PageNo: 1})
	fmt.Println(errors.Is(err, livempu.ErrInvalidRequest))
	fmt.Println(err)
	// Output:
	// true
	// livempu: ListRtcMPUTaskDetail: invalid request: PageSize: must be between 1 and 100 (got 500)
}

func ExampleWithRateLimiter() {
	// Leave a third of the account's ListRtcMPUTaskDetail budget to other
	// jobs: this client may send 33 requests per second at most.
	lim := rate.NewLimiter(33, 1)
	_, err := livempu.NewClient(
		livempu.WithStaticCredentials("id", "secret", ""),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, lim),
	)
	fmt.Println(err, lim.Limit(), lim.Burst())
	// Output: <nil> 33 1
}

func ExampleParseMPUEvent() {
	ev, err := livempu.ParseMPUEvent(`{"EventType":1,"MsgId":"m-1","AppId":"rtcdev","TaskId":"mpucallbacktest","CallbackTs":1712656430476,"Payload":{"DstUrl":"rtmp://domain/app/stream","EventTs":1712656430384,"EventCode":1,"ErrorCode":0}}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.EventType, ev.TaskID, ev.CallbackTs.Format(time.RFC3339Nano), ev.Payload.EventCode, ev.Failed())
	// Output: EventType(1) mpucallbacktest 2024-04-09T09:53:50.476Z EventCode(1) false
}

func ExampleRecordWindow() {
	now := time.Date(2024, 4, 9, 12, 0, 0, 500_000_000, time.UTC)
	start, end := livempu.RecordWindow(now, 6*time.Hour)
	fmt.Println(start.Format(time.RFC3339), end.Format(time.RFC3339))
	// Asking for more than the service keeps starts five minutes after its
	// seven-day limit.
	start, end = livempu.RecordWindow(now, 30*24*time.Hour)
	fmt.Println(start.Format(time.RFC3339), end.Format(time.RFC3339))
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: "my-app", StartTime: start, EndTime: end, PageSize: 100, PageNo: 1}
	fmt.Println(req.Validate())
	// Output:
	// 2024-04-09T06:00:00Z 2024-04-09T12:00:00Z
	// 2024-04-02T12:05:00Z 2024-04-09T12:00:00Z
	// <nil>
}

func ExampleWithLimitKey() {
	// Two RAM users of one account whose ListRtcMPUEventSubRecord quota was
	// raised to 200/s share one adaptive budget, paced at up to 195/s.
	shared := []livempu.Option{
		livempu.WithLimitKey("account-1234567890"),
		livempu.WithQPS(livempu.ActionListRtcMPUEventSubRecord, 200),
	}
	a, err := livempu.NewClient(append(shared, livempu.WithStaticCredentials("LTAI-user-a", "secret-a", ""))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := livempu.NewClient(append(shared, livempu.WithStaticCredentials("LTAI-user-b", "secret-b", ""))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.LimiterRate(livempu.ActionListRtcMPUEventSubRecord), b.LimiterRate(livempu.ActionListRtcMPUEventSubRecord))
	// Output: 195 195
}
