package livetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// Generate returns n realistic tasks and m callback records of the
// application DemoAppID, the same for the same seed and now. The tasks vary
// MixMode, StreamType, SourceType, Region, relay URLs, panes, encoding
// parameters, EnhancedParam and SEI settings; every value survives the
// service's wire encoding unchanged (durations in whole seconds or
// milliseconds, EnhancedParam with its Raw text, no StreamType on a pane's
// user, nil rather than empty slices). The records are spread over the seven
// days before now, oldest first, about three in four for DemoSubID and the
// rest for demoSubID2; their Data is the JSON of a livempu.MPUEvent about one
// of the tasks. About one in ten failed to be delivered (HTTPCode 500 or
// 404) and about one in eight carries an event with a non-zero ErrorCode.
func Generate(n, m int, seed int64, now time.Time) ([]livempu.MPUTask, []livempu.EventSubRecord) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6c697665746573)) //nolint:gosec // test data
	tasks := make([]livempu.MPUTask, 0, max(n, 0))
	for i := range max(n, 0) {
		tasks = append(tasks, genTask(rng, i))
	}
	recs := make([]livempu.EventSubRecord, 0, max(m, 0))
	if m > 0 {
		// Evenly spaced over (now-7d+10m, now-1s], with jitter, oldest first.
		first := now.Add(-livempu.RecordRetention + 10*time.Minute).UTC().Truncate(time.Second)
		span := now.Add(-time.Second).UTC().Truncate(time.Second).Sub(first)
		step := span / time.Duration(m)
		for j := range m {
			at := first.Add(time.Duration(j) * step)
			if step > time.Second {
				at = at.Add(time.Duration(rng.Int64N(int64(step))))
			}
			recs = append(recs, genRecord(rng, j, at.Truncate(time.Second), tasks))
		}
	}
	return tasks, recs
}

func pick[T any](rng *rand.Rand, xs ...T) T { return xs[rng.IntN(len(xs))] }

var (
	regions     = []livempu.Region{livempu.RegionCNShanghai, livempu.RegionAPSingapore, livempu.RegionEMAASaudi}
	resolutions = [][2]int{{1920, 1080}, {1280, 720}, {960, 540}, {640, 360}, {720, 1280}, {1080, 1920}}
	profiles    = []string{"baseline", "main", "high"}
	presets     = []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"}
	// layouts are pane grids: x, y, width, height of each pane.
	layouts = [][][4]float64{
		{{0, 0, 1, 1}},
		{{0, 0, 0.5, 1}, {0.5, 0, 0.5, 1}},
		{{0, 0, 1, 1}, {0.7, 0.7, 0.25, 0.25}},
		{{0, 0, 0.5, 0.5}, {0.5, 0, 0.5, 0.5}, {0, 0.5, 0.5, 0.5}, {0.5, 0.5, 0.5, 0.5}},
		{{0, 0, 0.6667, 1}, {0.6667, 0, 0.3333, 0.5}, {0.6667, 0.5, 0.3333, 0.5}},
		{{0.2456, 0.3789, 0.3564, 0.2632}},
	}
)

func genTask(rng *rand.Rand, i int) livempu.MPUTask {
	channel := fmt.Sprintf("channel-%03d", rng.IntN(50))
	t := livempu.MPUTask{
		AppID:       DemoAppID,
		ChannelID:   channel,
		TaskID:      fmt.Sprintf("mpu-task-%05d-%08x", i, rng.Uint32()),
		MixMode:     livempu.MixModeMixed,
		Region:      pick(rng, regions...),
		MaxIdleTime: time.Duration(pick(rng, 0, 10, 30, 60, 300)) * time.Second,
	}
	t.StreamURL = "rtmp://push.example.com/live/" + t.TaskID + "?auth_key=1700000000-0-0-" + fmt.Sprintf("%032x", rng.Uint64())
	for k := range rng.IntN(3) {
		t.MultiStreamURL = append(t.MultiStreamURL, livempu.RelayURL{
			URL:      fmt.Sprintf("rtmp://relay%d.example.net/live/%s", k+1, t.TaskID),
			IsAliCDN: rng.IntN(2) == 0,
		})
	}
	user := func() livempu.UserInfo {
		return livempu.UserInfo{ChannelID: channel, UserID: fmt.Sprintf("user-%04d", rng.IntN(10000))}
	}
	if rng.IntN(10) < 3 {
		t.MixMode = livempu.MixModeSingle
		u := user()
		t.SingleSubParams = livempu.SingleSubParams{
			StreamType: pick(rng, livempu.StreamTypeOriginal, livempu.StreamTypeAudioOnly, livempu.StreamTypeVideoOnly),
			UserID:     u.UserID,
			SourceType: livempu.SourceTypeCamera,
		}
		if t.SingleSubParams.StreamType == livempu.StreamTypeVideoOnly && rng.IntN(2) == 0 {
			t.SingleSubParams.SourceType = livempu.SourceTypeShareScreen
		}
	} else {
		t.TranscodeParams = genTranscode(rng, user)
	}
	t.SEIParams = livempu.SEIParams{
		LayoutVolume: livempu.SEISettings{FollowIDR: rng.IntN(2) == 0, Interval: time.Duration(pick(rng, 500, 1000, 2000)) * time.Millisecond},
		PassThrough: livempu.SEIPassThrough{
			FollowIDR:         rng.IntN(2) == 0,
			Interval:          time.Duration(pick(rng, 1000, 5000)) * time.Millisecond,
			PayloadContent:    fmt.Sprintf(`{"scene":"class-%d"}`, rng.IntN(100)),
			PayloadContentKey: pick(rng, "udd", "custom"),
		},
		PayloadType: pick(rng, 5, 100, 200, 254),
	}
	return t
}

