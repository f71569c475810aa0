package livempu

import (
	"strings"
	"time"

	"github.com/livempu/livempu-go/internal/wire"
)

// This file holds the helpers shared by the hand-written JSON codecs of the
// response types (mpu_tasks_json.go, event_records_json.go). They decode in
// one pass without reflection, accepting both the quoted and the native form
// of every scalar, and encode either the typed form (json.Marshal) or the
// service's wire form (AppendWireJSON).

// decodeArray decodes a JSON array whose elements decode with dec.
func decodeArray[T any](b []byte, dec func(*T, []byte) error) ([]T, error) {
	var out []T
	err := wire.Array(b, func(v []byte) error {
		var zero T
		out = append(out, zero)
		return dec(&out[len(out)-1], v)
	})
	return out, err
}

// encodeArray writes a JSON array member of objects.
func encodeArray[T any](w *wire.Writer, key string, items []T, enc func(*T, *wire.Writer)) {
	w.OpenArray(key)
	for i := range items {
		w.Open()
		enc(&items[i], w)
		w.Close()
	}
	w.CloseArray()
}

// encodeObject writes an object member whose fields enc writes.
func encodeObject(w *wire.Writer, key string, enc func(*wire.Writer)) {
	w.OpenObject(key)
	enc(w)
	w.Close()
}

// marshalObject encodes a top-level object in the typed form.
func marshalObject(enc func(*wire.Writer)) ([]byte, error) {
	w := wire.Writer{Buf: make([]byte, 0, 256)}
	w.Open()
	enc(&w)
	w.Close()
	return w.Buf, nil
}

// mixMode decodes a MixMode.
func mixMode(v []byte) (MixMode, error) { n, err := wire.Int(v); return MixMode(n), err }

// streamType decodes a StreamType.
func streamType(v []byte) (StreamType, error) { n, err := wire.Int(v); return StreamType(n), err }

// renderMode decodes a RenderMode.
func renderMode(v []byte) (RenderMode, error) { n, err := wire.Int(v); return RenderMode(n), err }

// sourceType decodes a SourceType; the documented values cost no allocation.
func sourceType(v []byte) (SourceType, error) {
	t, err := wire.Text(v)
	if err != nil {
		return "", err
	}
	switch string(t) {
	case "":
		return "", nil
	case string(SourceTypeCamera):
		return SourceTypeCamera, nil
	case string(SourceTypeShareScreen):
		return SourceTypeShareScreen, nil
	}
	return SourceType(t), nil
}

// region decodes a Region; the documented values, in any letter case,
// become the constants.
func region(v []byte) (Region, error) {
	t, err := wire.Text(v)
	if err != nil {
		return "", err
	}
	for _, r := range [...]Region{RegionCNShanghai, RegionAPSingapore, RegionEMAASaudi} {
		if len(t) == len(r) && strings.EqualFold(string(t), string(r)) {
			return r, nil
		}
	}
	return Region(t), nil
}

// commonStrings are values that recur on every page; decoding them to these
// constants saves an allocation each.
var commonStrings = [...]string{"H.264", "H.265", "udd"}

// internedString decodes a string, reusing a common constant when it matches.
func internedString(v []byte) (string, error) {
	t, err := wire.Text(v)
	if err != nil || len(t) == 0 {
		return "", err
	}
	for _, s := range commonStrings {
		if string(t) == s {
			return s, nil
		}
	}
	return string(t), nil
}

// durationUnits writes a duration as a whole count of unit.
func durationUnits(d, unit time.Duration) int { return int(d / unit) }
