package livempu_test

import (
	"errors"
	"fmt"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// Data as the service sends the callback to the subscriber: a JSON object,
// times in epoch milliseconds.
func ExampleEventSubRecord_Event() {
	rec := livempu.EventSubRecord{Data: `{"EventType":1,"MsgId":"m-1","AppId":"rtcdev","SubId":"sub-1","TaskId":"mpucallbacktest","CallbackTs":1712656430476,"Payload":{"DstUrl":"rtmp://domain/app/stream","EventTs":1712656430384,"EventCode":1,"ErrorCode":0,"ErrorMessage":""}}`}
	ev, err := rec.Event()
	fmt.Println(ev.EventType, ev.TaskID, ev.CallbackTs.Format(time.RFC3339Nano), ev.Payload.EventCode, ev.Failed(), err)
	// Output: EventType(1) mpucallbacktest 2024-04-09T09:53:50.476Z EventCode(1) false <nil>
}

// Data escaped once more, as in the service's documentation sample: it is
// unescaped once and decoded.
func ExampleEventSubRecord_Event_escapedTwice() {
	rec := livempu.EventSubRecord{Data: `{\"EventType\":1,\"TaskId\":\"mpucallbacktest\",\"CallbackTs\":1712656430476,\"Payload\":{\"EventCode\":1,\"ErrorCode\":0,\"ErrorMessage\":\"\"}}`}
	ev, err := rec.Event()
	fmt.Println(ev.EventType, ev.TaskID, ev.CallbackTs.Format(time.RFC3339Nano), err)
	// Output: EventType(1) mpucallbacktest 2024-04-09T09:53:50.476Z <nil>
}

// Integers given as strings of digits; a missing member (here SubId and
// EventTs) is the zero value, an unknown one (Extra) is skipped.
func ExampleEventSubRecord_Event_numbersAsStrings() {
	rec := livempu.EventSubRecord{Data: `{"EventType":"2","TaskId":"t-9","CallbackTs":"1712656430476","Extra":[1,2],"Payload":{"EventCode":"3","ErrorCode":"404","ErrorMessage":"stream not found"}}`}
	ev, err := rec.Event()
	fmt.Println(ev.EventType, ev.TaskID, ev.SubID == "", ev.Payload.EventTs.IsZero(), ev.Payload.ErrorCode, ev.Failed(), err)
	// Output: EventType(2) t-9 true true 404 true <nil>
}

// Anything else is an error matching ErrMalformedEvent: here a time given
// in ISO 8601 rather than epoch milliseconds, empty Data, and the document
// quoted as a whole JSON string.
func ExampleEventSubRecord_Event_malformed() {
	for _, data := range []string{
		`{"EventType":1,"CallbackTs":"2024-04-09T09:53:50Z"}`,
		``,
		`"{\"EventType\":1}"`,
	} {
		_, err := livempu.EventSubRecord{Data: data}.Event()
		fmt.Println(errors.Is(err, livempu.ErrMalformedEvent))
	}
	// Output:
	// true
	// true
	// true
}
