package relaymon_test

import (
	"context"
	"net/http"
	"testing"

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

	page := &livempu.ListRtcMPUTaskDetailResponse{RequestID: "r1", MPUTasks: []livempu.MPUTask{
		{TaskID: "mixed-1", MixMode: livempu.MixModeMixed}, {TaskID: "single-1", MixMode: livempu.MixModeSingle},
	}}
	httpmock.RegisterMatcherResponder(http.MethodPost, livempu.DefaultEndpoint+"/",
		httpmockmatch.Action(livempu.ActionListRtcMPUTaskDetail),
		httpmock.NewBytesResponder(200, page.AppendWireJSON(nil)))

	ids, err := relaymon.MixedTasks(context.Background(), client, "app")
	if err != nil || len(ids) != 1 || ids[0] != "mixed-1" {
		t.Fatalf("MixedTasks = %v, %v", ids, err)
	}
	if n := httpmock.GetTotalCallCount(); n != 1 {
		t.Errorf("%d calls", n)
	}
}