func genTranscode(rng *rand.Rand, user func() livempu.UserInfo) livempu.TranscodeParams {
	var p livempu.TranscodeParams
	p.EncodeParams = livempu.EncodeParams{
		AudioBitrate:    pick(rng, 64, 96, 128, 192),
		AudioChannels:   pick(rng, 1, 2),
		AudioSampleRate: pick(rng, 16000, 44100, 48000),
	}
	if rng.IntN(7) == 0 { // audio only: no video parameters, no layout
		p.EncodeParams.AudioOnly = true
	} else {
		res := pick(rng, resolutions...)
		fps := pick(rng, 15, 20, 25, 30)
		p.EncodeParams.VideoCodec = pick(rng, "H.264", "H.264", "H.265")
		p.EncodeParams.VideoWidth, p.EncodeParams.VideoHeight = res[0], res[1]
		p.EncodeParams.VideoFramerate = fps
		p.EncodeParams.VideoGop = fps * pick(rng, 1, 2)
		p.EncodeParams.VideoBitrate = pick(rng, 800, 1200, 2000, 3500, 6000)
		if rng.IntN(3) > 0 {
			profile, preset := pick(rng, profiles...), pick(rng, presets...)
			p.EncodeParams.EnhancedParam = livempu.EnhancedParam{
				Raw:     fmt.Sprintf(`{"profile": %q, "preset": %q}`, profile, preset),
				Profile: profile, Preset: preset,
			}
		}
		if rng.IntN(2) == 0 {
			p.Background = livempu.Background{RenderMode: pick(rng, livempu.RenderModeScale, livempu.RenderModeCrop), URL: "https://img.example.com/bg/" + fmt.Sprint(rng.IntN(20)) + ".png"}
		}
		for z, pane := range pick(rng, layouts...) {
			u := user()
			if rng.IntN(4) == 0 {
				u.SourceType = livempu.SourceTypeShareScreen
			} else {
				u.SourceType = livempu.SourceTypeCamera
			}
			up := livempu.UserPane{
				UserInfo:   u,
				X:          pane[0],
				Y:          pane[1],
				Width:      pane[2],
				Height:     pane[3],
				ZOrder:     z,
				RenderMode: pick(rng, livempu.RenderModeScale, livempu.RenderModeCrop),
			}
			if rng.IntN(2) == 0 {
				up.BackgroundImageURL = "https://img.example.com/avatar/" + u.UserID + ".png"
			}
			p.Layout.UserPanes = append(p.Layout.UserPanes, up)
		}
	}
	for range rng.IntN(3) { // none means every user is mixed
		u := user()
		u.SourceType = livempu.SourceTypeCamera
		u.StreamType = pick(rng, livempu.StreamTypeOriginal, livempu.StreamTypeAudioOnly, livempu.StreamTypeVideoOnly)
		p.UserInfos = append(p.UserInfos, u)
	}
	return p
}

var relayErrors = []struct {
	code int
	msg  string
}{
	{1001, "connect to destination failed: connection refused"},
	{1002, "publish rejected by destination: stream already exists"},
	{1003, "relay interrupted: network timeout"},
}

func genRecord(rng *rand.Rand, j int, at time.Time, tasks []livempu.MPUTask) livempu.EventSubRecord {
	sub := DemoSubID
	if rng.IntN(4) == 0 {
		sub = demoSubID2
	}
	msgID := fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), 0x8000|rng.IntN(1<<14), rng.Uint64()&(1<<48-1))
	taskID, dst := fmt.Sprintf("mpu-task-gone-%03d", j%100), "rtmp://push.example.com/live/stream"
	if len(tasks) > 0 {
		t := tasks[rng.IntN(len(tasks))]
		taskID, dst = t.TaskID, t.StreamURL
	}
	callback := at.Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
	ev := livempu.MPUEvent{
		EventType:  livempu.EventType(pick(rng, 1, 1, 1, 2)),
		MsgID:      msgID,
		AppID:      DemoAppID,
		SubID:      sub,
		TaskID:     taskID,
		CallbackTs: callback,
		Payload: livempu.EventPayload{
			DstURL:    dst,
			EventTs:   callback.Add(-time.Duration(10+rng.IntN(500)) * time.Millisecond),
			EventCode: livempu.EventCode(pick(rng, 1, 1, 2, 3)),
		},
	}
	if rng.IntN(8) == 0 {
		e := pick(rng, relayErrors...)
		ev.Payload.ErrorCode, ev.Payload.ErrorMessage = e.code, e.msg
	}
	data, _ := json.Marshal(ev)
	status := 200
	switch rng.IntN(20) {
	case 0:
		status = 500
	case 1:
		status = 404
	}
	return livempu.EventSubRecord{
		AppID:       DemoAppID,
		SubID:       sub,
		MsgID:       msgID,
		Data:        string(data),
		Time:        at,
		Cost:        time.Duration(5+rng.IntN(300)) * time.Millisecond,
		CallbackURL: pick(rng, "https://callback.example.com/mpu/events", "http://hooks.example.org/live"),
		HTTPCode:    status,
	}
}
