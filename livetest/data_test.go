package livetest_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

// fullTask sets every field, with values that survive the wire form.
func fullTask(id string) livempu.MPUTask {
	return livempu.MPUTask{
		AppID:          "app-1",
		ChannelID:      "chan-1",
		TaskID:         id,
		MixMode:        livempu.MixModeMixed,
		StreamURL:      "rtmp://example.com/live/stream?a=1&b=<2>",
		MultiStreamURL: []livempu.RelayURL{{URL: "rtmp://a.example.com/x", IsAliCDN: true}, {URL: "rtmp://b.example.com/y"}},
		Region:         livempu.RegionEMAASaudi,
		MaxIdleTime:    90 * time.Second,
		SingleSubParams: livempu.SingleSubParams{
			SourceType: livempu.SourceTypeShareScreen, StreamType: livempu.StreamTypeVideoOnly, UserID: "u\"1",
		},
		TranscodeParams: livempu.TranscodeParams{
			Background: livempu.Background{RenderMode: livempu.RenderModeScale, URL: "https://img/bg.png"},
			EncodeParams: livempu.EncodeParams{
				AudioOnly: true, AudioBitrate: 128, AudioChannels: 2, AudioSampleRate: 44100,
				VideoCodec: "H.264", VideoBitrate: 3500, VideoFramerate: 25, VideoGop: 20,
				VideoHeight: 1000, VideoWidth: 1920,
				EnhancedParam: livempu.EnhancedParam{Raw: `{"profile": "high", "preset": "veryfast"}`, Profile: "high", Preset: "veryfast"},
			},
			Layout: livempu.Layout{UserPanes: []livempu.UserPane{{
				UserInfo: livempu.UserInfo{ChannelID: "chan-1", UserID: "u2", SourceType: livempu.SourceTypeCamera},
				Height:   0.2632, Width: 0.3564, X: 0.2456, Y: 0.3789, ZOrder: 3,
				BackgroundImageURL: "https://img/u2.png", RenderMode: livempu.RenderModeCrop,
			}}},
			UserInfos: []livempu.UserInfo{{ChannelID: "chan-1", UserID: "u3", SourceType: livempu.SourceTypeCamera, StreamType: livempu.StreamTypeAudioOnly}},
		},
		SEIParams: livempu.SEIParams{
			LayoutVolume: livempu.SEISettings{FollowIDR: true, Interval: time.Second},
			PassThrough:  livempu.SEIPassThrough{FollowIDR: true, Interval: 2500 * time.Millisecond, PayloadContent: "hello", PayloadContentKey: "udd"},
			PayloadType:  100,
		},
	}
}

func TestTasksRoundTrip(t *testing.T) {
	tasks, _ := livetest.Generate(25, 0, 42, time.Now())
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			srv := livetest.NewServer(t)
			srv.AddTasks(fullTask("full-1"))
			srv.AddTasks(tasks...)
			c := srv.Client(livempu.WithSignatureVersion(v))

			// One task by TaskId, every field set.
			one, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1", TaskID: "full-1"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]livempu.MPUTask{fullTask("full-1")}, one.MPUTasks); diff != "" {
				t.Errorf("task by id (-want +got):\n%s", diff)
			}
			if one.RequestID == "" {
				t.Error("no RequestId")
			}

			// Pages of 10: 10, 10, 5, then an empty page; the first given
			// is listed first.
			var got []livempu.MPUTask
			sizes := []int{}
			for no := 1; ; no++ {
				page, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: no})
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(page.MPUTasks))
				got = append(got, page.MPUTasks...)
				if len(page.MPUTasks) < 10 {
					break
				}
			}
			if diff := cmp.Diff([]int{10, 10, 5}, sizes); diff != "" {
				t.Errorf("page sizes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tasks, got); diff != "" {
				t.Errorf("tasks (-want +got):\n%s", diff)
			}

			// A page past the end is empty, and so is the answer for a
			// task the application does not have.
			for _, req := range []*livempu.ListRtcMPUTaskDetailRequest{
				{AppID: livetest.DemoAppID, PageSize: 100, PageNo: 9},
				{AppID: livetest.DemoAppID, TaskID: "no-such-task"},
			} {
				page, err := c.ListRtcMPUTaskDetail(ctx(t), req)
				if err != nil || len(page.MPUTasks) != 0 {
					t.Errorf("%+v: %d tasks, %v", req, len(page.MPUTasks), err)
				}
			}
		})
	}
}

