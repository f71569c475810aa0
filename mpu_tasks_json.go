package livempu

import (
	"time"

	"github.com/livempu/livempu-go/internal/wire"
)

// UnmarshalJSON decodes a page of tasks in the service's form or the typed
// form json.Marshal produces.
func (r *ListRtcMPUTaskDetailResponse) UnmarshalJSON(b []byte) error {
	return wire.Decode(string(b), r.decodeFrom)
}

// MarshalJSON encodes the page with the API's field names and typed values.
func (r ListRtcMPUTaskDetailResponse) MarshalJSON() ([]byte, error) {
	return marshalObject(r.encodeFields)
}

// appendWireJSON appends the page encoded exactly as the service sends it,
// numbers and booleans as strings where its documentation shows strings
// (see internal/servicejson, which livetest and the fixtures use).
func (r *ListRtcMPUTaskDetailResponse) appendWireJSON(dst []byte) []byte {
	w := wire.Writer{Buf: dst, Wire: true}
	w.Open()
	r.encodeFields(&w)
	w.Close()
	return w.Buf
}

// decode decodes a whole response body; a body that is not a page (null,
// an error document) is an error, never an empty page.
func (r *ListRtcMPUTaskDetailResponse) decode(body string) error {
	if err := wire.Decode(body, r.decodeFrom); err != nil {
		return err
	}
	if len(r.MPUTasks) == 0 {
		return checkEmptyPage(body)
	}
	return nil
}

func (r *ListRtcMPUTaskDetailResponse) decodeFrom(d *wire.Decoder) error {
	*r = ListRtcMPUTaskDetailResponse{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"RequestId"`:
			r.RequestID, err = d.String()
		case `"MPUTasks"`:
			r.MPUTasks, err = decodeList(d, &taskScratch, (*MPUTask).decodeFrom)
		}
		return wire.ErrField(k, err)
	})
}

func (r *ListRtcMPUTaskDetailResponse) encodeFields(w *wire.Writer) {
	w.Str("RequestId", r.RequestID)
	encodeArray(w, "MPUTasks", r.MPUTasks, (*MPUTask).encodeFields)
}

// UnmarshalJSON decodes a task in the service's form or the typed form.
func (t *MPUTask) UnmarshalJSON(b []byte) error { return wire.Decode(string(b), t.decodeFrom) }

// MarshalJSON encodes the task with the API's field names and typed values.
func (t MPUTask) MarshalJSON() ([]byte, error) { return marshalObject(t.encodeFields) }

func (t *MPUTask) decodeFrom(d *wire.Decoder) error {
	*t = MPUTask{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"AppId"`:
			t.AppID, err = d.String()
		case `"ChannelId"`:
			t.ChannelID, err = d.String()
		case `"TaskId"`:
			t.TaskID, err = d.String()
		case `"MixMode"`:
			t.MixMode, err = mixMode(d)
		case `"StreamURL"`:
			t.StreamURL, err = d.String()
		case `"MultiStreamURL"`:
			t.MultiStreamURL, err = decodeArray(d, (*RelayURL).decodeFrom)
		case `"Region"`:
			t.Region, err = region(d)
		case `"MaxIdleTime"`:
			t.MaxIdleTime, err = d.Duration(time.Second)
		case `"SingleSubParams"`:
			err = t.SingleSubParams.decodeFrom(d)
		case `"TranscodeParams"`:
			err = t.TranscodeParams.decodeFrom(d)
		case `"SeiParams"`:
			err = t.SEIParams.decodeFrom(d)
		}
		return wire.ErrField(k, err)
	})
}

func (t *MPUTask) encodeFields(w *wire.Writer) {
	w.Str("AppId", t.AppID)
	w.Str("ChannelId", t.ChannelID)
	w.Str("TaskId", t.TaskID)
	w.Int("MixMode", int(t.MixMode), true)
	w.Str("StreamURL", t.StreamURL)
	encodeArray(w, "MultiStreamURL", t.MultiStreamURL, (*RelayURL).encodeFields)
	w.Str("Region", string(t.Region))
	w.Int("MaxIdleTime", durationUnits(t.MaxIdleTime, time.Second), true)
	encodeObject(w, "SingleSubParams", t.SingleSubParams.encodeFields)
	encodeObject(w, "TranscodeParams", t.TranscodeParams.encodeFields)
	encodeObject(w, "SeiParams", t.SEIParams.encodeFields)
}

