package livempu_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/servicejson"
)

// docTaskPage is the success example of the ListRtcMPUTaskDetail reference.
const docTaskPage = `{
  "RequestId": "******3B-0E1A-586A-AC29-742247******",
  "MPUTasks": [
    {
      "AppId": "yourAppId",
      "ChannelId": "yourChannelId",
      "TaskId": "yourTaskId",
      "MixMode": "0",
      "StreamURL": "rtmp://example.com/live/stream****",
      "MultiStreamURL": [{"URL": "rtmp://example.com/live/stream****", "IsAliCdn": false}],
      "Region": "CN-Shanghai",
      "MaxIdleTime": "10",
      "SingleSubParams": {"SourceType": "camera", "StreamType": "0", "UserId": "yourSubUserId"},
      "TranscodeParams": {
        "Background": {"RenderMode": "1", "URL": "yourImageUrl"},
        "EncodeParams": {
          "AudioOnly": "false", "AudioBitrate": "128", "AudioChannels": "2", "AudioSampleRate": "44100",
          "VideoCodec": "H.264", "VideoBitrate": "3500", "VideoFramerate": "25", "VideoGop": "20",
          "VideoHeight": "1000", "VideoWidth": "1920",
          "EnhancedParam": "{\"profile\": \"high\", \"preset\": \"veryfast\"}"
        },
        "Layout": {"UserPanes": [{
          "UserInfo": {"SourceType": "camera", "ChannelId": "yourChannelId", "UserId": "yourSubUserId"},
          "Height": "0.2632", "Width": "0.3564", "X": "0.2456", "Y": "0.3789", "ZOrder": "0",
          "BackgroundImageUrl": "yourImageUrl", "RenderMode": "1"}]},
        "UserInfos": [{"ChannelId": "yourChannelId", "UserId": "yourSubUserId", "SourceType": "camera", "StreamType": "0"}]
      },
      "SeiParams": {
        "LayoutVolume": {"FollowIdr": "0", "Interval": "1000"},
        "PassThrough": {"FollowIdr": "0", "Interval": "1000", "PayloadContent": "yourPayloadContent", "PayloadContentKey": "yourPayloadContentKey"},
        "PayloadType": "100"
      }
    }
  ]
}`

func docTask() livempu.MPUTask {
	return livempu.MPUTask{
		AppID: "yourAppId", ChannelID: "yourChannelId", TaskID: "yourTaskId",
		MixMode: livempu.MixModeSingle, StreamURL: "rtmp://example.com/live/stream****",
		MultiStreamURL: []livempu.RelayURL{{URL: "rtmp://example.com/live/stream****"}},
		Region:         livempu.RegionCNShanghai, MaxIdleTime: 10 * time.Second,
		SingleSubParams: livempu.SingleSubParams{SourceType: livempu.SourceTypeCamera, StreamType: livempu.StreamTypeOriginal, UserID: "yourSubUserId"},
		TranscodeParams: livempu.TranscodeParams{
			Background: livempu.Background{RenderMode: livempu.RenderModeCrop, URL: "yourImageUrl"},
			EncodeParams: livempu.EncodeParams{
				AudioBitrate: 128, AudioChannels: 2, AudioSampleRate: 44100, VideoCodec: "H.264",
				VideoBitrate: 3500, VideoFramerate: 25, VideoGop: 20, VideoHeight: 1000, VideoWidth: 1920,
				EnhancedParam: livempu.EnhancedParam{Raw: `{"profile": "high", "preset": "veryfast"}`, Profile: "high", Preset: "veryfast"},
			},
			Layout: livempu.Layout{UserPanes: []livempu.UserPane{{
				UserInfo: livempu.UserInfo{SourceType: livempu.SourceTypeCamera, ChannelID: "yourChannelId", UserID: "yourSubUserId"},
				Height:   0.2632, Width: 0.3564, X: 0.2456, Y: 0.3789, BackgroundImageURL: "yourImageUrl", RenderMode: livempu.RenderModeCrop,
			}}},
			UserInfos: []livempu.UserInfo{{ChannelID: "yourChannelId", UserID: "yourSubUserId", SourceType: livempu.SourceTypeCamera}},
		},
		SEIParams: livempu.SEIParams{
			LayoutVolume: livempu.SEISettings{Interval: time.Second},
			PassThrough:  livempu.SEIPassThrough{Interval: time.Second, PayloadContent: "yourPayloadContent", PayloadContentKey: "yourPayloadContentKey"},
			PayloadType:  100,
		},
	}
}

