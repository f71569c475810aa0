// Package wire decodes and encodes the Live API's JSON without reflection.
//
// Decoding works on a string holding the whole document: the strings it
// returns are substrings of it wherever the JSON has no escapes, so a page
// costs one copy of its body instead of one allocation per field. A kept
// field therefore keeps the page's text alive, which is about the size of
// the decoded page itself.
//
// The service sends most numbers and booleans as JSON strings ("3500",
// "false") and may change its quoting at any time, so every scalar reader here
// accepts both the quoted and the native form, and treats an empty string and
// null as the zero value. Decoding walks the document once and allocates only
// for the strings it keeps.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds nesting so that a hostile document cannot exhaust the stack.
const maxDepth = 64

// SyntaxError reports malformed JSON at a byte offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error gives the offset and what is wrong there.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

func syntaxErr(off int, msg string) error { return &SyntaxError{Offset: off, Msg: msg} }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b string, i int) int {
	// Compact JSON, the service's form, has no white space: one comparison.
	if i < len(b) && b[i] > ' ' {
		return i
	}
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// valueEnd returns the offset just past the JSON value starting at b[i].
func valueEnd(b string, i, depth int) (int, error) {
	if i >= len(b) {
		return i, syntaxErr(i, "unexpected end of input")
	}
	switch c := b[i]; {
	case c == '"':
		return stringEnd(b, i)
	case c == '{' || c == '[':
		return containerEnd(b, i, depth)
	case c == 't':
		return literalEnd(b, i, "true")
	case c == 'f':
		return literalEnd(b, i, "false")
	case c == 'n':
		return literalEnd(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return numberEnd(b, i)
	default:
		return i, syntaxErr(i, fmt.Sprintf("unexpected character %q", c))
	}
}

func literalEnd(b string, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || b[i:i+len(lit)] != lit {
		return i, syntaxErr(i, "invalid literal")
	}
	return i + len(lit), nil
}

func numberEnd(b string, i int) (int, error) {
	start := i
	for i < len(b) {
		c := b[i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			i++
			continue
		}
		break
	}
	if !validNumber(b[start:i]) {
		return start, syntaxErr(start, "invalid number")
	}
	return i, nil
}

// stringEnd returns the offset past the closing quote of the string at b[i].
func stringEnd(b string, i int) (int, error) {
	end, _, err := scanString(b, i)
	return end, err
}

// Classes of string bytes for scanString.
const (
	cPlain     = iota // printable ASCII other than '"' and '\\'
	cQuote            // '"'
	cBackslash        // '\\'
	cControl          // below 0x20
	cHigh             // 0x80 and above: part of a multi-byte sequence
)

var strClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c < 0x20:
			t[c] = cControl
		case c == '"':
			t[c] = cQuote
		case c == '\\':
			t[c] = cBackslash
		case c >= 0x80:
			t[c] = cHigh
		}
	}
	return t
}()

// Word-at-a-time constants of plainEnd: a 1 and a high bit in every byte.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// plainEnd returns the offset of the first byte of s at or after i that is
// not plain string content (a quote, a backslash, a control byte or a
// non-ASCII byte), or len(s). It tests eight bytes per step: the service's
// strings are mostly long runs of plain ASCII (URLs, the escaped callback
// documents), where the byte-by-byte table lookup was the decoder's hottest
// loop.
func plainEnd(s string, i int) int {
	if len(s)-i >= 8 {
		b := unsafe.Slice(unsafe.StringData(s), len(s))
		for ; i <= len(b)-8; i += 8 {
			if m := specialBytes(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				return i + bits.TrailingZeros64(m)/8
			}
		}
	}
	for i < len(s) && strClass[s[i]] == cPlain {
		i++
	}
	return i
}

// specialBytes returns x (eight bytes, the first in the low byte) with the
// high bit set in the lowest byte that is not plain, and possibly in later
// bytes: a borrow only runs from a flagged byte upward, so the lowest flag is
// exact, which is all plainEnd uses. A byte is flagged when it equals '"'
// or '\\' (the XOR makes it zero), is below 0x20, or has its high bit set.
func specialBytes(x uint64) uint64 {
	q := x ^ (lowBits * '"')
	bs := x ^ (lowBits * '\\')
	zeroQ := (q - lowBits) &^ q
	zeroBS := (bs - lowBits) &^ bs
	control := (x - lowBits*0x20) &^ x
	return (zeroQ | zeroBS | control | x) & highBits
}