func TestGeneratedVariety(t *testing.T) {
	tasks, recs := livetest.Generate(200, 500, 7, time.Now())
	seen := map[string]bool{}
	for _, task := range tasks {
		seen["mix:"+task.MixMode.String()] = true
		seen["region:"+string(task.Region)] = true
		seen["stream:"+task.SingleSubParams.StreamType.String()] = true
		seen[fmt.Sprint("panes:", len(task.TranscodeParams.Layout.UserPanes))] = true
		seen[fmt.Sprint("audioOnly:", task.TranscodeParams.EncodeParams.AudioOnly)] = true
		seen[fmt.Sprint("enhanced:", task.TranscodeParams.EncodeParams.EnhancedParam.Profile != "")] = true
		seen[fmt.Sprint("idr:", task.SEIParams.LayoutVolume.FollowIDR)] = true
	}
	for _, r := range recs {
		seen[fmt.Sprint("http:", r.HTTPCode)] = true
		ev, err := r.Event()
		if err != nil {
			t.Fatalf("record %s: %v", r.MsgID, err)
		}
		if ev.MsgID != r.MsgID || ev.SubID != r.SubID || ev.AppID != r.AppID {
			t.Fatalf("event %+v does not match record %+v", ev, r)
		}
		seen[fmt.Sprint("failed:", ev.Failed())] = true
	}
	for _, want := range []string{
		"mix:single", "mix:mixed", "region:CN-Shanghai", "region:AP-Singapore", "region:EMAA-Saudi",
		"stream:original", "stream:audio-only", "stream:video-only", "panes:0", "panes:1", "panes:4",
		"audioOnly:true", "audioOnly:false", "enhanced:true", "enhanced:false", "idr:true", "idr:false",
		"http:200", "http:500", "http:404", "failed:true", "failed:false",
	} {
		if !seen[want] {
			t.Errorf("no generated value %s", want)
		}
	}
	again, _ := livetest.Generate(200, 0, 7, time.Now())
	if diff := cmp.Diff(tasks, again); diff != "" {
		t.Errorf("Generate is not deterministic:\n%s", diff)
	}
}

func TestTaskOrder(t *testing.T) {
	a, b, c, d := fullTask("a"), fullTask("b"), fullTask("c"), fullTask("d")
	srv := livetest.NewServer(t)
	srv.AddTasks(a, b, c)
	cl := srv.Client()
	ids := func() []string {
		t.Helper()
		page, err := cl.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1", PageSize: 100, PageNo: 1})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, task := range page.MPUTasks {
			out = append(out, task.TaskID)
		}
		return out
	}
	check := func(want ...string) {
		t.Helper()
		if diff := cmp.Diff(want, ids()); diff != "" {
			t.Errorf("order (-want +got):\n%s", diff)
		}
	}
	check("a", "b", "c")
	srv.AddTasks(d)
	check("d", "a", "b", "c")
	srv.AddTasks(c) // an update moves it to the front
	check("c", "d", "a", "b")
	b.ChannelID = "changed"
	srv.AddTasks(b) // replaces b, as an update
	check("b", "c", "d", "a")
	if n := srv.RemoveTasks("app-1", "a", "zz"); n != 1 {
		t.Errorf("RemoveTasks removed %d", n)
	}
	check("b", "c", "d")
	if got := srv.Tasks(); len(got) != 3 || got[0].ChannelID != "changed" {
		t.Errorf("Tasks() = %d tasks, first %q", len(got), got[0].ChannelID)
	}
}

func TestTaskMovesBetweenPagesMidWalk(t *testing.T) {
	tasks, _ := livetest.Generate(6, 0, 3, time.Now())
	srv := livetest.NewServer(t)
	srv.AddTasks(tasks...)
	c := srv.Client()
	page := func(no int) []livempu.MPUTask {
		resp, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 3, PageNo: no})
		if err != nil {
			t.Fatal(err)
		}
		return resp.MPUTasks
	}
	first := page(1)
	// The last task is updated between the two pages: it moves to page 1,
	// pushing the third task of page 1 onto page 2, where it shows again.
	srv.AddTasks(tasks[5])
	second := page(2)
	if first[2].TaskID != tasks[2].TaskID || second[0].TaskID != tasks[2].TaskID {
		t.Errorf("got pages %v / %v", first[2].TaskID, second[0].TaskID)
	}
	if len(second) != 3 {
		t.Errorf("page 2 has %d tasks", len(second))
	}
}

