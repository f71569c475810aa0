package signer

import (
	"errors"
	"strings"
)

// Param is one request parameter: a name and its (unescaped) value.
type Param struct{ Key, Value string }

// encUnreserved marks the bytes that RFC 3986 leaves literal:
// A-Z a-z 0-9 - _ . ~
var encUnreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['_'], t['.'], t['~'] = true, true, true, true
	return t
}()

const encUpperHex = "0123456789ABCDEF"

// encFirst returns the index of the first byte of s that must be escaped,
// or -1 when s can be used as is.
func encFirst[S ~string | ~[]byte](s S) int {
	for i := 0; i < len(s); i++ {
		if !encUnreserved[s[i]] {
			return i
		}
	}
	return -1
}

// PercentEncode encodes s as Alibaba Cloud signatures require: RFC 3986
// over the UTF-8 bytes of s, where A-Z a-z 0-9 - _ . ~ stay literal and every
// other byte becomes %XX with upper-case hex (so space is %20, * is %2A,
// + is %2B, / is %2F and ~ is never escaped). When nothing needs escaping s
// is returned as is, without allocating.
func PercentEncode(s string) string {
	i := encFirst(s)
	if i < 0 {
		return s
	}
	n := len(s)
	for j := i; j < len(s); j++ {
		if !encUnreserved[s[j]] {
			n += 2
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(s[:i])
	for j := i; j < len(s); j++ {
		c := s[j]
		if encUnreserved[c] {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(encUpperHex[c>>4])
		b.WriteByte(encUpperHex[c&15])
	}
	return b.String()
}

// AppendPercentEncode appends the PercentEncode form of s to dst and returns
// the extended buffer.
func AppendPercentEncode(dst []byte, s string) []byte { return appendEnc(dst, s) }

// appendEnc is AppendPercentEncode for strings and byte slices.
func appendEnc[S ~string | ~[]byte](dst []byte, s S) []byte {
	i := encFirst(s)
	if i < 0 {
		return append(dst, s...)
	}
	dst = append(dst, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if encUnreserved[c] {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', encUpperHex[c>>4], encUpperHex[c&15])
	}
	return dst
}

// Errors of the query parser. They never quote the offending text, which may
// be a security token.
var (
	errQueryEscape    = errors.New("signer: invalid percent-encoding in query or form body")
	errQuerySemicolon = errors.New("signer: semicolon separator in query or form body")
)

// ParseQuery decodes an application/x-www-form-urlencoded string (a URL's
// RawQuery or a form body) into parameters in their original order, keeping
// repeated names. It follows url.ParseQuery: '+' decodes to a space, empty
// segments are skipped, a segment without '=' has an empty value, and a
// semicolon is an error. Unlike url.ParseQuery it stops at the first error,
// does not build a map, and does not allocate for names and values that
// contain no escapes. The error never contains the query's text.
func ParseQuery(dst []Param, query string) ([]Param, error) {
	for query != "" {
		var seg string
		seg, query, _ = strings.Cut(query, "&")
		if seg == "" {
			continue
		}
		if strings.IndexByte(seg, ';') >= 0 {
			return dst, errQuerySemicolon
		}
		k, v, _ := strings.Cut(seg, "=")
		k, ok := queryUnescape(k)
		if !ok {
			return dst, errQueryEscape
		}
		v, ok = queryUnescape(v)
		if !ok {
			return dst, errQueryEscape
		}
		dst = append(dst, Param{Key: k, Value: v})
	}
	return dst, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// queryUnescape decodes one query component ('+' is a space). It returns s
// itself when there is nothing to decode.
func queryUnescape(s string) (string, bool) {
	pct, plus := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			if _, ok := unhex(s[i+1]); !ok {
				return "", false
			}
			if _, ok := unhex(s[i+2]); !ok {
				return "", false
			}
			pct++
			i += 2
		case '+':
			plus = true
		}
	}
	if pct == 0 && !plus {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s) - 2*pct)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			hi, _ := unhex(s[i+1])
			lo, _ := unhex(s[i+2])
			b.WriteByte(hi<<4 | lo)
			i += 2
		case '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// cmpParam orders parameters by name, then value, in byte order.
func cmpParam(a, b Param) int {
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}
