package wire

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

// FuzzStringMatchesEncodingJSON checks that String decodes every JSON string
// exactly as encoding/json does, and fails where it fails.
func FuzzStringMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u4e2d"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\udc00x"`, "\"\xff\xfe\"", `"é😀"`, `"\x"`, `"\u12"`, `"{\"EventType\":1}"`,
		`"{\"EventType\":1,\"MsgId\":\"msg-000001\",\"Payload\":{\"DstUrl\":\"rtmp://d/a/s?x=1\",\"ErrorMessage\":\"\"}}"`,
		"\"0123456789abcdef\xff0123456789\\u00e9\"", "\"rtmp://push.example.com/live/channel_mix?auth_key=1712656800-0-0-abc\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var want string
		wantErr := json.Unmarshal([]byte(doc), &want)
		if !valid(doc) {
			if wantErr == nil {
				t.Fatalf("valid rejects %q, which encoding/json accepts", doc)
			}
			return
		}
		got, err := decodeString(doc)
		if err != nil && wantErr != nil {
			return // both reject, for example a number where a string is wanted
		}
		if trimmed := strings.TrimLeft(doc, " \t\r\n"); trimmed == "" || trimmed[0] != '"' {
			return // String keeps a number's text; encoding/json refuses it
		}
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: err %v, encoding/json err %v", doc, err, wantErr)
		}
		if err == nil && got != want {
			t.Fatalf("%q: got %q, want %q", doc, got, want)
		}
	})
}

// valid reports whether b is one well-formed JSON value, by the scanner
// Decoder.Value uses.
func valid(b string) bool {
	i := skipSpace(b, 0)
	end, err := valueEnd(b, i, 0)
	return err == nil && skipSpace(b, end) == len(b)
}

// FuzzValidMatchesEncodingJSON checks the scanner accepts exactly the
// documents encoding/json accepts (up to the nesting limit).
func FuzzValidMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2,{"b":null}],"c":"d"}`, `{"a":1,}`, `[1 2]`, `-0.5e+3`, `01`, `1.`, `"\u00zz"`, ` {"a" : true } `, `nul`, `{"a":"b"}x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if got, want := valid(doc), json.Valid([]byte(doc)); got != want {
			t.Fatalf("valid(%q) = %v, encoding/json says %v", doc, got, want)
		}
	})
}

// FuzzSimpleDecimalMatchesParseFloat checks the float fast path against
// strconv.ParseFloat on every input it accepts.
func FuzzSimpleDecimalMatchesParseFloat(f *testing.F) {
	for _, s := range []string{"0.2632", "-12.5", "1", "0", "-0", "123456789012345", "0.000000000000001", "9.99999999999999", "1.", ".5", "00.10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		got, ok := simpleDecimal(s)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || got != want || math.Signbit(got) != math.Signbit(want) {
			t.Fatalf("simpleDecimal(%q) = %v, ParseFloat = %v, %v", s, got, want, err)
		}
	})
}