func (u *RelayURL) decodeFrom(d *wire.Decoder) error {
	*u = RelayURL{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"URL"`:
			u.URL, err = d.String()
		case `"IsAliCdn"`:
			u.IsAliCDN, err = d.Bool()
		}
		return wire.ErrField(k, err)
	})
}

func (u *RelayURL) encodeFields(w *wire.Writer) {
	w.Str("URL", u.URL)
	w.Bool("IsAliCdn", u.IsAliCDN, false)
}

func (p *SingleSubParams) decodeFrom(d *wire.Decoder) error {
	*p = SingleSubParams{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"SourceType"`:
			p.SourceType, err = sourceType(d)
		case `"StreamType"`:
			p.StreamType, err = streamType(d)
		case `"UserId"`:
			p.UserID, err = d.String()
		}
		return wire.ErrField(k, err)
	})
}

func (p *SingleSubParams) encodeFields(w *wire.Writer) {
	w.Str("SourceType", string(p.SourceType))
	w.Int("StreamType", int(p.StreamType), true)
	w.Str("UserId", p.UserID)
}

func (p *TranscodeParams) decodeFrom(d *wire.Decoder) error {
	*p = TranscodeParams{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"Background"`:
			err = p.Background.decodeFrom(d)
		case `"EncodeParams"`:
			err = p.EncodeParams.decodeFrom(d)
		case `"Layout"`:
			err = p.Layout.decodeFrom(d)
		case `"UserInfos"`:
			p.UserInfos, err = decodeArray(d, (*UserInfo).decodeFrom)
		}
		return wire.ErrField(k, err)
	})
}

func (p *TranscodeParams) encodeFields(w *wire.Writer) {
	encodeObject(w, "Background", p.Background.encodeFields)
	encodeObject(w, "EncodeParams", p.EncodeParams.encodeFields)
	encodeObject(w, "Layout", p.Layout.encodeFields)
	encodeArray(w, "UserInfos", p.UserInfos, (*UserInfo).encodeFields)
}

func (g *Background) decodeFrom(d *wire.Decoder) error {
	*g = Background{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"RenderMode"`:
			g.RenderMode, err = renderMode(d)
		case `"URL"`:
			g.URL, err = d.String()
		}
		return wire.ErrField(k, err)
	})
}

func (g *Background) encodeFields(w *wire.Writer) {
	w.Int("RenderMode", int(g.RenderMode), true)
	w.Str("URL", g.URL)
}

func (p *EncodeParams) decodeFrom(d *wire.Decoder) error {
	*p = EncodeParams{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"AudioOnly"`:
			p.AudioOnly, err = d.Bool()
		case `"AudioBitrate"`:
			p.AudioBitrate, err = d.Int()
		case `"AudioChannels"`:
			p.AudioChannels, err = d.Int()
		case `"AudioSampleRate"`:
			p.AudioSampleRate, err = d.Int()
		case `"VideoCodec"`:
			p.VideoCodec, err = d.String()
		case `"VideoBitrate"`:
			p.VideoBitrate, err = d.Int()
		case `"VideoFramerate"`:
			p.VideoFramerate, err = d.Int()
		case `"VideoGop"`:
			p.VideoGop, err = d.Int()
		case `"VideoHeight"`:
			p.VideoHeight, err = d.Int()
		case `"VideoWidth"`:
			p.VideoWidth, err = d.Int()
		case `"EnhancedParam"`:
			p.EnhancedParam, err = decodeEnhancedParam(d)
		}
		return wire.ErrField(k, err)
	})
}

func (p *EncodeParams) encodeFields(w *wire.Writer) {
	w.Bool("AudioOnly", p.AudioOnly, true)
	w.Int("AudioBitrate", p.AudioBitrate, true)
	w.Int("AudioChannels", p.AudioChannels, true)
	w.Int("AudioSampleRate", p.AudioSampleRate, true)
	w.Str("VideoCodec", p.VideoCodec)
	w.Int("VideoBitrate", p.VideoBitrate, true)
	w.Int("VideoFramerate", p.VideoFramerate, true)
	w.Int("VideoGop", p.VideoGop, true)
	w.Int("VideoHeight", p.VideoHeight, true)
	w.Int("VideoWidth", p.VideoWidth, true)
	w.Str("EnhancedParam", p.EnhancedParam.text())
}

func (l *Layout) decodeFrom(d *wire.Decoder) error {
	*l = Layout{}
	return d.Object(func(k string) (err error) {
		if k == `"UserPanes"` {
			l.UserPanes, err = decodeArray(d, (*UserPane).decodeFrom)
		}
		return wire.ErrField(k, err)
	})
}

func (l *Layout) encodeFields(w *wire.Writer) {
	encodeArray(w, "UserPanes", l.UserPanes, (*UserPane).encodeFields)
}

func (p *UserPane) decodeFrom(d *wire.Decoder) error {
	*p = UserPane{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"UserInfo"`:
			err = p.UserInfo.decodeFrom(d)
		case `"Height"`:
			p.Height, err = d.Float()
		case `"Width"`:
			p.Width, err = d.Float()
		case `"X"`:
			p.X, err = d.Float()
		case `"Y"`:
			p.Y, err = d.Float()
		case `"ZOrder"`:
			p.ZOrder, err = d.Int()
		case `"BackgroundImageUrl"`:
			p.BackgroundImageURL, err = d.String()
		case `"RenderMode"`:
			p.RenderMode, err = renderMode(d)
		}
		return wire.ErrField(k, err)
	})
}

