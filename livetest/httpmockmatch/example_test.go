package httpmockmatch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest/httpmockmatch"
	"github.com/livempu/livempu-go/pager"
)

// Serve 25 tasks page by page, fail page 2 with a throttling error, and
// answer what is not mocked (here the other operation) with NoResponder's
// error.
func Example() {
	tasks := make([]livempu.MPUTask, 25)
	for i := range tasks {
		tasks[i] = livempu.MPUTask{AppID: "my-app", TaskID: fmt.Sprintf("task-%02d", i+1)}
	}
	mt := httpmock.NewMockTransport() // or httpmock.ActivateNonDefault(hc)
	mt.RegisterNoResponder(httpmockmatch.NoResponder)
	url := livempu.DefaultEndpoint + "/"
	mt.RegisterMatcherResponder(http.MethodPost, url,
		httpmockmatch.Action(livempu.ActionListRtcMPUTaskDetail), httpmockmatch.TaskPages(tasks))
	mt.RegisterMatcherResponder(http.MethodPost, url,
		httpmockmatch.Param(livempu.ActionListRtcMPUTaskDetail, "PageNo", "2"),
		httpmockmatch.Error(400, "Throttling.User", "Request was denied due to user flow control."))

	client, err := livempu.NewClient(
		livempu.WithHTTPClient(&http.Client{Transport: mt}),
		livempu.WithStaticCredentials("id", "secret", ""),
		livempu.WithMaxRetries(0),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	n := 0
	for _, err := range livempu.MPUTasks(ctx, client, &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 10}, pager.WithPrefetch(2)) {
		if err != nil {
			var pe *pager.PageError
			errors.As(err, &pe)
			fmt.Println("after", n, "tasks, page", pe.PageNo, "throttled:", errors.Is(err, livempu.ErrThrottled))
			break
		}
		n++
	}
	end := time.Date(2024, 4, 9, 12, 0, 0, 0, time.UTC)
	_, err = client.ListRtcMPUEventSubRecord(ctx, &livempu.ListRtcMPUEventSubRecordRequest{
		AppID: "my-app", StartTime: end.Add(-time.Hour), EndTime: end, PageSize: 100, PageNo: 1,
	})
	var apiErr *livempu.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
		fmt.Println(apiErr.Message)
	}
	// Output:
	// after 10 tasks, page 2 throttled: true
	// 501 httpmockmatch.NoResponder
	// no httpmock responder matches POST https://live.aliyuncs.com/ ListRtcMPUEventSubRecord AppId=my-app EndTime=2024-04-09T12:00:00Z PageNo=1 PageSize=100 StartTime=2024-04-09T11:00:00Z
}