func TestRecordsPaging(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			srv := livetest.NewServer(t, livetest.WithGenerated(10, 250, 9))
			c := srv.Client(livempu.WithSignatureVersion(v))
			all := srv.Records()
			if len(all) != 250 {
				t.Fatalf("stored %d records", len(all))
			}
			var got []livempu.EventSubRecord
			var counts []int
			var more []bool
			for no := 1; ; no++ {
				page, err := c.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 100, no))
				if err != nil {
					t.Fatal(err)
				}
				counts, more = append(counts, page.Count), append(more, page.HasMore)
				if page.Count != len(page.Logs) {
					t.Errorf("Count %d with %d logs", page.Count, len(page.Logs))
				}
				got = append(got, page.Logs...)
				if !page.HasMore {
					break
				}
			}
			if diff := cmp.Diff([]int{100, 100, 50}, counts); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]bool{true, true, false}, more); diff != "" {
				t.Errorf("HasMore (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(all, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Time.Before(got[i-1].Time) {
					t.Fatalf("record %d is older than record %d", i, i-1)
				}
			}

			// SubId and a narrower window filter.
			req := recordsReq(srv, 100, 1)
			req.SubID = secondSubID
			req.StartTime = srv.Now().Add(-3 * 24 * time.Hour)
			page, err := c.ListRtcMPUEventSubRecord(ctx(t), req)
			if err != nil {
				t.Fatal(err)
			}
			var want []livempu.EventSubRecord
			for _, r := range all {
				if r.SubID == secondSubID && !r.Time.Before(req.StartTime.Truncate(time.Second)) {
					want = append(want, r)
				}
			}
			if len(want) == 0 {
				t.Fatal("no record to expect")
			}
			if diff := cmp.Diff(want, page.Logs); diff != "" {
				t.Errorf("filtered (-want +got):\n%s", diff)
			}

			// Past the end: an empty page without HasMore.
			page, err = c.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 100, 4))
			if err != nil || page.Count != 0 || page.HasMore || len(page.Logs) != 0 {
				t.Errorf("page 4: %+v, %v", page, err)
			}
		})
	}
}

func TestRecordsExactMultiple(t *testing.T) {
	srv := livetest.NewServer(t, livetest.WithGenerated(0, 20, 1))
	page, err := srv.Client().ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 10, 2))
	if err != nil {
		t.Fatal(err)
	}
	if page.Count != 10 || page.HasMore {
		t.Errorf("last full page: Count %d, HasMore %v", page.Count, page.HasMore)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := livetest.NewServer(t, livetest.WithGenerated(50, 100, 1), livetest.WithQPS(livempu.ActionListRtcMPUTaskDetail, 0),
		livetest.WithQPS(livempu.ActionListRtcMPUEventSubRecord, 0))
	c := srv.Client(livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUEventSubRecord, nil))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				switch (i + j) % 4 {
				case 0:
					srv.AddTasks(fullTask(fmt.Sprintf("t-%d-%d", i, j)))
				case 1:
					srv.AddRecords(livempu.EventSubRecord{AppID: livetest.DemoAppID, MsgID: "m", Time: srv.Now()})
				case 2:
					_, _ = srv.Stats(), srv.Requests()
				}
				if _, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 5, PageNo: 1 + j%3}); err != nil {
					t.Error(err)
				}
				if _, err := c.ListRtcMPUEventSubRecord(ctx(t), recordsReq(srv, 7, 1+j%3)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if st := srv.Stats(); st.Succeeded != 160 || st.Requests != 160 {
		t.Errorf("stats %+v", st)
	}
}