func TestDecodeDocumentedTaskPage(t *testing.T) {
	var got livempu.ListRtcMPUTaskDetailResponse
	if err := json.Unmarshal([]byte(docTaskPage), &got); err != nil {
		t.Fatal(err)
	}
	want := livempu.ListRtcMPUTaskDetailResponse{RequestID: "******3B-0E1A-586A-AC29-742247******", MPUTasks: []livempu.MPUTask{docTask()}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("decoded page (-want +got):\n%s", d)
	}
}

func TestDecodeAcceptsNativeAndEmptyForms(t *testing.T) {
	native := strings.NewReplacer(`"0"`, `0`, `"1"`, `1`, `"10"`, `10`, `"false"`, `false`, `"128"`, `128`, `"2"`, `2`,
		`"44100"`, `44100`, `"3500"`, `3500`, `"25"`, `25`, `"20"`, `20`, `"1000"`, `1000`, `"1920"`, `1920`,
		`"0.2632"`, `0.2632`, `"0.3564"`, `0.3564`, `"0.2456"`, `0.2456`, `"0.3789"`, `0.3789`, `"100"`, `100`).Replace(docTaskPage)
	if native == docTaskPage || strings.Contains(native, `"MixMode": "0"`) {
		t.Fatal("replacement did not change the document")
	}
	var a, b livempu.ListRtcMPUTaskDetailResponse
	if err := json.Unmarshal([]byte(docTaskPage), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(native), &b); err != nil {
		t.Fatalf("native form: %v", err)
	}
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("native form differs:\n%s", d)
	}
	var empty livempu.MPUTask
	if err := json.Unmarshal([]byte(`{"MixMode":"","MaxIdleTime":"","MultiStreamURL":null,"TranscodeParams":{"EncodeParams":{"AudioOnly":"","VideoWidth":"","EnhancedParam":""}},"SeiParams":{"PayloadType":null}}`), &empty); err != nil {
		t.Fatalf("empty strings: %v", err)
	}
	if d := cmp.Diff(livempu.MPUTask{}, empty); d != "" {
		t.Errorf("empty strings are not zero:\n%s", d)
	}
}

