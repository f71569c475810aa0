// Package servicejson gives the fakes and fixture writers of this module
// (livetest, livetest/httpmockmatch, the benchmarks and the tests) the
// service's own JSON form of a page, numbers and booleans quoted where its
// documentation shows strings. Users never need it: they decode pages, and
// json.Marshal gives the typed form.
//
// The encoder lives in package livempu beside the types it writes, with
// their unexported field codecs; livempu registers it here when it is
// initialized, since this package cannot import livempu.
package servicejson

import "fmt"

// encoder is livempu's wire encoder, set by Register.
var encoder func(dst []byte, page any) ([]byte, bool)

// Register sets the encoder; package livempu calls it once, at init.
func Register(enc func(dst []byte, page any) ([]byte, bool)) { encoder = enc }

// Append appends page, a livempu.ListRtcMPUTaskDetailResponse or
// livempu.ListRtcMPUEventSubRecordResponse (or a pointer to one), encoded
// exactly as the service sends it. Any other value is a bug of the caller,
// and panics.
func Append(dst []byte, page any) []byte {
	out, ok := encoder(dst, page)
	if !ok {
		panic(fmt.Sprintf("servicejson: %T is not a page of the service", page))
	}
	return out
}
