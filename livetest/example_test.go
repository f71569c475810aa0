package livetest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// In a test, use livetest.NewServer(t, ...), which closes the server when
// the test ends and fails it on error; a program or an example passes a nil
// t and closes the server itself.
func ExampleNewServer() {
	srv := livetest.NewServer(nil, livetest.WithGenerated(25, 0, 1))
	defer srv.Close()

	client := srv.Client()
	ctx := context.Background()
	for no := 1; ; no++ {
		page, err := client.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{
			AppID: livetest.DemoAppID, PageSize: 10, PageNo: no,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("page %d: %d tasks\n", no, len(page.MPUTasks))
		if len(page.MPUTasks) < 10 { // no HasMore: a short page is the last
			break
		}
	}
	// Output:
	// page 1: 10 tasks
	// page 2: 10 tasks
	// page 3: 5 tasks
}

func ExampleServer_Client() {
	srv := livetest.NewServer(nil)
	defer srv.Close()
	srv.AddRecords(livempu.EventSubRecord{
		AppID: "my-app", SubID: "sub-1", MsgID: "msg-1", HTTPCode: 200,
		Time: srv.Now().Add(-time.Hour), Data: `{"EventType":1,"MsgId":"msg-1","TaskId":"task-1"}`,
	})

	client := srv.Client(livempu.WithSignatureVersion(signer.V1))
	page, err := client.ListRtcMPUEventSubRecord(context.Background(), &livempu.ListRtcMPUEventSubRecordRequest{
		AppID:     "my-app",
		StartTime: srv.Now().Add(-24 * time.Hour),
		EndTime:   srv.Now(),
		PageSize:  100,
		PageNo:    1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, _ := page.Logs[0].Event()
	fmt.Println(page.Count, page.HasMore, page.Logs[0].MsgID, ev.TaskID, page.Logs[0].Delivered())
	// Output:
	// 1 false msg-1 task-1 true
}

func ExampleForAction() {
	srv := livetest.NewServer(nil, livetest.WithApps("my-app"))
	defer srv.Close()
	// The next request fails as an overloaded service would; the SDK
	// retries it, signing afresh.
	srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))

	client := srv.Client(livempu.WithRetryBackoff(time.Millisecond, 10*time.Millisecond))
	_, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", TaskID: "task-1"})
	st := srv.Stats()
	fmt.Println(err, st.Requests, st.Faulted, st.Succeeded)

	// Without retries the error matches a sentinel.
	srv.Inject(livetest.Fail(400, "Throttling.User"), 1, nil)
	client = srv.Client(livempu.WithMaxRetries(0))
	_, err = client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", TaskID: "task-1"})
	fmt.Println(errors.Is(err, livempu.ErrThrottled))
	// Output:
	// <nil> 2 1 1
	// true
}

func ExampleServer_Requests() {
	srv := livetest.NewServer(nil, livetest.WithApps("my-app"))
	defer srv.Close()
	client := srv.Client()
	_, _ = client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 20, PageNo: 3})

	for _, r := range srv.Requests() {
		fmt.Println(r.Action, r.SignatureVersion, r.Status, r.Code == "")
		fmt.Println(r.Params)
		fmt.Println("Authorization:", r.Header.Get("Authorization"))
	}
	// Output:
	// ListRtcMPUTaskDetail ACS3-HMAC-SHA256 200 true
	// map[AppId:[my-app] PageNo:[3] PageSize:[20]]
	// Authorization: REDACTED
}

func ExampleWithApps() {
	// The server knows DemoAppID, the applications of its tasks and
	// records, and those declared with WithApps; any other AppId is
	// refused as the service refuses it.
	srv := livetest.NewServer(nil, livetest.WithApps("new-app"))
	defer srv.Close()
	client := srv.Client()

	page, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "new-app", PageSize: 10, PageNo: 1})
	fmt.Println(len(page.MPUTasks), err)

	_, err = client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "typo-app", PageSize: 10, PageNo: 1})
	var apiErr *livempu.APIError
	errors.As(err, &apiErr)
	fmt.Println(errors.Is(err, livempu.ErrInvalidAppID), apiErr.StatusCode, apiErr.Code)
	// Output:
	// 0 <nil>
	// true 400 InvalidAppId
}

func ExampleGenerate() {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	tasks, records := livetest.Generate(2, 3, 1, now)
	fmt.Println(len(tasks), len(records))
	for _, r := range records {
		ev, err := r.Event()
		fmt.Println(r.Time.After(now.Add(-livempu.RecordRetention)), r.SubID != "", ev.MsgID == r.MsgID, err)
	}
	// Output:
	// 2 3
	// true true true <nil>
	// true true true <nil>
	// true true true <nil>
}
