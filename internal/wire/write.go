package wire

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Writer appends one JSON object to a byte slice. In Wire mode scalars are
// written the way the Live service sends them (numbers and booleans as
// strings where its documentation shows strings); otherwise they are written
// as native JSON numbers and booleans.
type Writer struct {
	Buf  []byte
	Wire bool
	n    []int // member count per open object or array
}

// Open starts an object (or, for an array member, an element object).
func (w *Writer) Open() {
	w.sep()
	w.open('{')
}

// Close ends the innermost object.
func (w *Writer) Close() { w.close('}') }

// OpenArray starts an array member named key.
func (w *Writer) OpenArray(key string) {
	w.Key(key)
	w.open('[')
}

// CloseArray ends the innermost array.
func (w *Writer) CloseArray() { w.close(']') }

// OpenObject starts an object member named key.
func (w *Writer) OpenObject(key string) {
	w.Key(key)
	w.open('{')
}

// open writes the opening bracket c and starts counting its members.
func (w *Writer) open(c byte) {
	w.Buf = append(w.Buf, c)
	w.n = append(w.n, 0)
}

// close writes the closing bracket c and stops counting its members.
func (w *Writer) close(c byte) {
	w.Buf = append(w.Buf, c)
	w.n = w.n[:len(w.n)-1]
}

// sep writes the comma before any member or element but the first.
func (w *Writer) sep() {
	if k := len(w.n); k > 0 {
		if w.n[k-1] > 0 {
			w.Buf = append(w.Buf, ',')
		}
		w.n[k-1]++
	}
}

// Key writes a member name and its colon.
func (w *Writer) Key(key string) {
	w.sep()
	w.Buf = append(w.Buf, '"')
	w.Buf = append(w.Buf, key...)
	w.Buf = append(w.Buf, '"', ':')
}

// Str writes a string member.
func (w *Writer) Str(key, v string) {
	w.Key(key)
	w.Buf = AppendString(w.Buf, v)
}

// Int writes an integer member, quoted in Wire mode when quoted is true.
func (w *Writer) Int(key string, v int, quoted bool) {
	w.Key(key)
	q := w.Wire && quoted
	if q {
		w.Buf = append(w.Buf, '"')
	}
	w.Buf = strconv.AppendInt(w.Buf, int64(v), 10)
	if q {
		w.Buf = append(w.Buf, '"')
	}
}

// Float writes a number member, quoted in Wire mode.
func (w *Writer) Float(key string, v float64) {
	w.Key(key)
	if w.Wire {
		w.Buf = append(w.Buf, '"')
	}
	w.Buf = strconv.AppendFloat(w.Buf, v, 'f', -1, 64)
	if w.Wire {
		w.Buf = append(w.Buf, '"')
	}
}

// Bool writes a boolean member, quoted in Wire mode when quoted is true.
func (w *Writer) Bool(key string, v, quoted bool) {
	w.Key(key)
	q := w.Wire && quoted
	if q {
		w.Buf = append(w.Buf, '"')
	}
	w.Buf = strconv.AppendBool(w.Buf, v)
	if q {
		w.Buf = append(w.Buf, '"')
	}
}

// Flag writes a 0/1 flag: "0"/"1" in Wire mode, false/true otherwise.
func (w *Writer) Flag(key string, v bool) {
	if w.Wire {
		n := 0
		if v {
			n = 1
		}
		w.Int(key, n, true)
		return
	}
	w.Bool(key, v, false)
}

// Time writes a UTC time in the service's layout, with a fraction of a
// second only when the time has one (so that decoding gives the same
// instant); the zero time is "".
func (w *Writer) Time(key string, t time.Time) {
	w.Key(key)
	w.Buf = append(w.Buf, '"')
	if !t.IsZero() {
		w.Buf = t.UTC().AppendFormat(w.Buf, timeLayoutFraction)
	}
	w.Buf = append(w.Buf, '"')
}

// UnixMilli writes a time as epoch milliseconds (0 for the zero time).
func (w *Writer) UnixMilli(key string, t time.Time) {
	w.Key(key)
	var ms int64
	if !t.IsZero() {
		ms = t.UnixMilli()
	}
	w.Buf = strconv.AppendInt(w.Buf, ms, 10)
}

// Bytes returns the encoded document.
func (w *Writer) Bytes() []byte { return w.Buf }

// timeLayoutFraction is TimeLayout with an optional fraction of a second.
const timeLayoutFraction = "2006-01-02T15:04:05.999999999Z"

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, escaping what JSON requires plus
// <, > and & (as encoding/json does), and replacing invalid UTF-8.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			if r == utf8.RuneError {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
