package livempu

import (
	"time"

	"github.com/livempu/livempu-go/internal/wire"
)

// UnmarshalJSON decodes a page of records in the service's form or the typed
// form json.Marshal produces.
func (r *ListRtcMPUEventSubRecordResponse) UnmarshalJSON(b []byte) error {
	return wire.Decode(string(b), r.decodeFrom)
}

// MarshalJSON encodes the page with the API's field names and typed values.
func (r ListRtcMPUEventSubRecordResponse) MarshalJSON() ([]byte, error) {
	return marshalObject(r.encodeFields)
}

// appendWireJSON appends the page encoded exactly as the service sends it,
// numbers and booleans as strings where its documentation shows strings
// (see internal/servicejson, which livetest and the fixtures use).
func (r *ListRtcMPUEventSubRecordResponse) appendWireJSON(dst []byte) []byte {
	w := wire.Writer{Buf: dst, Wire: true}
	w.Open()
	r.encodeFields(&w)
	w.Close()
	return w.Buf
}

// decode decodes a whole response body; a body that is not a page (null,
// an error document) is an error, never an empty page.
func (r *ListRtcMPUEventSubRecordResponse) decode(body string) error {
	if err := wire.Decode(body, r.decodeFrom); err != nil {
		return err
	}
	if len(r.Logs) == 0 {
		return checkEmptyPage(body)
	}
	return nil
}

func (r *ListRtcMPUEventSubRecordResponse) decodeFrom(d *wire.Decoder) error {
	*r = ListRtcMPUEventSubRecordResponse{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"RequestId"`:
			r.RequestID, err = d.String()
		case `"Count"`:
			r.Count, err = d.Int()
		case `"HasMore"`:
			r.HasMore, err = d.Bool()
		case `"Logs"`:
			r.Logs, err = decodeList(d, &recordScratch, (*EventSubRecord).decodeFrom)
		}
		return wire.ErrField(k, err)
	})
}

func (r *ListRtcMPUEventSubRecordResponse) encodeFields(w *wire.Writer) {
	w.Str("RequestId", r.RequestID)
	w.Int("Count", r.Count, false)
	w.Bool("HasMore", r.HasMore, false)
	encodeArray(w, "Logs", r.Logs, (*EventSubRecord).encodeFields)
}

// UnmarshalJSON decodes a record.
func (r *EventSubRecord) UnmarshalJSON(b []byte) error { return wire.Decode(string(b), r.decodeFrom) }

// MarshalJSON encodes a record with the API's field names and typed values.
func (r EventSubRecord) MarshalJSON() ([]byte, error) { return marshalObject(r.encodeFields) }

func (r *EventSubRecord) decodeFrom(d *wire.Decoder) error {
	*r = EventSubRecord{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"AppId"`:
			r.AppID, err = d.String()
		case `"SubId"`:
			r.SubID, err = d.String()
		case `"MsgId"`:
			r.MsgID, err = d.String()
		case `"Data"`:
			r.Data, err = d.String()
		case `"Time"`:
			r.Time, err = d.Time()
		case `"Cost"`:
			r.Cost, err = d.Duration(time.Millisecond)
		case `"CallbackUrl"`:
			r.CallbackURL, err = d.String()
		case `"HTTPCode"`:
			r.HTTPCode, err = d.Int()
		}
		return wire.ErrField(k, err)
	})
}

func (r *EventSubRecord) encodeFields(w *wire.Writer) {
	w.Str("AppId", r.AppID)
	w.Str("SubId", r.SubID)
	w.Str("MsgId", r.MsgID)
	w.Str("Data", r.Data)
	w.Time("Time", r.Time)
	w.Int("Cost", durationUnits(r.Cost, time.Millisecond), false)
	w.Str("CallbackUrl", r.CallbackURL)
	w.Int("HTTPCode", r.HTTPCode, true)
}
