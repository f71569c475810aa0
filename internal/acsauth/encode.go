package acsauth

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
	err := forEachParam(query, func(k, v string) error {
		v, ok := queryUnescape(v)
		if !ok {
			return errQueryEscape
		}
		dst = append(dst, Param{Key: k, Value: v})
		return nil
	})
	return dst, err
}

// forEachParam splits a query into its name=value segments, as ParseQuery
// describes, and calls fn with each decoded name and its still encoded value.
func forEachParam(query string, fn func(name, rawValue string) error) error {
	for query != "" {
		var seg string
		seg, query, _ = strings.Cut(query, "&")
		if seg == "" {
			continue
		}
		if strings.IndexByte(seg, ';') >= 0 {
			return errQuerySemicolon
		}
		k, v, _ := strings.Cut(seg, "=")
		k, ok := queryUnescape(k)
		if !ok {
			return errQueryEscape
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
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

// scanEscapes validates the %XX escapes of a query component and counts
// them; plus reports whether it contains '+'.
func scanEscapes(s string) (pct int, plus, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) {
				return 0, false, false
			}
			if _, ok := unhex(s[i+1]); !ok {
				return 0, false, false
			}
			if _, ok := unhex(s[i+2]); !ok {
				return 0, false, false
			}
			pct++
			i += 2
		case '+':
			plus = true
		}
	}
	return pct, plus, true
}

// queryUnescape decodes one query component ('+' is a space). It returns s
// itself when there is nothing to decode.
func queryUnescape(s string) (string, bool) {
	pct, plus, ok := scanEscapes(s)
	if !ok {
		return "", false
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

// qparam is a parameter as the signing code handles it. When raw is set,
// val is not the value itself but its PercentEncode form, taken verbatim
// from the query: a wire value that is already canonically encoded (as
// url.Values.Encode writes, e.g. "2024-04-09T10%3A00%3A00Z") is then neither
// decoded nor re-encoded, which saves an allocation per value.
type qparam struct {
	key, val string
	raw      bool
}

func toQParams(ps []Param) []qparam {
	qs := make([]qparam, len(ps))
	for i, p := range ps {
		qs[i] = qparam{key: p.Key, val: p.Value}
	}
	return qs
}

// isCanonicalEncoded reports whether s is exactly PercentEncode of its
// query-decoded value: only unreserved bytes and %XX escapes with
// upper-case hex of bytes that must be escaped (no '+').
func isCanonicalEncoded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if encUnreserved[c] {
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return false
		}
		hi, lo := s[i+1], s[i+2]
		if !isUpperHex(hi) || !isUpperHex(lo) {
			return false
		}
		h, _ := unhex(hi)
		l, _ := unhex(lo)
		if encUnreserved[h<<4|l] {
			return false
		}
		i += 2
	}
	return true
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// parseQueryParams is ParseQuery for the signing code: parameters whose
// decoded name satisfies skip (if not nil) are dropped without decoding
// their value, and canonically encoded values are kept raw.
func parseQueryParams(dst []qparam, query string, skip func(string) bool) ([]qparam, error) {
	err := forEachParam(query, func(k, v string) error {
		if skip != nil && skip(k) {
			if _, _, ok := scanEscapes(v); !ok {
				return errQueryEscape
			}
			return nil
		}
		if isCanonicalEncoded(v) {
			dst = append(dst, qparam{key: k, val: v, raw: true})
			return nil
		}
		v, ok := queryUnescape(v)
		if !ok {
			return errQueryEscape
		}
		dst = append(dst, qparam{key: k, val: v})
		return nil
	})
	return dst, err
}

// qbyte returns the decoded byte at s[i] of a value (raw: canonically
// encoded) and the index of the next one.
func qbyte(s string, i int, raw bool) (byte, int) {
	if raw && s[i] == '%' {
		h, _ := unhex(s[i+1])
		l, _ := unhex(s[i+2])
		return h<<4 | l, i + 3
	}
	return s[i], i + 1
}

// cmpQParam orders like cmpParam, comparing decoded values.
func cmpQParam(a, b qparam) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	if !a.raw && !b.raw {
		return strings.Compare(a.val, b.val)
	}
	i, j := 0, 0
	for i < len(a.val) && j < len(b.val) {
		var ca, cb byte
		ca, i = qbyte(a.val, i, a.raw)
		cb, j = qbyte(b.val, j, b.raw)
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	switch {
	case i < len(a.val):
		return 1
	case j < len(b.val):
		return -1
	}
	return 0
}

// appendQValue appends PercentEncode of p's value.
func appendQValue(dst []byte, p qparam) []byte {
	if p.raw {
		return append(dst, p.val...)
	}
	return appendEnc(dst, p.val)
}
