// Package wire decodes and encodes the Live API's JSON without reflection.
//
// The service sends most numbers and booleans as JSON strings ("3500",
// "false") and may change its quoting at any time, so every scalar reader here
// accepts both the quoted and the native form, and treats an empty string and
// null as the zero value. Decoding walks the document once and allocates only
// for the strings it keeps.
package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// maxDepth bounds nesting so that a hostile document cannot exhaust the stack.
const maxDepth = 64

// SyntaxError reports malformed JSON at a byte offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

func syntaxErr(off int, msg string) error { return &SyntaxError{Offset: off, Msg: msg} }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// valueEnd returns the offset just past the JSON value starting at b[i].
func valueEnd(b []byte, i, depth int) (int, error) {
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

func literalEnd(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, syntaxErr(i, "invalid literal")
	}
	return i + len(lit), nil
}

func numberEnd(b []byte, i int) (int, error) {
	start := i
	for i < len(b) {
		c := b[i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			i++
			continue
		}
		break
	}
	if !json.Valid(b[start:i]) {
		return start, syntaxErr(start, "invalid number")
	}
	return i, nil
}

// stringEnd returns the offset past the closing quote of the string at b[i].
func stringEnd(b []byte, i int) (int, error) {
	start := i
	i++
	for i < len(b) {
		switch c := b[i]; {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			i += 2
		case c < 0x20:
			return start, syntaxErr(i, "control character in string")
		default:
			i++
		}
	}
	return start, syntaxErr(start, "unterminated string")
}

func containerEnd(b []byte, i, depth int) (int, error) {
	if depth >= maxDepth {
		return i, syntaxErr(i, "nesting too deep")
	}
	if b[i] == '{' {
		end := i
		err := objectMembers(b, i, depth+1, func(_, _ []byte) error { return nil }, &end)
		return end, err
	}
	end := i
	err := arrayElems(b, i, depth+1, func([]byte) error { return nil }, &end)
	return end, err
}

// Object calls member for each member of the JSON object b, with the raw
// quoted key and the raw value. null is an empty object. Unknown members are
// the caller's to ignore.
func Object(b []byte, member func(key, value []byte) error) error {
	i := skipSpace(b, 0)
	if i < len(b) && b[i] == 'n' {
		if _, err := literalEnd(b, i, "null"); err != nil {
			return err
		}
		return nil
	}
	if i >= len(b) || b[i] != '{' {
		return syntaxErr(i, "expected object")
	}
	var end int
	if err := objectMembers(b, i, 1, member, &end); err != nil {
		return err
	}
	if skipSpace(b, end) != len(b) {
		return syntaxErr(end, "data after object")
	}
	return nil
}

func objectMembers(b []byte, i, depth int, member func(key, value []byte) error, end *int) error {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		*end = i + 1
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return syntaxErr(i, "expected member name")
		}
		kEnd, err := stringEnd(b, i)
		if err != nil {
			return err
		}
		key := b[i:kEnd]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return syntaxErr(i, "expected ':'")
		}
		i = skipSpace(b, i+1)
		vEnd, err := valueEnd(b, i, depth)
		if err != nil {
			return err
		}
		if err := member(key, b[i:vEnd]); err != nil {
			return err
		}
		i = skipSpace(b, vEnd)
		if i >= len(b) {
			return syntaxErr(i, "unterminated object")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			*end = i + 1
			return nil
		default:
			return syntaxErr(i, "expected ',' or '}'")
		}
	}
}

// Array calls elem for each element of the JSON array b. null is an empty array.
func Array(b []byte, elem func(value []byte) error) error {
	i := skipSpace(b, 0)
	if i < len(b) && b[i] == 'n' {
		_, err := literalEnd(b, i, "null")
		return err
	}
	if i >= len(b) || b[i] != '[' {
		return syntaxErr(i, "expected array")
	}
	var end int
	if err := arrayElems(b, i, 1, elem, &end); err != nil {
		return err
	}
	if skipSpace(b, end) != len(b) {
		return syntaxErr(end, "data after array")
	}
	return nil
}

// CountArray returns the number of elements of the JSON array b, so callers
// can size a slice once.
func CountArray(b []byte) int {
	n := 0
	_ = Array(b, func([]byte) error { n++; return nil })
	return n
}

func arrayElems(b []byte, i, depth int, elem func([]byte) error, end *int) error {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		*end = i + 1
		return nil
	}
	for {
		vEnd, err := valueEnd(b, i, depth)
		if err != nil {
			return err
		}
		if err := elem(b[i:vEnd]); err != nil {
			return err
		}
		i = skipSpace(b, vEnd)
		if i >= len(b) {
			return syntaxErr(i, "unterminated array")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			*end = i + 1
			return nil
		default:
			return syntaxErr(i, "expected ',' or ']'")
		}
	}
}

// Valid reports whether b is one well-formed JSON value.
func Valid(b []byte) bool {
	i := skipSpace(b, 0)
	end, err := valueEnd(b, i, 0)
	return err == nil && skipSpace(b, end) == len(b)
}

