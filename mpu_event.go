package livempu

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrMalformedEvent is matched (errors.Is) by the error Event returns for a
// Data field that is not a callback event document.
var ErrMalformedEvent = errors.New("livempu: malformed callback event")

// Event decodes Data into a typed MPUEvent. It accepts Data in exactly these
// forms (see the examples):
//
//   - the callback document the service POSTs to the subscriber, a JSON
//     object: {"EventType":1,"MsgId":"…","AppId":"…","SubId":"…",
//     "TaskId":"…","CallbackTs":1712656430476,"Payload":{"DstUrl":"…",
//     "EventTs":1712656430384,"EventCode":1,"ErrorCode":0,
//     "ErrorMessage":""}}, with CallbackTs and EventTs in epoch
//     milliseconds;
//   - the same with its integers (EventType, CallbackTs, EventTs, EventCode,
//     ErrorCode) given as JSON strings of digits ("1");
//   - either of those escaped once more, {\"EventType\":1,…}, as in the
//     service's documentation sample: Data is unescaped once and decoded.
//
// In each form members may come in any order, a missing or null member is
// the zero value (a CallbackTs or EventTs of 0 too), unknown members are
// skipped, white space around the document is allowed, and the literal null
// is an empty event. Anything else returns an error matching
// ErrMalformedEvent: empty Data, another JSON kind, a time that is not an
// integer (an ISO 8601 string is refused), a fraction, data after the
// document, or the document quoted as a whole JSON string.
func (r EventSubRecord) Event() (MPUEvent, error) { return ParseMPUEvent(r.Data) }

// ParseMPUEvent decodes a mixed-stream relay callback body: the Data of an
// EventSubRecord, or the body the service POSTs to a subscriber's callback
// URL, in the forms EventSubRecord.Event lists. The error matches
// ErrMalformedEvent.
func ParseMPUEvent(data string) (MPUEvent, error) {
	var ev MPUEvent
	err := ev.decode(data)
	if err == nil {
		return ev, nil
	}
	if unescaped, ok := unescapeTwice(data); ok {
		if err2 := ev.decode(unescaped); err2 == nil {
			return ev, nil
		}
	}
	return MPUEvent{}, fmt.Errorf("%w: %w", ErrMalformedEvent, err)
}

// unescapeTwice undoes one extra level of JSON string escaping: the text
// {\"EventType\":1} becomes {"EventType":1}.
func unescapeTwice(s string) (string, bool) {
	if !strings.Contains(s, `\"`) {
		return "", false
	}
	var out string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &out); err != nil {
		return "", false
	}
	return out, true
}

// MPUEvent is a decoded mixed-stream relay callback.
type MPUEvent struct {
	// EventType is the event's type (meanings undocumented; kept as sent).
	EventType EventType `json:"EventType"`
	// MsgID identifies the message; it equals the record's MsgID.
	MsgID string `json:"MsgId"`
	// AppID is the application ID.
	AppID string `json:"AppId"`
	// SubID is the subscription ID.
	SubID string `json:"SubId"`
	// TaskID is the relay task the event is about.
	TaskID string `json:"TaskId"`
	// CallbackTs is when the callback was sent (epoch milliseconds on the wire).
	CallbackTs time.Time `json:"CallbackTs"`
	// Payload carries the event's details.
	Payload EventPayload `json:"Payload"`
}

// EventPayload carries the details of a relay event.
type EventPayload struct {
	// DstURL is the relay destination (ingest URL).
	DstURL string `json:"DstUrl"`
	// EventTs is when the event happened (epoch milliseconds on the wire).
	EventTs time.Time `json:"EventTs"`
	// EventCode is the event's code (meanings undocumented; kept as sent).
	EventCode EventCode `json:"EventCode"`
	// ErrorCode is 0 when there is no error.
	ErrorCode int `json:"ErrorCode"`
	// ErrorMessage describes the error, if any.
	ErrorMessage string `json:"ErrorMessage"`
}

// Failed reports whether the event carries an error code.
func (e MPUEvent) Failed() bool { return e.Payload.ErrorCode != 0 }
