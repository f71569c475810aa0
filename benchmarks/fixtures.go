// Package benchmarks compares the cost of livempu-go with the official
// github.com/aliyun/alibaba-cloud-sdk-go (package services/live) on the same
// bytes: client-only calls over an in-memory http.RoundTripper, calls over
// loopback, a walk of 1,000 callback records, and a saturation run against a
// server that throttles over 100 requests in any sliding second.
//
// It is a separate module so that the library never requires the official
// SDK. The cases are shared by the Benchmark functions of this package and by
// cmd/benchtable, which prints the Markdown table of the README.
package benchmarks

import (
	"fmt"
	"strconv"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/servicejson"
)

// Fixed identities of the fixtures. The keys are fake.
const (
	AccessKeyID     = "LTAI5tBenchKeyId000000"
	AccessKeySecret = "BenchSecretBenchSecretBenchSe"
	AppID           = "app-9f3c2e71"
	SubID           = "sub-4b1d77a0"
	RecordsTotal    = 1000 // records of the walk
	WalkPageSize    = 100
)

// base is the fixed time the fixtures are stamped with.
var base = time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC)

// Task returns the i-th fixture task: a mixed relay with four panes, four
// user infos, two extra relay URLs, SEI settings and an EnhancedParam, with
// values varying by i as a real page's do. Every 7th task is a single-stream
// relay, whose TranscodeParams are empty.
func Task(i int) livempu.MPUTask {
	ch := fmt.Sprintf("channel-%04d", i/3)
	t := livempu.MPUTask{
		AppID:       AppID,
		ChannelID:   ch,
		TaskID:      fmt.Sprintf("mpu-task-%06d-%08x", i, uint32(i)*2654435761),
		MixMode:     livempu.MixModeMixed,
		StreamURL:   fmt.Sprintf("rtmp://push.example.com/live/%s_mix?auth_key=%d-0-0-%032x", ch, 1712656800+i, i*7919),
		Region:      [...]livempu.Region{livempu.RegionCNShanghai, livempu.RegionAPSingapore, livempu.RegionEMAASaudi}[i%3],
		MaxIdleTime: time.Duration(30+i%90) * time.Second,
		MultiStreamURL: []livempu.RelayURL{
			{URL: fmt.Sprintf("rtmp://cdn-a.example.net/live/%s?token=%x", ch, i*104729), IsAliCDN: true},
			{URL: fmt.Sprintf("rtmp://backup.example.org/app/%s-%d", ch, i), IsAliCDN: false},
		},
		SEIParams: livempu.SEIParams{
			LayoutVolume: livempu.SEISettings{FollowIDR: i%2 == 0, Interval: time.Duration(1000+i%5*500) * time.Millisecond},
			PassThrough: livempu.SEIPassThrough{
				FollowIDR:         i%3 == 0,
				Interval:          2 * time.Second,
				PayloadContent:    fmt.Sprintf("room=%s;seq=%d", ch, i),
				PayloadContentKey: "udd",
			},
			PayloadType: 5,
		},
	}
	if i%7 == 6 {
		t.MixMode = livempu.MixModeSingle
		t.SingleSubParams = livempu.SingleSubParams{
			SourceType: livempu.SourceTypeCamera,
			StreamType: livempu.StreamTypeOriginal,
			UserID:     fmt.Sprintf("user-%05d", i),
		}
		return t
	}
	users := make([]livempu.UserInfo, 4)
	panes := make([]livempu.UserPane, 4)
	for u := range users {
		src := livempu.SourceTypeCamera
		if u == 3 {
			src = livempu.SourceTypeShareScreen
		}
		users[u] = livempu.UserInfo{
			ChannelID:  ch,
			UserID:     fmt.Sprintf("user-%05d", i*4+u),
			SourceType: src,
			StreamType: livempu.StreamType(u % 3),
		}
		panes[u] = livempu.UserPane{
			UserInfo:           livempu.UserInfo{ChannelID: ch, UserID: users[u].UserID, SourceType: src},
			Height:             0.5,
			Width:              0.5,
			X:                  float64(u%2) * 0.5,
			Y:                  float64(u/2) * 0.5,
			ZOrder:             u,
			BackgroundImageURL: fmt.Sprintf("https://img.example.com/bg/%d.png", (i+u)%17),
			RenderMode:         livempu.RenderMode(u % 2),
		}
	}
	t.TranscodeParams = livempu.TranscodeParams{
		Background: livempu.Background{RenderMode: livempu.RenderModeCrop, URL: "https://img.example.com/bg/main.jpg"},
		EncodeParams: livempu.EncodeParams{
			AudioBitrate:    128,
			AudioChannels:   2,
			AudioSampleRate: 48000,
			VideoCodec:      "H.264",
			VideoBitrate:    1500 + i%4*500,
			VideoFramerate:  [...]int{15, 25, 30}[i%3],
			VideoGop:        60,
			VideoHeight:     720,
			VideoWidth:      1280,
			EnhancedParam:   livempu.EnhancedParam{Raw: `{"profile":"high","preset":"veryfast"}`},
		},
		Layout:    livempu.Layout{UserPanes: panes},
		UserInfos: users,
	}
	return t
}