// errType describes a value of the wrong JSON kind for a field.
func errType(v []byte, want string) error {
	const max = 24
	shown := v
	if len(shown) > max {
		shown = shown[:max]
	}
	return fmt.Errorf("cannot decode %s into %s", strconv.Quote(string(shown)), want)
}

// isNull reports whether v is the literal null.
func isNull(v []byte) bool { return len(v) == 4 && string(v) == "null" }

// unquoted returns the content of a JSON string without allocating when it
// has no escapes; escaped strings are decoded into a new buffer.
func unquoted(v []byte) ([]byte, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, errType(v, "string")
	}
	inner := v[1 : len(v)-1]
	high := false
	for _, c := range inner {
		if c == '\\' {
			return unescape(v)
		}
		high = high || c >= utf8.RuneSelf
	}
	if high && !utf8.Valid(inner) {
		return unescape(v)
	}
	return inner, nil
}

// unescape decodes a JSON string with escapes or invalid UTF-8 the way
// encoding/json does (invalid bytes become U+FFFD).
func unescape(v []byte) ([]byte, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// scalarText returns the text of a scalar given quoted or bare: "12" and 12
// both give 12. null gives empty.
func scalarText(v []byte) ([]byte, error) {
	if len(v) == 0 || isNull(v) {
		return nil, nil
	}
	if v[0] == '"' {
		return unquoted(v)
	}
	if v[0] == '{' || v[0] == '[' {
		return nil, errType(v, "scalar")
	}
	return v, nil
}

// String decodes a JSON string. A number or boolean is kept as its text and
// null gives "".
func String(v []byte) (string, error) {
	t, err := scalarText(v)
	if err != nil || len(t) == 0 {
		return "", err
	}
	return string(t), nil
}

// Int decodes an integer given as a number or a string; "" and null give 0.
// A value with a fraction or exponent is accepted when it is integral.
func Int(v []byte) (int, error) {
	t, err := scalarText(v)
	if err != nil || len(t) == 0 {
		return 0, err
	}
	if n, ok := atoi(t); ok {
		return n, nil
	}
	f, err := strconv.ParseFloat(string(t), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt64/2 {
		return 0, errType(v, "integer")
	}
	return int(f), nil
}

// atoi parses a plain decimal integer without allocating.
func atoi(t []byte) (int, bool) {
	neg := false
	if len(t) > 0 && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) == 0 || len(t) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range t {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Int64 decodes a 64-bit integer (epoch milliseconds) like Int.
func Int64(v []byte) (int64, error) {
	t, err := scalarText(v)
	if err != nil || len(t) == 0 {
		return 0, err
	}
	n, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(t), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
			return 0, errType(v, "integer")
		}
		return int64(f), nil
	}
	return n, nil
}

// Float decodes a number given as a number or a string; "" and null give 0.
func Float(v []byte) (float64, error) {
	t, err := scalarText(v)
	if err != nil || len(t) == 0 {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(t), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errType(v, "number")
	}
	return f, nil
}

// Bool decodes true/false given bare or quoted, and "1"/"0" as the service
// uses for flags such as FollowIdr; "" and null give false.
func Bool(v []byte) (bool, error) {
	t, err := scalarText(v)
	if err != nil || len(t) == 0 {
		return false, err
	}
	switch string(t) {
	case "true", "True", "TRUE", "1":
		return true, nil
	case "false", "False", "FALSE", "0":
		return false, nil
	}
	return false, errType(v, "boolean")
}

// Duration decodes a count of unit (for example time.Millisecond) given as a
// number or a string.
func Duration(v []byte, unit time.Duration) (time.Duration, error) {
	n, err := Int64(v)
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

// Time decodes an ISO 8601 UTC time ("2024-04-09T10:00:00Z"; the trailing Z
// and fractional seconds are optional, any offset is honoured) or a number
// of epoch milliseconds. "" and null give the zero time. The result is UTC.
func Time(v []byte) (time.Time, error) {
	t, err := scalarText(v)
	if err != nil || len(t) == 0 {
		return time.Time{}, err
	}
	if v[0] != '"' {
		ms, err := Int64(v)
		if err != nil {
			return time.Time{}, err
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	s := string(t)
	if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return tm.UTC(), nil
	}
	if tm, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return tm.UTC(), nil
	}
	return time.Time{}, errType(v, "time")
}

// UnixMilli decodes epoch milliseconds given as a number or a string into a
// UTC time; 0, "" and null give the zero time.
func UnixMilli(v []byte) (time.Time, error) {
	ms, err := Int64(v)
	if err != nil || ms == 0 {
		return time.Time{}, err
	}
	return time.UnixMilli(ms).UTC(), nil
}

// ErrField wraps a field decoding error with the member name.
func ErrField(key []byte, err error) error {
	if err == nil {
		return nil
	}
	name := key
	if len(name) >= 2 {
		name = name[1 : len(name)-1]
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Path: string(name) + "." + fe.Path, Err: fe.Err}
	}
	return &FieldError{Path: string(name), Err: err}
}

// FieldError reports which member failed to decode.
type FieldError struct {
	Path string
	Err  error
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// Text returns the text of a scalar given quoted or bare, without allocating
// when the string has no escapes; null gives nil. The result aliases b.
func Text(v []byte) ([]byte, error) { return scalarText(v) }
