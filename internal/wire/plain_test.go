package wire

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// plainEndByByte is the byte-at-a-time definition plainEnd must match.
func plainEndByByte(s string, i int) int {
	for i < len(s) && strClass[s[i]] == cPlain {
		i++
	}
	return i
}

// TestPlainEndMatchesByteLoop puts every byte value at every offset of
// strings of several lengths, with a second special byte after it (a borrow
// from the first must not hide or move the answer), and compares plainEnd
// with the byte loop from every start.
func TestPlainEndMatchesByteLoop(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 33} {
		for pos := 0; pos < n; pos++ {
			for c := range 256 {
				b := []byte(strings.Repeat("a", n))
				b[pos] = byte(c)
				if pos+1 < n {
					b[pos+1] = 0 // a second special byte right behind
				}
				s := string(b)
				for start := 0; start <= n; start++ {
					if got, want := plainEnd(s, start), plainEndByByte(s, start); got != want {
						t.Fatalf("plainEnd(%q, %d) = %d, want %d", s, start, got, want)
					}
				}
			}
		}
	}
}

// TestPlainEndBoundaryBytes checks the bytes at the edges of each class,
// where a wrong constant in the word test would show.
func TestPlainEndBoundaryBytes(t *testing.T) {
	for _, c := range []byte{0x00, 0x1f, 0x20, 0x21, '"', 0x23, 0x5b, '\\', 0x5d, 0x7e, 0x7f, 0x80, 0xff} {
		s := "0123456789abcde" + string([]byte{c}) + "ghijklmnopqrstu"
		want := plainEndByByte(s, 0)
		if got := plainEnd(s, 0); got != want {
			t.Errorf("byte %#x: plainEnd = %d, want %d", c, got, want)
		}
	}
}

// TestStringMatchesEncodingJSONAtEveryOffset puts each kind of escape,
// non-ASCII text and invalid byte at every offset of strings around the
// eight-byte word size, alone and after an earlier escape (which switches
// the decoder into copying), and compares String with encoding/json,
// including which documents both reject.
func TestStringMatchesEncodingJSONAtEveryOffset(t *testing.T) {
	pieces := []string{`\"`, `\\`, `\/`, `\n`, `\t`, `\u00e9`, `\ud83d\ude00`, `\ud83d`, "é", "中", "\xff", "\xe4\xb8", "\x01", `\x`, `\u12`, `"`}
	for _, lead := range []string{"", `\"`, "é", "\xfe"} {
		for _, piece := range pieces {
			for before := 0; before <= 17; before++ {
				for _, after := range []int{0, 1, 7, 8, 9, 16} {
					doc := `"` + lead + strings.Repeat("a", before) + piece + strings.Repeat("b", after) + `"`
					var want string
					wantErr := json.Unmarshal([]byte(doc), &want)
					got, err := decodeString(doc)
					if (err != nil) != (wantErr != nil) {
						t.Fatalf("%q: err %v, encoding/json err %v", doc, err, wantErr)
					}
					if err == nil && got != want {
						t.Fatalf("%q: got %q, want %q", doc, got, want)
					}
					checkInArray(t, doc)
					if err == nil {
						checkTruncated(t, doc)
					}
				}
			}
		}
	}
}

// TestStringMatchesEncodingJSONWhileGrowing decodes with scratch buffers
// of every small capacity, so that the buffer grows at every offset of the
// string, and each piece lands right at a growth point somewhere: a write
// past the buffer's end shows as a panic or a wrong result.
func TestStringMatchesEncodingJSONWhileGrowing(t *testing.T) {
	pieces := []string{`\"`, `\u00e9`, `\ud83d\ude00`, "中", "\xff", "\xff\xff\xff"}
	for _, piece := range pieces {
		for n := 0; n <= 40; n++ {
			doc := `"\"` + strings.Repeat("a", n) + strings.Repeat(piece, 4) + strings.Repeat("z", n) + `"`
			var want string
			if err := json.Unmarshal([]byte(doc), &want); err != nil {
				t.Fatal(err)
			}
			for c := 1; c <= 48; c++ {
				d := Decoder{s: doc, buf: make([]byte, 0, c)}
				if got, err := d.String(); err != nil || got != want {
					t.Fatalf("piece %q after %d bytes, scratch cap %d: err %v, got %q, want %q", piece, n, c, err, got, want)
				}
			}
		}
	}
}

// decodeString decodes doc, a whole document, with Decoder.String.
func decodeString(doc string) (s string, err error) {
	err = Decode(doc, func(d *Decoder) (err error) { s, err = d.String(); return err })
	return s, err
}

// checkInArray decodes doc followed by more data, as a member of an array,
// so that where the decoder leaves off after the string is checked too.
func checkInArray(t *testing.T, doc string) {
	t.Helper()
	arr := "[" + doc + `,"t\"x",1]`
	var want []any
	wantErr := json.Unmarshal([]byte(arr), &want)
	var got []string
	err := Decode(arr, func(d *Decoder) error {
		return d.Array(func() error { s, err := d.String(); got = append(got, s); return err })
	})
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%s: err %v, encoding/json err %v", arr, err, wantErr)
	}
	if err == nil && (len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != "1") {
		t.Fatalf("%s: got %q, want %q", arr, got, want)
	}
}

// checkTruncated decodes every proper prefix of doc: each must be an error,
// never a panic or a value.
func checkTruncated(t *testing.T, doc string) {
	t.Helper()
	for n := range len(doc) {
		if _, err := decodeString(doc[:n]); err == nil {
			t.Fatalf("prefix %q of %q decoded without error", doc[:n], doc)
		}
	}
}

// timeOfValue decodes the raw text of a value the slow way: the whole value,
// then its text (what Decoder.Time's one-pass scalar read shortcuts).
func timeOfValue(v string) (time.Time, error) {
	t, err := scalarText(v)
	if err != nil {
		return time.Time{}, err
	}
	return timeText(t, v)
}

// TestDecoderTimeMatchesTime checks that the one-pass Decoder.Time gives the
// same time and error as timeOfValue over the value's raw text, for every
// form the service or a hand-made fixture may send.
func TestDecoderTimeMatchesTime(t *testing.T) {
	for _, raw := range []string{`"2024-04-09T10:00:00Z"`, `"2024-04-09T10:00:00.123+08:00"`, `"2024-04-09T10:00:00"`,
		`1712656800123`, `"1712656800123"`, `""`, `null`, `"\u0032024-04-09T10:00:00Z"`, `{}`, `[]`, `true`, `1.5`, `1e3`,
		"\"\xff\"", `"2024-02-30T10:00:00Z"`, `"99999-01-01T00:00:00Z"`, `-62167219200001`, `"x"`} {
		want, wantErr := timeOfValue(raw)
		var got time.Time
		err := Decode(raw, func(d *Decoder) (err error) { got, err = d.Time(); return err })
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !got.Equal(want) {
			t.Errorf("%s: Decoder.Time = %v, %v; timeOfValue = %v, %v", raw, got, err, want, wantErr)
		}
	}
}
