package livempu

import (
	"github.com/livempu/livempu-go/internal/wire"
)

// UnmarshalJSON decodes a callback event.
func (e *MPUEvent) UnmarshalJSON(b []byte) error { return wire.Decode(string(b), e.decodeFrom) }

// MarshalJSON encodes a callback event as the service sends it (times as
// epoch milliseconds).
func (e MPUEvent) MarshalJSON() ([]byte, error) { return marshalObject(e.encodeFields) }

// decode decodes a whole callback document.
func (e *MPUEvent) decode(doc string) error { return wire.Decode(doc, e.decodeFrom) }

func (e *MPUEvent) decodeFrom(d *wire.Decoder) error {
	*e = MPUEvent{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"EventType"`:
			var n int
			n, err = d.Int()
			e.EventType = EventType(n)
		case `"MsgId"`:
			e.MsgID, err = d.String()
		case `"AppId"`:
			e.AppID, err = d.String()
		case `"SubId"`:
			e.SubID, err = d.String()
		case `"TaskId"`:
			e.TaskID, err = d.String()
		case `"CallbackTs"`:
			e.CallbackTs, err = d.UnixMilli()
		case `"Payload"`:
			err = e.Payload.decodeFrom(d)
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
func (p *EventPayload) UnmarshalJSON(b []byte) error { return wire.Decode(string(b), p.decodeFrom) }

// MarshalJSON encodes an event payload.
func (p EventPayload) MarshalJSON() ([]byte, error) { return marshalObject(p.encodeFields) }

func (p *EventPayload) decodeFrom(d *wire.Decoder) error {
	*p = EventPayload{}
	return d.Object(func(k string) (err error) {
		switch k {
		case `"DstUrl"`:
			p.DstURL, err = d.String()
		case `"EventTs"`:
			p.EventTs, err = d.UnixMilli()
		case `"EventCode"`:
			var n int
			n, err = d.Int()
			p.EventCode = EventCode(n)
		case `"ErrorCode"`:
			p.ErrorCode, err = d.Int()
		case `"ErrorMessage"`:
			p.ErrorMessage, err = d.String()
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