func TestRequestsInspection(t *testing.T) {
	srv := livetest.NewServer(t, livetest.WithAccount("STS.key1", "secret1", "token-1"), livetest.WithApps("app-1"))
	for _, v := range versions {
		c := srv.Client(livempu.WithSignatureVersion(v))
		if _, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1", PageSize: 7, PageNo: 2}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	want := url.Values{"AppId": {"app-1"}, "PageNo": {"2"}, "PageSize": {"7"}}
	for i, r := range reqs {
		if r.SignatureVersion != versions[i] || r.Action != livempu.ActionListRtcMPUTaskDetail || r.APIVersion != livempu.APIVersion ||
			r.AccessKeyID != "STS.key1" || r.Nonce == "" || r.Time.IsZero() || r.Status != 200 || r.Code != "" ||
			r.RequestID == "" || r.Method != "POST" {
			t.Errorf("request %d: %+v", i, r)
		}
		if diff := cmp.Diff(want, r.Params); diff != "" {
			t.Errorf("request %d params (-want +got):\n%s", i, diff)
		}
		if r.Params.Get("PageNo") != "2" {
			t.Errorf("Param(PageNo) = %q", r.Params.Get("PageNo"))
		}
		for k, vs := range r.Header {
			for _, v := range vs {
				if v == "token-1" || (k == "Authorization" && v != "REDACTED") {
					t.Errorf("header %s not redacted: %q", k, v)
				}
			}
		}
	}
	if reqs[0].Header.Get("Authorization") != "REDACTED" || reqs[0].Header.Get("X-Acs-Security-Token") != "REDACTED" {
		t.Errorf("V3 headers: %v", reqs[0].Header)
	}
	srv.ResetRequests()
	if len(srv.Requests()) != 0 || srv.Stats().Requests != 0 || srv.MaxWindow(livempu.ActionListRtcMPUTaskDetail) != 0 {
		t.Error("ResetRequests kept something")
	}
}

func TestRequestLogLimit(t *testing.T) {
	srv := livetest.NewServer(t, livetest.WithRequestLogLimit(3))
	c := srv.Client()
	for i := range 10 {
		if _, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 1, PageNo: i + 1}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[2].Params.Get("PageNo") != "10" || reqs[0].Params.Get("PageNo") != "8" {
		t.Errorf("kept %d requests: %+v", len(reqs), reqs)
	}
	if srv.Stats().Requests != 10 {
		t.Errorf("Stats().Requests = %d", srv.Stats().Requests)
	}
}

// TestKnownApps checks which applications the server lists: DemoAppID, those
// of stored tasks and records (also after their tasks are removed) and those
// of WithApps; any other is refused with InvalidAppId, as by the service.
func TestKnownApps(t *testing.T) {
	srv := livetest.NewServer(t, livetest.WithApps("declared-1", "declared-2"), livetest.WithApps("declared-3"))
	c := srv.Client()
	list := func(appID string) error {
		t.Helper()
		_, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: appID, PageSize: 10, PageNo: 1})
		return err
	}
	records := func(appID string) error {
		t.Helper()
		_, err := c.ListRtcMPUEventSubRecord(ctx(t), &livempu.ListRtcMPUEventSubRecordRequest{
			AppID: appID, StartTime: srv.Now().Add(-time.Hour), EndTime: srv.Now(), PageSize: 10, PageNo: 1,
		})
		return err
	}
	for _, app := range []string{livetest.DemoAppID, "declared-1", "declared-2", "declared-3"} {
		if err := list(app); err != nil {
			t.Errorf("tasks of %s: %v", app, err)
		}
		if err := records(app); err != nil {
			t.Errorf("records of %s: %v", app, err)
		}
	}
	for _, app := range []string{"app-1", "rec-app"} {
		if err := list(app); !errors.Is(err, livempu.ErrInvalidAppID) {
			t.Errorf("tasks of unknown %s: %v, want InvalidAppId", app, err)
		}
		if err := records(app); !errors.Is(err, livempu.ErrInvalidAppID) {
			t.Errorf("records of unknown %s: %v, want InvalidAppId", app, err)
		}
	}

	srv.AddTasks(fullTask("t-1")) // of app-1
	srv.AddRecords(livempu.EventSubRecord{AppID: "rec-app", SubID: "s", MsgID: "m", Time: srv.Now().Add(-time.Minute)})
	if err := list("app-1"); err != nil {
		t.Errorf("tasks of app-1 after AddTasks: %v", err)
	}
	if err := records("rec-app"); err != nil {
		t.Errorf("records of rec-app after AddRecords: %v", err)
	}
	if n := srv.RemoveTasks("app-1", "t-1"); n != 1 {
		t.Fatalf("RemoveTasks removed %d", n)
	}
	if err := list("app-1"); err != nil {
		t.Errorf("tasks of app-1 after its last task was removed: %v", err)
	}

	for _, bad := range [][]string{{""}, {"a/b"}, {strings.Repeat("a", 65)}} {
		if msg := newServerFailure(t, livetest.WithApps(bad...)); !strings.Contains(msg, "WithApps") {
			t.Errorf("WithApps(%q): %q, want an error", bad, msg)
		}
	}
}

// secondSubID is the subscription of about one in four generated records
// (the demo data's other subscription; see livetest.DemoSubID).
const secondSubID = "Sub-livetest-0002"
