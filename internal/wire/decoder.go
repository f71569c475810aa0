package wire

import (
	"sync"
	"time"
	"unicode/utf8"
)

// Decoder reads one JSON document in a single pass. Object and Array call
// back for each member or element; the callback consumes the value with one
// of the typed readers (String, Int, ...), a nested Object or Array, or not
// at all, in which case the value is skipped. Nothing is scanned twice.
type Decoder struct {
	s     string
	i     int
	depth int
	buf   []byte // scratch for unescaping
}

// scratchPool recycles the unescaping buffers of Decode.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// NewDecoder returns a Decoder over the document s.
func NewDecoder(s string) *Decoder { return &Decoder{s: s} }

// Decode runs decode over the document s and checks that nothing but white
// space follows the value.
func Decode(s string, decode func(*Decoder) error) error {
	d := Decoder{s: s}
	if p, ok := scratchPool.Get().(*[]byte); ok {
		d.buf = *p
		defer func() {
			if cap(d.buf) <= 64<<10 {
				*p = d.buf[:0]
				scratchPool.Put(p)
			}
		}()
	}
	if err := decode(&d); err != nil {
		return err
	}
	if i := skipSpace(d.s, d.i); i != len(d.s) {
		return syntaxErr(i, "data after the value")
	}
	return nil
}

// Value returns the raw text of the next value and moves past it.
func (d *Decoder) Value() (string, error) {
	start := skipSpace(d.s, d.i)
	end, err := valueEnd(d.s, start, d.depth)
	if err != nil {
		return "", err
	}
	d.i = end
	return d.s[start:end], nil
}

// peek returns the next non-space byte, or 0 at the end.
func (d *Decoder) peek() byte {
	d.i = skipSpace(d.s, d.i)
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// null consumes a null literal if it is next.
func (d *Decoder) null() bool {
	if d.peek() == 'n' && len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "null" {
		d.i += 4
		return true
	}
	return false
}

// Object decodes the next value as an object, calling member with each raw
// quoted key (for example `"AppId"`). null is an empty object.
func (d *Decoder) Object(member func(key string) error) error {
	if d.null() {
		return nil
	}
	if d.peek() != '{' {
		v, err := d.Value()
		if err != nil {
			return err
		}
		return errType(v, "object")
	}
	if d.depth >= maxDepth {
		return syntaxErr(d.i, "nesting too deep")
	}
	d.depth++
	defer func() { d.depth-- }()
	d.i++
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		if d.peek() != '"' {
			return syntaxErr(d.i, "expected member name")
		}
		kEnd, err := stringEnd(d.s, d.i)
		if err != nil {
			return err
		}
		key := d.s[d.i:kEnd]
		d.i = kEnd
		if d.peek() != ':' {
			return syntaxErr(d.i, "expected ':'")
		}
		d.i++
		before := skipSpace(d.s, d.i)
		d.i = before
		if err := member(key); err != nil {
			return err
		}
		if d.i == before { // the member did not consume its value: skip it
			if _, err := d.Value(); err != nil {
				return err
			}
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return syntaxErr(d.i, "expected ',' or '}'")
		}
	}
}

// Array decodes the next value as an array, calling elem once per element;
// elem must consume the element. null is an empty array.
func (d *Decoder) Array(elem func() error) error {
	if d.null() {
		return nil
	}
	if d.peek() != '[' {
		v, err := d.Value()
		if err != nil {
			return err
		}
		return errType(v, "array")
	}
	if d.depth >= maxDepth {
		return syntaxErr(d.i, "nesting too deep")
	}
	d.depth++
	defer func() { d.depth-- }()
	d.i++
	if d.peek() == ']' {
		d.i++
		return nil
	}
	for {
		before := skipSpace(d.s, d.i)
		d.i = before
		if err := elem(); err != nil {
			return err
		}
		if d.i == before {
			if _, err := d.Value(); err != nil {
				return err
			}
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return syntaxErr(d.i, "expected ',' or ']'")
		}
	}
}

