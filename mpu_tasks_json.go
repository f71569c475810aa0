package livempu

import (
	"time"

	"github.com/livempu/livempu-go/internal/wire"
)

// UnmarshalJSON decodes a page of tasks in the service's form or the typed
// form json.Marshal produces.
func (r *ListRtcMPUTaskDetailResponse) UnmarshalJSON(b []byte) error { return r.decode(b) }

// MarshalJSON encodes the page with the API's field names and typed values.
func (r ListRtcMPUTaskDetailResponse) MarshalJSON() ([]byte, error) {
	return marshalObject(r.encodeFields)
}

// AppendWireJSON appends the page encoded exactly as the service sends it,
// numbers and booleans as strings where its documentation shows strings. It
// is what livetest serves, and is useful for hand-made fixtures.
func (r *ListRtcMPUTaskDetailResponse) AppendWireJSON(dst []byte) []byte {
	w := wire.Writer{Buf: dst, Wire: true}
	w.Open()
	r.encodeFields(&w)
	w.Close()
	return w.Buf
}

func (r *ListRtcMPUTaskDetailResponse) decode(b []byte) error {
	*r = ListRtcMPUTaskDetailResponse{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"RequestId"`:
			r.RequestID, err = wire.String(v)
		case `"MPUTasks"`:
			r.MPUTasks, err = decodeArray(v, (*MPUTask).decode)
		}
		return wire.ErrField(k, err)
	})
}

func (r *ListRtcMPUTaskDetailResponse) encodeFields(w *wire.Writer) {
	w.Str("RequestId", r.RequestID)
	encodeArray(w, "MPUTasks", r.MPUTasks, (*MPUTask).encodeFields)
}

// UnmarshalJSON decodes a task in the service's form or the typed form.
func (t *MPUTask) UnmarshalJSON(b []byte) error { return t.decode(b) }

// MarshalJSON encodes the task with the API's field names and typed values.
func (t MPUTask) MarshalJSON() ([]byte, error) { return marshalObject(t.encodeFields) }

func (t *MPUTask) decode(b []byte) error {
	*t = MPUTask{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"AppId"`:
			t.AppID, err = wire.String(v)
		case `"ChannelId"`:
			t.ChannelID, err = wire.String(v)
		case `"TaskId"`:
			t.TaskID, err = wire.String(v)
		case `"MixMode"`:
			t.MixMode, err = mixMode(v)
		case `"StreamURL"`:
			t.StreamURL, err = wire.String(v)
		case `"MultiStreamURL"`:
			t.MultiStreamURL, err = decodeArray(v, (*RelayURL).decode)
		case `"Region"`:
			t.Region, err = region(v)
		case `"MaxIdleTime"`:
			t.MaxIdleTime, err = wire.Duration(v, time.Second)
		case `"SingleSubParams"`:
			err = t.SingleSubParams.decode(v)
		case `"TranscodeParams"`:
			err = t.TranscodeParams.decode(v)
		case `"SeiParams"`:
			err = t.SEIParams.decode(v)
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

// UnmarshalJSON decodes a relay URL.
func (u *RelayURL) UnmarshalJSON(b []byte) error { return u.decode(b) }

// MarshalJSON encodes the relay URL.
func (u RelayURL) MarshalJSON() ([]byte, error) { return marshalObject(u.encodeFields) }

func (u *RelayURL) decode(b []byte) error {
	*u = RelayURL{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"URL"`:
			u.URL, err = wire.String(v)
		case `"IsAliCdn"`:
			u.IsAliCDN, err = wire.Bool(v)
		}
		return wire.ErrField(k, err)
	})
}

func (u *RelayURL) encodeFields(w *wire.Writer) {
	w.Str("URL", u.URL)
	w.Bool("IsAliCdn", u.IsAliCDN, false)
}

// UnmarshalJSON decodes single-stream relay parameters.
func (p *SingleSubParams) UnmarshalJSON(b []byte) error { return p.decode(b) }

// MarshalJSON encodes single-stream relay parameters.
func (p SingleSubParams) MarshalJSON() ([]byte, error) { return marshalObject(p.encodeFields) }

func (p *SingleSubParams) decode(b []byte) error {
	*p = SingleSubParams{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"SourceType"`:
			p.SourceType, err = sourceType(v)
		case `"StreamType"`:
			p.StreamType, err = streamType(v)
		case `"UserId"`:
			p.UserID, err = wire.String(v)
		}
		return wire.ErrField(k, err)
	})
}