func (p *UserPane) encodeFields(w *wire.Writer) {
	encodeObject(w, "UserInfo", p.UserInfo.encodePaneFields)
	w.Float("Height", p.Height)
	w.Float("Width", p.Width)
	w.Float("X", p.X)
	w.Float("Y", p.Y)
	w.Int("ZOrder", p.ZOrder, true)
	w.Str("BackgroundImageUrl", p.BackgroundImageURL)
	w.Int("RenderMode", int(p.RenderMode), true)
}

func (u *UserInfo) decodeFrom(d *wire.Decoder) error {
	*u = UserInfo{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"ChannelId"`:
			u.ChannelID, err = d.String()
		case `"UserId"`:
			u.UserID, err = d.String()
		case `"SourceType"`:
			u.SourceType, err = sourceType(d)
		case `"StreamType"`:
			u.StreamType, err = streamType(d)
		}
		return wire.ErrField(k, err)
	})
}

func (u *UserInfo) encodeFields(w *wire.Writer) {
	u.encodePaneFields(w)
	w.Int("StreamType", int(u.StreamType), true)
}

// encodePaneFields writes the fields a pane's UserInfo carries: the service
// sends no StreamType there.
func (u *UserInfo) encodePaneFields(w *wire.Writer) {
	w.Str("ChannelId", u.ChannelID)
	w.Str("UserId", u.UserID)
	w.Str("SourceType", string(u.SourceType))
}

func (p *SEIParams) decodeFrom(d *wire.Decoder) error {
	*p = SEIParams{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"LayoutVolume"`:
			err = p.LayoutVolume.decodeFrom(d)
		case `"PassThrough"`:
			err = p.PassThrough.decodeFrom(d)
		case `"PayloadType"`:
			p.PayloadType, err = d.Int()
		}
		return wire.ErrField(k, err)
	})
}

func (p *SEIParams) encodeFields(w *wire.Writer) {
	encodeObject(w, "LayoutVolume", p.LayoutVolume.encodeFields)
	encodeObject(w, "PassThrough", p.PassThrough.encodeFields)
	w.Int("PayloadType", p.PayloadType, true)
}

func (s *SEISettings) decodeFrom(d *wire.Decoder) error {
	*s = SEISettings{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"FollowIdr"`:
			s.FollowIDR, err = d.Bool()
		case `"Interval"`:
			s.Interval, err = d.Duration(time.Millisecond)
		}
		return wire.ErrField(k, err)
	})
}

func (s *SEISettings) encodeFields(w *wire.Writer) {
	w.Flag("FollowIdr", s.FollowIDR)
	w.Int("Interval", durationUnits(s.Interval, time.Millisecond), true)
}

func (s *SEIPassThrough) decodeFrom(d *wire.Decoder) error {
	*s = SEIPassThrough{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"FollowIdr"`:
			s.FollowIDR, err = d.Bool()
		case `"Interval"`:
			s.Interval, err = d.Duration(time.Millisecond)
		case `"PayloadContent"`:
			s.PayloadContent, err = d.String()
		case `"PayloadContentKey"`:
			s.PayloadContentKey, err = d.String()
		}
		return wire.ErrField(k, err)
	})
}

func (s *SEIPassThrough) encodeFields(w *wire.Writer) {
	w.Flag("FollowIdr", s.FollowIDR)
	w.Int("Interval", durationUnits(s.Interval, time.Millisecond), true)
	w.Str("PayloadContent", s.PayloadContent)
	w.Str("PayloadContentKey", s.PayloadContentKey)
}