// scanString returns the offset past the closing quote of the string at
// b[i], and whether its content is plain: free of escapes and of non-ASCII
// bytes, so that it is its own decoded value.
func scanString(b string, i int) (end int, plain bool, err error) {
	start := i
	i++
	plain = true
	for i < len(b) {
		switch strClass[b[i]] {
		case cPlain:
			i = plainEnd(b, i)
		case cQuote:
			return i + 1, plain, nil
		case cBackslash:
			plain = false
			if i+1 >= len(b) {
				return start, false, syntaxErr(i, "unterminated string")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := hex4(b[i:]); !ok {
					return start, false, syntaxErr(i, "invalid \\u escape")
				}
				i += 6
			default:
				return start, false, syntaxErr(i, "invalid escape")
			}
		case cControl:
			return start, false, syntaxErr(i, "control character in string")
		default: // cHigh
			plain = false
			i++
		}
	}
	return start, false, syntaxErr(start, "unterminated string")
}

func containerEnd(b string, i, depth int) (int, error) {
	d := Decoder{s: b, i: i, depth: depth}
	var err error
	if b[i] == '{' {
		err = d.Object(func(string) error { return nil })
	} else {
		err = d.Array(func() error { return nil })
	}
	return d.i, err
}

// errType describes a value of the wrong JSON kind for a field.
func errType(v string, want string) error {
	const max = 24
	shown := v
	if len(shown) > max {
		shown = shown[:max]
	}
	return fmt.Errorf("cannot decode %s into %s", strconv.Quote(shown), want)
}

// isNull reports whether v is the literal null.
func isNull(v string) bool { return v == "null" }

// unquoted returns the content of a JSON string: a substring of v, without
// allocating, when it has no escapes and is valid UTF-8; otherwise a newly
// decoded string (invalid UTF-8 becomes U+FFFD, as encoding/json does).
func unquoted(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", errType(v, "string")
	}
	inner := v[1 : len(v)-1]
	// Every byte must be looked at: an escape may follow non-ASCII text.
	if strings.IndexByte(inner, '\\') >= 0 || !utf8.ValidString(inner) {
		return unescape(v)
	}
	return inner, nil
}

// unescape decodes a JSON string with escapes or invalid UTF-8 into one new
// string (invalid UTF-8 and lone surrogates become U+FFFD, as encoding/json
// does).
func unescape(v string) (string, error) {
	inner := v[1 : len(v)-1]
	b := make([]byte, 0, len(inner))
	for i := 0; i < len(inner); {
		c := inner[i]
		switch {
		case c == '\\':
			var ok bool
			if b, i, ok = appendEscape(b, inner, i); !ok {
				return "", errType(v, "string")
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(inner[i:])
			b = utf8.AppendRune(b, r) // RuneError for invalid bytes
			i += size
		}
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// ValidUTF8 returns s with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as decoding a JSON string does; s itself when it is
// valid.
func ValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b = utf8.AppendRune(b, r) // RuneError for an invalid byte
		i += size
	}
	return string(b)
}

// appendEscape decodes the escape sequence at s[i] (a backslash), appends
// its text to dst and returns the index after it, or ok false for an invalid
// escape.
func appendEscape(dst []byte, s string, i int) (out []byte, next int, ok bool) {
	if i+1 >= len(s) {
		return dst, i, false
	}
	switch e := s[i+1]; e {
	case '"', '\\', '/':
		dst = append(dst, e)
	case 'b':
		dst = append(dst, '\b')
	case 'f':
		dst = append(dst, '\f')
	case 'n':
		dst = append(dst, '\n')
	case 'r':
		dst = append(dst, '\r')
	case 't':
		dst = append(dst, '\t')
	case 'u':
		r, n := decodeU(s[i:])
		if n == 0 {
			return dst, i, false
		}
		return utf8.AppendRune(dst, r), i + n, true
	default:
		return dst, i, false
	}
	return dst, i + 2, true
}

// decodeU decodes a \uXXXX escape (and a following low surrogate) at the
// start of s, returning the rune and the bytes consumed, or 0 bytes when
// the escape is malformed.
func decodeU(s string) (rune, int) {
	r, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if r2, ok := hex4(s[6:]); ok {
		if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
			return dec, 12
		}
	}
	return utf8.RuneError, 6
}

// hex4 parses the four hex digits of a \uXXXX escape at the start of s.
func hex4(s string) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scalarText returns the text of a scalar given quoted or bare: "12" and 12
// both give 12. null gives "".
func scalarText(v string) (string, error) {
	if len(v) == 0 || isNull(v) {
		return "", nil
	}
	if v[0] == '"' {
		return unquoted(v)
	}
	if v[0] == '{' || v[0] == '[' {
		return "", errType(v, "scalar")
	}
	return v, nil
}

