package wire

import (
	"encoding/binary"
	"math/bits"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Decoder reads one JSON document in a single pass. Object and Array call
// back for each member or element; the callback consumes the value with one
// of the typed readers (String, Int, ...), a nested Object or Array, or not
// at all, in which case the value is skipped. Nothing is scanned twice.
type Decoder struct {
	s      string
	i      int
	depth  int
	buf    []byte  // scratch for unescaping, taken from scratchPool when first needed
	pooled *[]byte // the pool's holder of buf, returned when Decode ends
}

// scratchPool recycles the unescaping buffers of Decode.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Decode runs decode over the document s and checks that nothing but white
// space follows the value.
func Decode(s string, decode func(*Decoder) error) error {
	d := Decoder{s: s}
	defer d.releaseScratch()
	if err := decode(&d); err != nil {
		return err
	}
	if i := skipSpace(d.s, d.i); i != len(d.s) {
		return syntaxErr(i, "data after the value")
	}
	return nil
}

// scratch returns the empty unescaping buffer. It is taken from the pool
// only when a string with escapes is met, so that a document without any,
// such as the small EnhancedParam inside each task, costs no pool traffic.
func (d *Decoder) scratch() []byte {
	if d.buf == nil {
		p := scratchPool.Get().(*[]byte)
		d.pooled, d.buf = p, *p
	}
	return d.buf[:0]
}

// releaseScratch returns the buffer to the pool unless it grew too large to
// keep.
func (d *Decoder) releaseScratch() {
	if d.pooled != nil && cap(d.buf) <= 64<<10 {
		*d.pooled = d.buf[:0]
		scratchPool.Put(d.pooled)
	}
	d.pooled, d.buf = nil, nil
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

// Next returns the first byte of the next value ('"', '{', a digit...)
// without consuming it, or 0 at the end of the document: for fields the
// service sends in more than one JSON kind.
func (d *Decoder) Next() byte { return d.peek() }

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
		kEnd, err := d.keyEnd()
		if err != nil {
			return err
		}
		key := d.s[d.i:kEnd]
		d.i = kEnd
		if d.i < len(d.s) && d.s[d.i] == ':' { // compact JSON
			d.i++
		} else if d.peek() == ':' {
			d.i++
		} else {
			return syntaxErr(d.i, "expected ':'")
		}
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

// keyEnd returns the offset past the member name at d.s[d.i]. A name is
// almost always plain ASCII, found with one word-at-a-time scan; any other
// goes through the full string scanner.
func (d *Decoder) keyEnd() (int, error) {
	if end := plainEnd(d.s, d.i+1); end < len(d.s) && d.s[end] == '"' {
		return end + 1, nil
	}
	return stringEnd(d.s, d.i)
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
// A string without escapes or invalid UTF-8, the usual case, is found with
// one word-at-a-time scan and returned as a substring of the document;
// otherwise unescapeString decodes it.
func (d *Decoder) String() (string, error) {
	if d.peek() != '"' {
		return read(d, String)
	}
	s, start := d.s, d.i
	i := plainEnd(s, start+1)
	if i < len(s) && s[i] == '"' {
		d.i = i + 1
		return s[start+1 : i], nil
	}
	return d.unescapeString(start, i)
}

// unescapeString decodes the string starting at d.s[start] whose first byte
// that is not plain content is at i. Valid non-ASCII text is passed over
// without copying, so that such a string without escapes is still returned
// as a substring; at the first escape or invalid byte, copyString takes over.
func (d *Decoder) unescapeString(start, i int) (string, error) {
	s := d.s
	for i < len(s) {
		switch c := s[i]; {
		case c == '"':
			d.i = i + 1
			return s[start+1 : i], nil
		case c == '\\':
			return d.copyString(start, i)
		case c < 0x20:
			return "", syntaxErr(i, "control character in string")
		case c < utf8.RuneSelf:
			i = plainEnd(s, i)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return d.copyString(start, i)
			}
			i += size
		}
	}
	return "", syntaxErr(start, "unterminated string")
}

// copyString decodes the string starting at d.s[start] into the scratch
// buffer, from i, where the first escape or invalid byte is. It moves eight
// bytes per step, storing each word before testing it, so that the plain runs
// between escapes cost no copy call, and it decodes \" and \\ (every few
// bytes in a callback's Data, an escaped JSON document) inline. The result
// costs one allocation of its exact size.
func (d *Decoder) copyString(start, i int) (string, error) {
	s := d.s
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	out := append(d.scratch(), s[start+1:i]...)
	j := len(out) // decoded length; out[j:] is room for the next word
	out = out[:cap(out)]
	for {
		if len(out)-j < 16 { // room for a word and the longest escape
			out = append(out[:j], make([]byte, j+64)...)
			out = out[:cap(out)]
		}
		if i <= len(b)-8 {
			x := binary.LittleEndian.Uint64(b[i:])
			binary.LittleEndian.PutUint64(out[j:], x)
			m := specialBytes(x)
			if m == 0 {
				i, j = i+8, j+8
				continue
			}
			k := bits.TrailingZeros64(m) / 8
			i, j = i+k, j+k
		} else if i >= len(b) {
			d.buf = out[:0]
			return "", syntaxErr(start, "unterminated string")
		} else if c := b[i]; strClass[c] == cPlain {
			out[j] = c
			i, j = i+1, j+1
			continue
		}
		switch c := b[i]; {
		case c == '"':
			d.i = i + 1
			d.buf = out[:0]
			return string(out[:j]), nil
		case c == '\\':
			if i+1 < len(b) && (b[i+1] == '"' || b[i+1] == '\\') {
				out[j] = b[i+1]
				i, j = i+2, j+1
				continue
			}
			decoded, next, ok := appendEscape(out[:j], s, i)
			if !ok {
				d.buf = out[:0]
				return "", syntaxErr(i, "invalid escape")
			}
			out, i, j = decoded[:cap(decoded)], next, len(decoded)
		case c < 0x20:
			d.buf = out[:0]
			return "", syntaxErr(i, "control character in string")
		default: // 0x80 and above: copy a valid sequence, replace an invalid byte
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				j += utf8.EncodeRune(out[j:], utf8.RuneError)
				i++
				continue
			}
			j += copy(out[j:], s[i:i+size])
			i += size
		}
	}
}

// scalar reads the next scalar and returns its text t (quoted or bare) and
// its raw form v. A quoted scalar without escapes, the service's usual form,
// is scanned once.
func (d *Decoder) scalar() (t, v string, err error) {
	if d.peek() == '"' {
		s, start := d.s, d.i
		i := plainEnd(s, start+1)
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
func (d *Decoder) Time() (time.Time, error) {
	t, v, err := d.scalar()
	if err != nil {
		return time.Time{}, err
	}
	return timeText(t, v)
}

// UnixMilli reads epoch milliseconds given as a number or a string into a
// UTC time; 0, "" and null give the zero time.
func (d *Decoder) UnixMilli() (time.Time, error) {
	t, v, err := d.scalar()
	if err != nil {
		return time.Time{}, err
	}
	ms, err := int64Text(t, v)
	if err != nil || ms == 0 {
		return time.Time{}, err
	}
	return time.UnixMilli(ms).UTC(), nil
}

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
