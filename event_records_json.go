package livempu

import (
	"time"

	"github.com/livempu/livempu-go/internal/wire"
)

// UnmarshalJSON decodes a page of records in the service's form or the typed
// form json.Marshal produces.
func (r *ListRtcMPUEventSubRecordResponse) UnmarshalJSON(b []byte) error { return r.decode(b) }

// MarshalJSON encodes the page with the API's field names and typed values.
func (r ListRtcMPUEventSubRecordResponse) MarshalJSON() ([]byte, error) {
	return marshalObject(r.encodeFields)
}

// AppendWireJSON appends the page encoded exactly as the service sends it
// (HTTPCode as a string, Count, HasMore and Cost native). It is what
// livetest serves, and is useful for hand-made fixtures.
func (r *ListRtcMPUEventSubRecordResponse) AppendWireJSON(dst []byte) []byte {
	w := wire.Writer{Buf: dst, Wire: true}
	w.Open()
	r.encodeFields(&w)
	w.Close()
	return w.Buf
}

func (r *ListRtcMPUEventSubRecordResponse) decode(b []byte) error {
	*r = ListRtcMPUEventSubRecordResponse{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"RequestId"`:
			r.RequestID, err = wire.String(v)
		case `"Count"`:
			r.Count, err = wire.Int(v)
		case `"HasMore"`:
			r.HasMore, err = wire.Bool(v)
		case `"Logs"`:
			r.Logs, err = decodeArray(v, (*EventSubRecord).decode)
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
func (r *EventSubRecord) UnmarshalJSON(b []byte) error { return r.decode(b) }

// MarshalJSON encodes a record with the API's field names and typed values.
func (r EventSubRecord) MarshalJSON() ([]byte, error) { return marshalObject(r.encodeFields) }

func (r *EventSubRecord) decode(b []byte) error {
	*r = EventSubRecord{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"AppId"`:
			r.AppID, err = wire.String(v)
		case `"SubId"`:
			r.SubID, err = wire.String(v)
		case `"MsgId"`:
			r.MsgID, err = wire.String(v)
		case `"Data"`:
			r.Data, err = wire.String(v)
		case `"Time"`:
			r.Time, err = wire.Time(v)
		case `"Cost"`:
			r.Cost, err = wire.Duration(v, time.Millisecond)
		case `"CallbackUrl"`:
			r.CallbackURL, err = wire.String(v)
		case `"HTTPCode"`:
			r.HTTPCode, err = wire.Int(v)
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

// UnmarshalJSON decodes a callback event.
func (e *MPUEvent) UnmarshalJSON(b []byte) error { return e.decode(b) }

// MarshalJSON encodes a callback event as the service sends it (times as
// epoch milliseconds).
func (e MPUEvent) MarshalJSON() ([]byte, error) { return marshalObject(e.encodeFields) }

func (e *MPUEvent) decode(b []byte) error {
	*e = MPUEvent{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"EventType"`:
			var n int
			n, err = wire.Int(v)
			e.EventType = EventType(n)
		case `"MsgId"`:
			e.MsgID, err = wire.String(v)
		case `"AppId"`:
			e.AppID, err = wire.String(v)
		case `"SubId"`:
			e.SubID, err = wire.String(v)
		case `"TaskId"`:
			e.TaskID, err = wire.String(v)
		case `"CallbackTs"`:
			e.CallbackTs, err = wire.UnixMilli(v)
		case `"Payload"`:
			err = e.Payload.decode(v)
		}
		return wire.ErrField(k, err)
	})
}

func (e *MPUEvent) encodeFields(w *wire.Writer) {
	w.Int("EventType", int(e.EventType), false)
	w.Str("MsgId", e.MsgID)
	w.Str("AppId", e.AppID)
	w.Str("SubId", e.SubID)
	w.Str("TaskId", e.TaskID)
	w.UnixMilli("CallbackTs", e.CallbackTs)
	encodeObject(w, "Payload", e.Payload.encodeFields)
}

// UnmarshalJSON decodes an event payload.
func (p *EventPayload) UnmarshalJSON(b []byte) error { return p.decode(b) }

// MarshalJSON encodes an event payload.
func (p EventPayload) MarshalJSON() ([]byte, error) { return marshalObject(p.encodeFields) }

func (p *EventPayload) decode(b []byte) error {
	*p = EventPayload{}
	return wire.Object(b, func(k, v []byte) (err error) {
		switch string(k) {
		case `"DstUrl"`:
			p.DstURL, err = wire.String(v)
		case `"EventTs"`:
			p.EventTs, err = wire.UnixMilli(v)
		case `"EventCode"`:
			var n int
			n, err = wire.Int(v)
			p.EventCode = EventCode(n)
		case `"ErrorCode"`:
			p.ErrorCode, err = wire.Int(v)
		case `"ErrorMessage"`:
			p.ErrorMessage, err = wire.String(v)
		}
		return wire.ErrField(k, err)
	})
}

func (p *EventPayload) encodeFields(w *wire.Writer) {
	w.Str("DstUrl", p.DstURL)
	w.UnixMilli("EventTs", p.EventTs)
	w.Int("EventCode", int(p.EventCode), false)
	w.Int("ErrorCode", p.ErrorCode, false)
	w.Str("ErrorMessage", p.ErrorMessage)
}
