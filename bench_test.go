package livempu_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/servicejson"
	"github.com/livempu/livempu-go/pager"
)

// fixedTransport answers every request with the same body, in memory, so a
// benchmark measures the SDK alone.
type fixedTransport struct{ body []byte }

func (f fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(f.body)), ContentLength: int64(len(f.body)), Request: r}, nil
}

// benchTask is a realistic mixed-stream task with every field set.
func benchTask(i int) livempu.MPUTask {
	t := docTask()
	t.TaskID = fmt.Sprintf("task-%04d", i)
	t.ChannelID = fmt.Sprintf("channel-%04d", i)
	t.MixMode = livempu.MixModeMixed
	pane := t.TranscodeParams.Layout.UserPanes[0]
	t.TranscodeParams.Layout.UserPanes = append(t.TranscodeParams.Layout.UserPanes, pane, pane)
	return t
}

func benchRecord(i int) livempu.EventSubRecord {
	data := fmt.Sprintf(`{"EventType":1,"MsgId":"msg-%06d","AppId":"app-1","SubId":"Sub-1","TaskId":"task-%04d","CallbackTs":1712656430476,"Payload":{"DstUrl":"rtmp://domain/app/stream?auth","EventTs":1712656430384,"EventCode":1,"ErrorCode":0,"ErrorMessage":""}}`, i, i%50)
	return livempu.EventSubRecord{AppID: "app-1", SubID: "Sub-1", MsgID: fmt.Sprintf("msg-%06d", i), Data: data,
		Time: time.Date(2024, 4, 9, 10, 0, i%60, 0, time.UTC), Cost: 22 * time.Millisecond, CallbackURL: "http://callback.example.com/cb", HTTPCode: 200}
}

func taskPage(n int) []byte {
	p := livempu.ListRtcMPUTaskDetailResponse{RequestID: "6C2F8A3B-0E1A-586A-AC29-742247C2B1A4"}
	for i := 0; i < n; i++ {
		p.MPUTasks = append(p.MPUTasks, benchTask(i))
	}
	return servicejson.Append(nil, p)
}

func recordPage(n int) []byte {
	p := livempu.ListRtcMPUEventSubRecordResponse{RequestID: "6C2F8A3B-0E1A-586A-AC29-742247C2B1A4", Count: n}
	for i := 0; i < n; i++ {
		p.Logs = append(p.Logs, benchRecord(i))
	}
	return servicejson.Append(nil, p)
}

// benchClient is a client on an in-memory transport, without rate limits.
func benchClient(b *testing.B, body []byte) *livempu.Client {
	c, err := livempu.NewClient(
		livempu.WithStaticCredentials(testKeyID, testSecret, ""),
		livempu.WithHTTPClient(&http.Client{Transport: fixedTransport{body}}),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUEventSubRecord, nil))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkListRtcMPUTaskDetail(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			c := benchClient(b, taskPage(n))
			req := &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1", PageSize: 100, PageNo: 1}
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.ListRtcMPUTaskDetail(context.Background(), req)
				if err != nil || len(resp.MPUTasks) != n {
					b.Fatalf("err=%v", err)
				}
			}
		})
	}
}

func BenchmarkListRtcMPUEventSubRecord(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			c := benchClient(b, recordPage(n))
			req := recordReq()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.ListRtcMPUEventSubRecord(context.Background(), req)
				if err != nil || len(resp.Logs) != n {
					b.Fatalf("err=%v", err)
				}
			}
		})
	}
}

// BenchmarkSaturation reports the steady rate the default limiter sustains
// with 25 goroutines per action against a server that throttles above the documented
// limit in any sliding second, and how many requests it throttled.
func BenchmarkSaturation(b *testing.B) {
	const d = 3 * time.Second
	for b.Loop() {
		ws := newWindowServer(b, saturationBodies)
		failed := saturate(b, ws, 25, d)
		for _, action := range []string{livempu.ActionListRtcMPUTaskDetail, livempu.ActionListRtcMPUEventSubRecord} {
			_, maxWindow, rate := ws.stats(action)
			short := map[string]string{livempu.ActionListRtcMPUTaskDetail: "task", livempu.ActionListRtcMPUEventSubRecord: "record"}[action]
			b.ReportMetric(rate, short+"-req/s")
			b.ReportMetric(float64(maxWindow), short+"-worst-window")
		}
		b.ReportMetric(float64(ws.throttled.Load()), "throttled")
		b.ReportMetric(float64(failed), "failed")
	}
}

// BenchmarkWalkWithLatency walks 10,000 records (100 pages of 100) from a
// server that takes 50 ms per page, through the default 100 QPS limiter:
// sequentially, and with prefetch 4 and 8. Run it with -benchtime=1x.
func BenchmarkWalkWithLatency(b *testing.B) {
	const total, size = 10000, 100
	for _, prefetch := range []int{0, 4, 8} {
		b.Run(fmt.Sprintf("prefetch=%d", prefetch), func(b *testing.B) {
			f := newFakeServer(b, func(n int, a attempt, w http.ResponseWriter) {
				time.Sleep(50 * time.Millisecond)
				var no int
				fmt.Sscan(a.param("PageNo"), &no)
				page := livempu.ListRtcMPUEventSubRecordResponse{RequestID: "r", HasMore: no*size < total}
				for i := (no - 1) * size; i < min(no*size, total); i++ {
					page.Logs = append(page.Logs, livempu.EventSubRecord{MsgID: fmt.Sprint(i)})
				}
				page.Count = len(page.Logs)
				writeJSON(w, 200, string(servicejson.Append(nil, page)))
			})
			id := fmt.Sprintf("%s-walk-%d-%d", testKeyID, prefetch, time.Now().UnixNano())
			c, err := livempu.NewClient(livempu.WithEndpoint(f.srv.URL), livempu.WithStaticCredentials(id, testSecret, ""))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				start := time.Now()
				n := 0
				for _, err := range livempu.EventSubRecords(context.Background(), c, recordReq(), pager.WithPrefetch(prefetch)) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != total {
					b.Fatalf("walked %d", n)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/walk")
			}
		})
	}
}

// BenchmarkDecodePage measures the decoder alone, on a body already in
// memory as a string (as a call holds it), to tell its share of a call from
// the request pipeline's.
func BenchmarkDecodePage(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			body := string(taskPage(n))
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if page, err := livempu.DecodeTaskPage(body); err != nil || len(page.MPUTasks) != n {
					b.Fatalf("err=%v", err)
				}
			}
		})
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			body := string(recordPage(n))
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if page, err := livempu.DecodeRecordPage(body); err != nil || len(page.Logs) != n {
					b.Fatalf("err=%v", err)
				}
			}
		})
	}
}
