package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/servicejson"
)

// TestTasksAgainstAServerThatIgnoresPageNo runs "livempu tasks" against a
// server that answers every page with the same full page of tasks. The
// command used to walk until interrupted; it must exit with a failure that
// says the walk stalled and on which page, after a handful of requests.
func TestTasksAgainstAServerThatIgnoresPageNo(t *testing.T) {
	t.Parallel()
	page := livempu.ListRtcMPUTaskDetailResponse{RequestID: "same-page"}
	for i := range livempu.MaxPageSize {
		page.MPUTasks = append(page.MPUTasks, livempu.MPUTask{AppID: "app-1", TaskID: fmt.Sprint("t", i), MixMode: livempu.MixModeMixed})
	}
	body := servicejson.Append(nil, page)
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)

	r := runBinary(t, baseEnv(t, demoCreds...), "tasks", "--app-id", "app-1", "-o", "ndjson", "--endpoint", srv.URL)
	wantCode(t, r, exitFailure)
	if !strings.Contains(r.stderr, "page 4") || !strings.Contains(r.stderr, "stalled") {
		t.Errorf("stderr does not say the walk stalled on page 4:\n%s", r.stderr)
	}
	if n := len(ndjsonLines(t, r.stdout)); n != livempu.MaxPageSize {
		t.Errorf("%d tasks written, want the %d distinct ones", n, livempu.MaxPageSize)
	}
	if n := requests.Load(); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}
