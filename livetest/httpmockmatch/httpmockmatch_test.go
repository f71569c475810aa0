package httpmockmatch_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/livetest/httpmockmatch"
	"github.com/livempu/livempu-go/signer"
)

// TestBothOperations uses the package-level httpmock transport, so it does
// not run in parallel.
func TestBothOperations(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	tasks, recs := livetest.Generate(3, 4, 1, now)
	taskPage := &livempu.ListRtcMPUTaskDetailResponse{RequestID: "REQ-TASKS", MPUTasks: tasks}
	recPage := &livempu.ListRtcMPUEventSubRecordResponse{Count: len(recs), HasMore: true, Logs: recs}

	for _, v := range []signer.Version{signer.V3, signer.V1} {
		t.Run(v.String(), func(t *testing.T) {
			hc := &http.Client{}
			c, err := livempu.NewClient(
				livempu.WithHTTPClient(hc),
				livempu.WithStaticCredentials(livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret, ""),
				livempu.WithSignatureVersion(v),
				livempu.WithMaxRetries(0),
			)
			if err != nil {
				t.Fatal(err)
			}
			httpmock.ActivateNonDefault(hc) // after NewClient on purpose
			defer httpmock.DeactivateAndReset()
			url := livempu.DefaultEndpoint + "/"
			httpmock.RegisterMatcherResponder(http.MethodPost, url,
				httpmockmatch.Action(livempu.ActionListRtcMPUTaskDetail), httpmockmatch.Wire(taskPage))
			httpmock.RegisterMatcherResponder(http.MethodPost, url,
				httpmockmatch.Action(livempu.ActionListRtcMPUEventSubRecord), httpmockmatch.Wire(recPage))

			ctx := context.Background()
			gotTasks, err := c.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1})
			if err != nil {
				t.Fatal(err)
			}
			wantTasks := *taskPage
			wantTasks.Attempts = 1
			if diff := cmp.Diff(&wantTasks, gotTasks); diff != "" {
				t.Errorf("tasks (-want +got):\n%s", diff)
			}
			gotRecs, err := c.ListRtcMPUEventSubRecord(ctx, &livempu.ListRtcMPUEventSubRecordRequest{
				AppID: livetest.DemoAppID, StartTime: now.Add(-time.Hour), EndTime: now, PageSize: 10, PageNo: 1,
			})
			if err != nil {
				t.Fatal(err)
			}
			if gotRecs.RequestID == "" {
				t.Error("no request id")
			}
			want := *recPage
			want.RequestID = gotRecs.RequestID
			want.Attempts = 1
			if diff := cmp.Diff(&want, gotRecs); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if n := httpmock.GetTotalCallCount(); n != 2 {
				t.Errorf("%d calls", n)
			}
		})
	}
}

func TestError(t *testing.T) {
	hc := &http.Client{}
	c, err := livempu.NewClient(livempu.WithHTTPClient(hc), livempu.WithMaxRetries(0),
		livempu.WithStaticCredentials(livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret, ""))
	if err != nil {
		t.Fatal(err)
	}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateAndReset()
	httpmock.RegisterMatcherResponder(http.MethodPost, livempu.DefaultEndpoint+"/",
		httpmockmatch.Action(livempu.ActionListRtcMPUTaskDetail),
		httpmockmatch.Error(400, "Throttling.User", "Request was denied due to user flow control."))
	_, err = c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "a", TaskID: "t"})
	var apiErr *livempu.APIError
	if !errors.Is(err, livempu.ErrThrottled) || !errors.As(err, &apiErr) || apiErr.RequestID == "" || apiErr.HostID == "" {
		t.Fatalf("got %v", err)
	}
	// The other action has no responder.
	_, err = c.ListRtcMPUEventSubRecord(context.Background(), &livempu.ListRtcMPUEventSubRecordRequest{
		AppID: "a", StartTime: time.Now().Add(-time.Hour), EndTime: time.Now(), PageSize: 1, PageNo: 1,
	})
	if err == nil {
		t.Fatal("unmatched action answered")
	}
}