func TestDecodeKeepsUnknownValues(t *testing.T) {
	var task livempu.MPUTask
	doc := `{"MixMode":"7","Region":"CN-shanghai","SingleSubParams":{"SourceType":"drone","StreamType":"9"},"TranscodeParams":{"EncodeParams":{"EnhancedParam":"not json"}},"Extra":{"nested":[1,2]}}`
	if err := json.Unmarshal([]byte(doc), &task); err != nil {
		t.Fatal(err)
	}
	if task.MixMode.String() != "MixMode(7)" || task.Region != livempu.RegionCNShanghai || task.SingleSubParams.SourceType != "drone" ||
		task.SingleSubParams.StreamType.String() != "StreamType(9)" || task.TranscodeParams.EncodeParams.EnhancedParam.Raw != "not json" {
		t.Errorf("got %+v", task)
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	var task livempu.MPUTask
	err := json.Unmarshal([]byte(`{"TranscodeParams":{"EncodeParams":{"VideoWidth":"wide"}}}`), &task)
	if err == nil || !strings.Contains(err.Error(), "TranscodeParams.EncodeParams.VideoWidth") {
		t.Fatalf("err = %v", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	page := livempu.ListRtcMPUTaskDetailResponse{RequestID: "r", MPUTasks: []livempu.MPUTask{docTask(), {AppID: "b", MixMode: livempu.MixModeMixed}}}
	typed, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(typed), `"VideoBitrate":3500`) || !strings.Contains(string(typed), `"AudioOnly":false`) || !strings.Contains(string(typed), `"MaxIdleTime":10`) {
		t.Errorf("typed form: %s", typed)
	}
	wireForm := servicejson.Append(nil, page)
	if !strings.Contains(string(wireForm), `"VideoBitrate":"3500"`) || !strings.Contains(string(wireForm), `"IsAliCdn":false`) || !strings.Contains(string(wireForm), `"FollowIdr":"0"`) {
		t.Errorf("wire form: %s", wireForm)
	}
	for name, doc := range map[string][]byte{"typed": typed, "wire": wireForm} {
		var back livempu.ListRtcMPUTaskDetailResponse
		if err := json.Unmarshal(doc, &back); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := cmp.Diff(page, back); d != "" {
			t.Errorf("%s round trip (-want +got):\n%s", name, d)
		}
	}

	rec := livempu.ListRtcMPUEventSubRecordResponse{RequestID: "r", Count: 1, HasMore: true, Logs: []livempu.EventSubRecord{{
		AppID: "a", SubID: "s", MsgID: "m", Data: `{"EventType":1}`, Time: time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC),
		Cost: 22 * time.Millisecond, CallbackURL: "http://cb", HTTPCode: 200}}}
	for _, doc := range [][]byte{must(json.Marshal(rec)), servicejson.Append(nil, rec)} {
		var back livempu.ListRtcMPUEventSubRecordResponse
		if err := json.Unmarshal(doc, &back); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(rec, back); d != "" {
			t.Errorf("record round trip:\n%s", d)
		}
	}
	if w := string(servicejson.Append(nil, rec)); !strings.Contains(w, `"HTTPCode":"200"`) || !strings.Contains(w, `"Cost":22`) || !strings.Contains(w, `"Time":"2024-04-09T10:00:00Z"`) {
		t.Errorf("record wire form: %s", w)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestEventDecoding(t *testing.T) {
	want := livempu.MPUEvent{
		EventType: 1, MsgID: "42bba8b5-94ab-468c-9dae-9b501dd6cb6e", AppID: "rtcdev", SubID: "Sub-9799B2C45009799B2C4500",
		TaskID: "mpucallbacktest", CallbackTs: time.UnixMilli(1712656430476).UTC(),
		Payload: livempu.EventPayload{DstURL: "rtmp://domain/app/stream?auth", EventTs: time.UnixMilli(1712656430384).UTC(), EventCode: 1},
	}
	plain := `{"EventType":1,"MsgId":"42bba8b5-94ab-468c-9dae-9b501dd6cb6e","AppId":"rtcdev","SubId":"Sub-9799B2C45009799B2C4500","TaskId":"mpucallbacktest","CallbackTs":1712656430476,"Payload":{"DstUrl":"rtmp://domain/app/stream?auth","EventTs":1712656430384,"EventCode":1,"ErrorCode":0,"ErrorMessage":""}}`
	escapedTwice := strings.ReplaceAll(plain, `"`, `\"`)
	for name, data := range map[string]string{"plain": plain, "escaped twice": escapedTwice} {
		got, err := livempu.EventSubRecord{Data: data}.Event()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
	if want.Failed() || want.EventType.String() != "EventType(1)" || want.Payload.EventCode.String() != "EventCode(1)" {
		t.Error("Failed or String")
	}
	// The documentation's own sample masks digits with *** and is not JSON.
	_, err := livempu.EventSubRecord{Data: `{\"EventType\":1,\"CallbackTs\":1712656430***}`}.Event()
	if !errors.Is(err, livempu.ErrMalformedEvent) {
		t.Errorf("masked sample: err = %v", err)
	}
	back, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	again, err := livempu.ParseMPUEvent(string(back))
	if err != nil || !cmp.Equal(want, again) {
		t.Errorf("event round trip: %v %s", err, back)
	}
}

func TestEnumStrings(t *testing.T) {
	for got, want := range map[string]string{
		livempu.MixModeSingle.String():         "single",
		livempu.MixModeMixed.String():          "mixed",
		livempu.StreamTypeAudioOnly.String():   "audio-only",
		livempu.StreamTypeVideoOnly.String():   "video-only",
		livempu.RenderModeScale.String():       "scale",
		livempu.RenderModeCrop.String():        "crop",
		livempu.SourceTypeShareScreen.String(): "shareScreen",
		livempu.RegionEMAASaudi.String():       "EMAA-Saudi",
	} {
		if got != want {
			t.Errorf("%q != %q", got, want)
		}
	}
}