// TaskPage returns the service's wire JSON of a ListRtcMPUTaskDetail page of
// n tasks, numbers as strings, as the service sends it.
func TaskPage(n int) []byte {
	page := livempu.ListRtcMPUTaskDetailResponse{RequestID: "5C3D1A2B-8E4F-4A6B-9C7D-0E1F2A3B4C5D"}
	for i := range n {
		page.MPUTasks = append(page.MPUTasks, Task(i))
	}
	return servicejson.Append(nil, page)
}

// Record returns the i-th fixture callback record, whose Data is a real
// callback document.
func Record(i int) livempu.EventSubRecord {
	at := base.Add(time.Duration(i) * 1500 * time.Millisecond)
	msg := fmt.Sprintf("msg-%08x-%04d", uint32(i)*2246822519, i)
	ev := livempu.MPUEvent{
		EventType:  livempu.EventType(1 + i%3),
		MsgID:      msg,
		AppID:      AppID,
		SubID:      SubID,
		TaskID:     fmt.Sprintf("mpu-task-%06d-%08x", i%250, uint32(i%250)*2654435761),
		CallbackTs: at,
		Payload: livempu.EventPayload{
			DstURL:    fmt.Sprintf("rtmp://push.example.com/live/channel-%04d_mix", i%83),
			EventTs:   at.Add(-120 * time.Millisecond),
			EventCode: livempu.EventCode(1000 + i%4),
		},
	}
	code := 200
	if i%10 == 9 {
		code = 502
		ev.Payload.ErrorCode = 4001
		ev.Payload.ErrorMessage = "relay destination refused the connection"
	}
	data, err := ev.MarshalJSON()
	if err != nil {
		panic(err)
	}
	return livempu.EventSubRecord{
		AppID:       AppID,
		SubID:       SubID,
		MsgID:       msg,
		Data:        string(data),
		Time:        at,
		Cost:        time.Duration(12+i%40) * time.Millisecond,
		CallbackURL: "https://hooks.example.com/aliyun/mpu?tenant=" + strconv.Itoa(i%5),
		HTTPCode:    code,
	}
}

// RecordPage returns the wire JSON of page pageNo (1-based) of size records
// out of total, with HasMore and Count as the service sets them.
func RecordPage(total, size, pageNo int) []byte {
	lo, hi := min((pageNo-1)*size, total), min(pageNo*size, total)
	page := livempu.ListRtcMPUEventSubRecordResponse{
		RequestID: fmt.Sprintf("7A1B2C3D-4E5F-4061-8273-%012d", pageNo),
		HasMore:   hi < total,
	}
	for i := lo; i < hi; i++ {
		page.Logs = append(page.Logs, Record(i))
	}
	page.Count = len(page.Logs)
	return servicejson.Append(nil, page)
}