// String decodes a JSON string. A number or boolean is kept as its text and
// null gives "".
func String(v string) (string, error) { return scalarText(v) }

// intText is Int of v, whose scalar text is t. A value that does not fit an
// int on this platform is an error, not a wrapped-around number.
func intText(t, v string) (int, error) {
	n, err := int64Text(t, v)
	if err != nil || n > math.MaxInt || n < math.MinInt {
		return 0, errType(v, "integer")
	}
	return int(n), nil
}

// atoi parses a plain decimal integer of at most 18 digits, which always
// fits an int64, without allocating.
func atoi(t string) (int64, bool) {
	neg := false
	if len(t) > 0 && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) == 0 || len(t) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// int64Text is Int64 of v, whose scalar text is t.
func int64Text(t, v string) (int64, error) {
	if len(t) == 0 {
		return 0, nil
	}
	if n, ok := atoi(t); ok {
		return n, nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(t, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
			return 0, errType(v, "integer")
		}
		return int64(f), nil
	}
	return n, nil
}

// floatText is Float of v, whose scalar text is t.
func floatText(t, v string) (float64, error) {
	if len(t) == 0 {
		return 0, nil
	}
	if f, ok := simpleDecimal(t); ok {
		return f, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errType(v, "number")
	}
	return f, nil
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// simpleDecimal parses a plain decimal such as 0.2632 or -12.5 with at most
// 15 digits. Both the digits, as an integer, and the power of ten are exact
// in a float64, so one division gives the correctly rounded value that
// strconv.ParseFloat would return (its own exact fast path); ok is false for
// anything else, which the caller hands to strconv.
func simpleDecimal(t string) (f float64, ok bool) {
	neg := false
	if t[0] == '-' {
		neg, t = true, t[1:]
	}
	var mant uint64
	digits, frac, dot := 0, 0, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot && i > 0 && i < len(t)-1:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	f = float64(mant) / pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}

// boolText is Bool of v, whose scalar text is t.
func boolText(t, v string) (bool, error) {
	if len(t) == 0 {
		return false, nil
	}
	switch t {
	case "true", "True", "TRUE", "1":
		return true, nil
	case "false", "False", "FALSE", "0":
		return false, nil
	}
	return false, errType(v, "boolean")
}

// durationText is Duration of v, whose scalar text is t.
func durationText(t, v string, unit time.Duration) (time.Duration, error) {
	n, err := int64Text(t, v)
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt64/int64(unit) || n < math.MinInt64/int64(unit) {
		return 0, errType(v, "duration")
	}
	return time.Duration(n) * unit, nil
}

// TimeLayout is the service's time format: UTC, second precision.
const TimeLayout = "2006-01-02T15:04:05Z"

// timeText is Time of v, whose scalar text is t.
func timeText(t, v string) (time.Time, error) {
	if len(t) == 0 {
		return time.Time{}, nil
	}
	var tm time.Time
	var err error
	if v[0] != '"' {
		ms, err := int64Text(t, v)
		if err != nil {
			return time.Time{}, err
		}
		tm = time.UnixMilli(ms)
	} else if fast, ok := parseUTCSeconds(t); ok {
		return fast, nil
	} else if tm, err = time.Parse(time.RFC3339Nano, t); err != nil {
		if tm, err = time.Parse("2006-01-02T15:04:05.999999999", t); err != nil {
			return time.Time{}, errType(v, "time")
		}
	}
	if tm = tm.UTC(); tm.Year() < 0 || tm.Year() > 9999 {
		return time.Time{}, errType(v, "time in the years 0000 to 9999")
	}
	return tm, nil
}

// ErrField wraps a field decoding error with the member name.
func ErrField(key string, err error) error {
	if err == nil {
		return nil
	}
	return errField(key, err)
}

func errField(key string, err error) error {
	name := key
	if len(name) >= 2 {
		name = name[1 : len(name)-1]
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Path: name + "." + fe.Path, Err: fe.Err}
	}
	return &FieldError{Path: name, Err: err}
}

// FieldError reports which member failed to decode.
type FieldError struct {
	Path string
	Err  error
}

// Error prefixes the cause with the member path.
func (e *FieldError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// validNumber reports whether s is a JSON number.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}

// parseUTCSeconds parses the service's usual form, "2006-01-02T15:04:05Z",
// without time.Parse; anything else (or an out-of-range field) is left to
// time.Parse.
func parseUTCSeconds(s string) (time.Time, bool) {
	if len(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		n := 0
		for _, c := range []byte(s[a:b]) {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d, h, mi, sec := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 28 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false // days 29 to 31 are checked by time.Parse
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), true
}