// String reads a string (a number or boolean is kept as its text; null is "").
// The string is scanned and unescaped in one pass: a string without escapes
// or invalid UTF-8 is returned as a substring of the document; otherwise the
// runs between escapes are copied in bulk into a scratch buffer, and the
// result costs one allocation of its exact size.
func (d *Decoder) String() (string, error) {
	if d.peek() != '"' {
		return read(d, String)
	}
	s, start := d.s, d.i
	i := start + 1
	for i < len(s) && strClass[s[i]] == cPlain {
		i++
	}
	copying := false // whether buf holds the decoded text so far
	buf := d.buf[:0]
	run := start + 1 // start of the bytes not yet copied
	for i < len(s) {
		switch strClass[s[i]] {
		case cPlain:
			i++
		case cQuote:
			d.i = i + 1
			if !copying {
				return s[start+1 : i], nil
			}
			buf = append(buf, s[run:i]...)
			d.buf = buf
			return string(buf), nil
		case cBackslash:
			buf = append(buf, s[run:i]...)
			copying = true
			var ok bool
			if buf, i, ok = appendEscape(buf, s, i); !ok {
				return "", syntaxErr(i, "invalid escape")
			}
			run = i
		case cControl:
			return "", syntaxErr(i, "control character in string")
		default: // cHigh
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				buf = append(buf, s[run:i]...)
				buf = utf8.AppendRune(buf, utf8.RuneError)
				copying = true
				run = i + 1
			}
			i += size
		}
	}
	return "", syntaxErr(start, "unterminated string")
}

// scalar reads the next scalar and returns its text t (quoted or bare) and
// its raw form v. A quoted scalar without escapes, the service's usual form,
// is scanned once.
func (d *Decoder) scalar() (t, v string, err error) {
	if d.peek() == '"' {
		s, start := d.s, d.i
		i := start + 1
		for i < len(s) && strClass[s[i]] == cPlain {
			i++
		}
		if i < len(s) && s[i] == '"' {
			d.i = i + 1
			return s[start+1 : i], s[start : i+1], nil
		}
	}
	if v, err = d.Value(); err != nil {
		return "", "", err
	}
	t, err = scalarText(v)
	return t, v, err
}

// Int reads an integer given as a number or a string.
func (d *Decoder) Int() (int, error) {
	t, v, err := d.scalar()
	if err != nil {
		return 0, err
	}
	return intText(t, v)
}

// Float reads a number given as a number or a string.
func (d *Decoder) Float() (float64, error) {
	t, v, err := d.scalar()
	if err != nil {
		return 0, err
	}
	return floatText(t, v)
}

// Bool reads a boolean given bare, quoted, or as "0"/"1".
func (d *Decoder) Bool() (bool, error) {
	t, v, err := d.scalar()
	if err != nil {
		return false, err
	}
	return boolText(t, v)
}

// Time reads an ISO 8601 time or epoch milliseconds.
func (d *Decoder) Time() (time.Time, error) { return read(d, Time) }

// UnixMilli reads epoch milliseconds.
func (d *Decoder) UnixMilli() (time.Time, error) { return read(d, UnixMilli) }

// Duration reads a count of unit.
func (d *Decoder) Duration(unit time.Duration) (time.Duration, error) {
	t, v, err := d.scalar()
	if err != nil {
		return 0, err
	}
	return durationText(t, v, unit)
}

// read reads the next value and parses it with parse.
func read[T any](d *Decoder, parse func(string) (T, error)) (T, error) {
	v, err := d.Value()
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(v)
}

// Object calls member for each member of the JSON object s with the raw
// quoted key and the raw value: a convenience for small flat documents
// such as error bodies.
func Object(s string, member func(key, value string) error) error {
	return Decode(s, func(d *Decoder) error {
		return d.Object(func(key string) error {
			v, err := d.Value()
			if err != nil {
				return err
			}
			return member(key, v)
		})
	})
}
