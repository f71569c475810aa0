package livempu

import (
	"strings"
	"sync"
	"time"

	"github.com/livempu/livempu-go/internal/servicejson"
	"github.com/livempu/livempu-go/internal/wire"
)

// This file holds the helpers shared by the hand-written JSON codecs of the
// response types (mpu_tasks_json.go, event_records_json.go). They decode in
// one pass without reflection, accepting both the quoted and the native form
// of every scalar, and encode either the typed form (json.Marshal) or the
// service's wire form (appendWireJSON, for internal/servicejson).

// decodeArray decodes the next value, a JSON array whose elements decode
// with dec. An empty array gives nil; otherwise the slice starts with room
// for four elements, which covers the service's short nested lists.
func decodeArray[T any](d *wire.Decoder, dec func(*T, *wire.Decoder) error) ([]T, error) {
	var out []T
	err := d.Array(func() error {
		if out == nil {
			out = make([]T, 0, 4)
		}
		var zero T
		out = append(out, zero)
		return dec(&out[len(out)-1], d)
	})
	return out, err
}

// decodeList decodes the next value, a page's list of items, into a slice
// of exactly the right length. It builds the list in a pooled scratch slice,
// so a page of n items costs one allocation of n elements instead of the
// doubling growth of append.
func decodeList[T any](d *wire.Decoder, pool *sync.Pool, dec func(*T, *wire.Decoder) error) ([]T, error) {
	sp, _ := pool.Get().(*[]T)
	if sp == nil {
		sp = new([]T)
	}
	scratch := (*sp)[:0]
	err := d.Array(func() error {
		var zero T
		scratch = append(scratch, zero)
		return dec(&scratch[len(scratch)-1], d)
	})
	var out []T
	if len(scratch) > 0 {
		out = make([]T, len(scratch))
		copy(out, scratch)
	}
	clear(scratch) // drop references to the page's strings
	if cap(scratch) <= 4*MaxPageSize {
		*sp = scratch[:0]
		pool.Put(sp)
	}
	return out, err
}

// Scratch pools of decodeList, one per list type.
var (
	taskScratch   sync.Pool // *[]MPUTask
	recordScratch sync.Pool // *[]EventSubRecord
)

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
func mixMode(d *wire.Decoder) (MixMode, error) { n, err := d.Int(); return MixMode(n), err }

// streamType decodes a StreamType.
func streamType(d *wire.Decoder) (StreamType, error) { n, err := d.Int(); return StreamType(n), err }

// renderMode decodes a RenderMode.
func renderMode(d *wire.Decoder) (RenderMode, error) { n, err := d.Int(); return RenderMode(n), err }

// sourceType decodes a SourceType; the documented values cost no allocation.
func sourceType(d *wire.Decoder) (SourceType, error) {
	t, err := d.String()
	if err != nil {
		return "", err
	}
	switch t {
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
func region(d *wire.Decoder) (Region, error) {
	t, err := d.String()
	if err != nil {
		return "", err
	}
	for _, r := range [...]Region{RegionCNShanghai, RegionAPSingapore, RegionEMAASaudi} {
		if len(t) == len(r) && strings.EqualFold(t, string(r)) {
			return r, nil
		}
	}
	return Region(t), nil
}

// durationUnits writes a duration as a whole count of unit.
func durationUnits(d, unit time.Duration) int { return int(d / unit) }

func init() { servicejson.Register(appendWireJSON) }

// appendWireJSON appends page, one of the two response types or a pointer
// to one, in the service's wire form; ok is false for any other value.
func appendWireJSON(dst []byte, page any) (out []byte, ok bool) {
	switch p := page.(type) {
	case *ListRtcMPUTaskDetailResponse:
		return p.appendWireJSON(dst), true
	case ListRtcMPUTaskDetailResponse:
		return p.appendWireJSON(dst), true
	case *ListRtcMPUEventSubRecordResponse:
		return p.appendWireJSON(dst), true
	case ListRtcMPUEventSubRecordResponse:
		return p.appendWireJSON(dst), true
	}
	return dst, false
}
