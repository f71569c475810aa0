package livempu

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/livempu/livempu-go/internal/wire"
)

// MixMode says whether a relay task mixes streams. The service sends it as a
// string ("0" or "1"); an unknown value is kept as is.
type MixMode int

const (
	// MixModeSingle relays one original stream without mixing ("0").
	MixModeSingle MixMode = 0
	// MixModeMixed mixes several streams into one and relays it ("1", the
	// service's default).
	MixModeMixed MixMode = 1
)

// String returns "single", "mixed", or MixMode(n) for an unknown value.
func (m MixMode) String() string {
	switch m {
	case MixModeSingle:
		return "single"
	case MixModeMixed:
		return "mixed"
	}
	return "MixMode(" + strconv.Itoa(int(m)) + ")"
}

// StreamType is the kind of stream relayed from a user.
type StreamType int

const (
	// StreamTypeOriginal relays the original stream ("0", the default).
	StreamTypeOriginal StreamType = 0
	// StreamTypeAudioOnly relays the audio only ("1").
	StreamTypeAudioOnly StreamType = 1
	// StreamTypeVideoOnly relays the video only ("2").
	StreamTypeVideoOnly StreamType = 2
)

// String returns "original", "audio-only", "video-only" or StreamType(n).
func (s StreamType) String() string {
	switch s {
	case StreamTypeOriginal:
		return "original"
	case StreamTypeAudioOnly:
		return "audio-only"
	case StreamTypeVideoOnly:
		return "video-only"
	}
	return "StreamType(" + strconv.Itoa(int(s)) + ")"
}

// RenderMode is how a video or background image is fitted into its pane.
type RenderMode int

const (
	// RenderModeScale scales proportionally and fills the rest with black
	// bars ("0").
	RenderModeScale RenderMode = 0
	// RenderModeCrop crops to fill the pane ("1", the default).
	RenderModeCrop RenderMode = 1
)

// String returns "scale", "crop" or RenderMode(n).
func (r RenderMode) String() string {
	switch r {
	case RenderModeScale:
		return "scale"
	case RenderModeCrop:
		return "crop"
	}
	return "RenderMode(" + strconv.Itoa(int(r)) + ")"
}

// SourceType is where a user's video comes from. Any string the service
// sends is kept; the constants name the documented values.
type SourceType string

const (
	// SourceTypeCamera is video captured by a camera (the default).
	SourceTypeCamera SourceType = "camera"
	// SourceTypeShareScreen is a shared screen.
	SourceTypeShareScreen SourceType = "shareScreen"
)

// String returns the value as the service spells it.
func (s SourceType) String() string { return string(s) }

// Region is the region in which streams are mixed, as the service spells it.
type Region string

const (
	// RegionCNShanghai is China (Shanghai); the documentation also spells it
	// "CN-shanghai", which decodes to this constant.
	RegionCNShanghai Region = "CN-Shanghai"
	// RegionAPSingapore is Singapore, the service's default.
	RegionAPSingapore Region = "AP-Singapore"
	// RegionEMAASaudi is Saudi Arabia.
	RegionEMAASaudi Region = "EMAA-Saudi"
)

// String returns the value as the service spells it.
func (r Region) String() string { return string(r) }

// EventType is the type of a mixed-stream relay callback event. The meaning
// of its values is not in Alibaba's public documentation, so no constants are
// defined; the value is kept as sent.
type EventType int

// String returns EventType(n).
func (t EventType) String() string { return "EventType(" + strconv.Itoa(int(t)) + ")" }

// EventCode is the code of a mixed-stream relay callback event. Like
// EventType, its values are undocumented and kept as sent.
type EventCode int

// String returns EventCode(n).
func (c EventCode) String() string { return "EventCode(" + strconv.Itoa(int(c)) + ")" }

// EnhancedParam is the advanced video encoding setting, which the service
// sends as a JSON document inside a JSON string. Raw keeps that text exactly;
// Profile and Preset are decoded from it when it is valid JSON.
type EnhancedParam struct {
	// Raw is the text the service sent, for example
	// {"profile": "high", "preset": "veryfast"}.
	Raw string
	// Profile is the H.264 profile: baseline, main or high.
	Profile string `json:"profile"`
	// Preset trades encoding speed for quality: ultrafast ... placebo.
	Preset string `json:"preset"`
}

// parseEnhancedParam decodes the JSON text of an EnhancedParam. Text that is
// not a JSON object is kept in Raw with empty Profile and Preset, since the
// field is free-form and must not fail a whole page.
func parseEnhancedParam(raw string) EnhancedParam {
	p := EnhancedParam{Raw: raw}
	if strings.TrimSpace(raw) == "" {
		return p
	}
	var profile, preset string
	err := wire.Object(raw, func(k, v string) error {
		var err error
		switch {
		case strings.EqualFold(k, `"profile"`):
			profile, err = wire.String(v)
		case strings.EqualFold(k, `"preset"`):
			preset, err = wire.String(v)
		}
		return err
	})
	if err == nil {
		p.Profile, p.Preset = profile, preset
	}
	return p
}

// text returns Raw, or a document built from Profile and Preset.
func (p EnhancedParam) text() string {
	if p.Raw != "" || (p.Profile == "" && p.Preset == "") {
		return p.Raw
	}
	b, _ := json.Marshal(struct {
		Profile string `json:"profile,omitempty"`
		Preset  string `json:"preset,omitempty"`
	}{p.Profile, p.Preset})
	return string(b)
}

func decodeEnhancedParam(d *wire.Decoder) (EnhancedParam, error) {
	if d.Next() == '{' {
		// The object's own text becomes Raw; invalid UTF-8 in it is
		// replaced as in any decoded string, so that Raw survives encoding.
		v, err := d.Value()
		if err != nil {
			return EnhancedParam{}, err
		}
		return parseEnhancedParam(wire.ValidUTF8(v)), nil
	}
	// The service's form, a string: read and unescaped in one pass.
	s, err := d.String()
	if err != nil {
		return EnhancedParam{}, err
	}
	return parseEnhancedParam(s), nil
}