func (p *SingleSubParams) encodeFields(w *wire.Writer) {
	w.Str("SourceType", string(p.SourceType))
	w.Int("StreamType", int(p.StreamType), true)
	w.Str("UserId", p.UserID)
}

// UnmarshalJSON decodes mixed-stream relay parameters.
func (p *TranscodeParams) UnmarshalJSON(b []byte) error { return p.decode(b) }

// MarshalJSON encodes mixed-stream relay parameters.
func (p TranscodeParams) MarshalJSON() ([]byte, error) { return marshalObject(p.encodeFields) }

func (p *TranscodeParams) decode(b []byte) error {
	*p = TranscodeParams{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"Background"`:
			err = p.Background.decode(v)
		case `"EncodeParams"`:
			err = p.EncodeParams.decode(v)
		case `"Layout"`:
			err = p.Layout.decode(v)
		case `"UserInfos"`:
			p.UserInfos, err = decodeArray(v, (*UserInfo).decode)
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

// UnmarshalJSON decodes a background.
func (g *Background) UnmarshalJSON(b []byte) error { return g.decode(b) }

// MarshalJSON encodes a background.
func (g Background) MarshalJSON() ([]byte, error) { return marshalObject(g.encodeFields) }

func (g *Background) decode(b []byte) error {
	*g = Background{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"RenderMode"`:
			g.RenderMode, err = renderMode(v)
		case `"URL"`:
			g.URL, err = wire.String(v)
		}
		return wire.ErrField(k, err)
	})
}

func (g *Background) encodeFields(w *wire.Writer) {
	w.Int("RenderMode", int(g.RenderMode), true)
	w.Str("URL", g.URL)
}

// UnmarshalJSON decodes encoding parameters.
func (p *EncodeParams) UnmarshalJSON(b []byte) error { return p.decode(b) }

// MarshalJSON encodes encoding parameters.
func (p EncodeParams) MarshalJSON() ([]byte, error) { return marshalObject(p.encodeFields) }

