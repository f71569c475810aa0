package relaymon_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/examples/mocking"
	"github.com/livempu/livempu-go/livetest/httpmockmatch"
)

// httpmock intercepts the client's *http.Client. Both operations POST to the
// same URL, so responders are told apart by the action with httpmockmatch.
func TestMixedTasksWithHTTPMock(t *testing.T) {
	hc := &http.Client{}
	client, err := livempu.NewClient(livempu.WithHTTPClient(hc), livempu.WithStaticCredentials("id", "secret", ""))
	if err != nil {
		t.Fatal(err)
	}
	httpmock.ActivateNonDefault(hc) // may come after NewClient
	t.Cleanup(httpmock.DeactivateAndReset)
	// A request nothing matches fails at once with an error naming it,
	// rather than as a network error retried four times.
	httpmock.RegisterNoResponder(httpmockmatch.NoResponder)

	// 150 tasks, one in three mixed, served 100 a page as the service pages.
	var tasks []livempu.MPUTask
	for i := range 150 {
		mode := livempu.MixModeSingle
		if i%3 == 0 {
			mode = livempu.MixModeMixed
		}
		tasks = append(tasks, livempu.MPUTask{AppID: "app", TaskID: fmt.Sprintf("task-%03d", i), MixMode: mode})
	}
	httpmock.RegisterMatcherResponder(http.MethodPost, livempu.DefaultEndpoint+"/",
		httpmockmatch.Action(livempu.ActionListRtcMPUTaskDetail), httpmockmatch.TaskPages(tasks))

	ids, err := relaymon.MixedTasks(context.Background(), client, "app")
	if err != nil || len(ids) != 50 || ids[0] != "task-000" || ids[49] != "task-147" {
		t.Fatalf("MixedTasks = %d ids, %v", len(ids), err)
	}
	if n := httpmock.GetTotalCallCount(); n != 2 {
		t.Errorf("%d calls, want 2 pages", n)
	}

	// The records are not mocked: NoResponder's error, after one attempt.
	_, err = relaymon.FailedCallbacks(context.Background(), client, "app", time.Hour, time.Now())
	var apiErr *livempu.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "httpmockmatch.NoResponder" || httpmock.GetTotalCallCount() != 3 {
		t.Errorf("FailedCallbacks without a responder: %v", err)
	}
}
