package wire

import "time"

// Decoder reads one JSON document in a single pass. Object and Array call
// back for each member or element; the callback consumes the value with one
// of the typed readers (String, Int, ...), a nested Object or Array, or not
// at all, in which case the value is skipped. Nothing is scanned twice.
type Decoder struct {
	s     string
	i     int
	depth int
}

// NewDecoder returns a Decoder over the document s.
func NewDecoder(s string) *Decoder { return &Decoder{s: s} }

// Decode runs decode over the document s and checks that nothing but white
// space follows the value.
func Decode(s string, decode func(*Decoder) error) error {
	d := Decoder{s: s}
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
func (d *Decoder) String() (string, error) { return read(d, String) }

// Int reads an integer given as a number or a string.
func (d *Decoder) Int() (int, error) { return read(d, Int) }

// Float reads a number given as a number or a string.
func (d *Decoder) Float() (float64, error) { return read(d, Float) }

// Bool reads a boolean given bare, quoted, or as "0"/"1".
func (d *Decoder) Bool() (bool, error) { return read(d, Bool) }

// Time reads an ISO 8601 time or epoch milliseconds.
func (d *Decoder) Time() (time.Time, error) { return read(d, Time) }

// UnixMilli reads epoch milliseconds.
func (d *Decoder) UnixMilli() (time.Time, error) { return read(d, UnixMilli) }

// Duration reads a count of unit.
func (d *Decoder) Duration(unit time.Duration) (time.Duration, error) {
	v, err := d.Value()
	if err != nil {
		return 0, err
	}
	return Duration(v, unit)
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