func (p *EncodeParams) decode(b []byte) error {
	*p = EncodeParams{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"AudioOnly"`:
			p.AudioOnly, err = wire.Bool(v)
		case `"AudioBitrate"`:
			p.AudioBitrate, err = wire.Int(v)
		case `"AudioChannels"`:
			p.AudioChannels, err = wire.Int(v)
		case `"AudioSampleRate"`:
			p.AudioSampleRate, err = wire.Int(v)
		case `"VideoCodec"`:
			p.VideoCodec, err = internedString(v)
		case `"VideoBitrate"`:
			p.VideoBitrate, err = wire.Int(v)
		case `"VideoFramerate"`:
			p.VideoFramerate, err = wire.Int(v)
		case `"VideoGop"`:
			p.VideoGop, err = wire.Int(v)
		case `"VideoHeight"`:
			p.VideoHeight, err = wire.Int(v)
		case `"VideoWidth"`:
			p.VideoWidth, err = wire.Int(v)
		case `"EnhancedParam"`:
			p.EnhancedParam, err = decodeEnhancedParam(v)
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

// UnmarshalJSON decodes a layout.
func (l *Layout) UnmarshalJSON(b []byte) error { return l.decode(b) }

// MarshalJSON encodes a layout.
func (l Layout) MarshalJSON() ([]byte, error) { return marshalObject(l.encodeFields) }

func (l *Layout) decode(b []byte) error {
	*l = Layout{}
	return wire.Object(b, func(k, v []byte) (err error) {
		if string(k) == `"UserPanes"` {
			l.UserPanes, err = decodeArray(v, (*UserPane).decode)
		}
		return wire.ErrField(k, err)
	})
}

func (l *Layout) encodeFields(w *wire.Writer) {
	encodeArray(w, "UserPanes", l.UserPanes, (*UserPane).encodeFields)
}

// UnmarshalJSON decodes a pane.
func (p *UserPane) UnmarshalJSON(b []byte) error { return p.decode(b) }

// MarshalJSON encodes a pane.
func (p UserPane) MarshalJSON() ([]byte, error) { return marshalObject(p.encodeFields) }

func (p *UserPane) decode(b []byte) error {
	*p = UserPane{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"UserInfo"`:
			err = p.UserInfo.decode(v)
		case `"Height"`:
			p.Height, err = wire.Float(v)
		case `"Width"`:
			p.Width, err = wire.Float(v)
		case `"X"`:
			p.X, err = wire.Float(v)
		case `"Y"`:
			p.Y, err = wire.Float(v)
		case `"ZOrder"`:
			p.ZOrder, err = wire.Int(v)
		case `"BackgroundImageUrl"`:
			p.BackgroundImageURL, err = wire.String(v)
		case `"RenderMode"`:
			p.RenderMode, err = renderMode(v)
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

// UnmarshalJSON decodes a user's stream identity.
func (u *UserInfo) UnmarshalJSON(b []byte) error { return u.decode(b) }

// MarshalJSON encodes a user's stream identity.
func (u UserInfo) MarshalJSON() ([]byte, error) { return marshalObject(u.encodeFields) }

func (u *UserInfo) decode(b []byte) error {
	*u = UserInfo{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"ChannelId"`:
			u.ChannelID, err = wire.String(v)
		case `"UserId"`:
			u.UserID, err = wire.String(v)
		case `"SourceType"`:
			u.SourceType, err = sourceType(v)
		case `"StreamType"`:
			u.StreamType, err = streamType(v)
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

// UnmarshalJSON decodes SEI parameters.
func (p *SEIParams) UnmarshalJSON(b []byte) error { return p.decode(b) }

// MarshalJSON encodes SEI parameters.
func (p SEIParams) MarshalJSON() ([]byte, error) { return marshalObject(p.encodeFields) }

func (p *SEIParams) decode(b []byte) error {
	*p = SEIParams{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"LayoutVolume"`:
			err = p.LayoutVolume.decode(v)
		case `"PassThrough"`:
			err = p.PassThrough.decode(v)
		case `"PayloadType"`:
			p.PayloadType, err = wire.Int(v)
		}
		return wire.ErrField(k, err)
	})
}

func (p *SEIParams) encodeFields(w *wire.Writer) {
	encodeObject(w, "LayoutVolume", p.LayoutVolume.encodeFields)
	encodeObject(w, "PassThrough", p.PassThrough.encodeFields)
	w.Int("PayloadType", p.PayloadType, true)
}

// UnmarshalJSON decodes SEI settings.
func (s *SEISettings) UnmarshalJSON(b []byte) error { return s.decode(b) }

// MarshalJSON encodes SEI settings.
func (s SEISettings) MarshalJSON() ([]byte, error) { return marshalObject(s.encodeFields) }

func (s *SEISettings) decode(b []byte) error {
	*s = SEISettings{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"FollowIdr"`:
			s.FollowIDR, err = wire.Bool(v)
		case `"Interval"`:
			s.Interval, err = wire.Duration(v, time.Millisecond)
		}
		return wire.ErrField(k, err)
	})
}

func (s *SEISettings) encodeFields(w *wire.Writer) {
	w.Flag("FollowIdr", s.FollowIDR)
	w.Int("Interval", durationUnits(s.Interval, time.Millisecond), true)
}

// UnmarshalJSON decodes a custom SEI.
func (s *SEIPassThrough) UnmarshalJSON(b []byte) error { return s.decode(b) }

// MarshalJSON encodes a custom SEI.
func (s SEIPassThrough) MarshalJSON() ([]byte, error) { return marshalObject(s.encodeFields) }

func (s *SEIPassThrough) decode(b []byte) error {
	*s = SEIPassThrough{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"FollowIdr"`:
			s.FollowIDR, err = wire.Bool(v)
		case `"Interval"`:
			s.Interval, err = wire.Duration(v, time.Millisecond)
		case `"PayloadContent"`:
			s.PayloadContent, err = wire.String(v)
		case `"PayloadContentKey"`:
			s.PayloadContentKey, err = internedString(v)
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
