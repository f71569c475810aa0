package livempu

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxPageSize is the largest page either operation returns.
const MaxPageSize = 100

// Documented limits of the request fields, which Validate checks.
const (
	maxAppIDLen  = 64 // the longest AppID the service accepts
	maxTaskIDLen = 55 // the longest TaskID the service accepts
)

// validator collects the first problem found in a request.
type validator struct {
	action string
	err    *ValidationError
}

func (v *validator) fail(field, reason string) {
	if v.err == nil {
		v.err = &ValidationError{Action: v.action, Field: field, Reason: reason}
	}
}

// result returns the first problem as an error, or nil.
func (v *validator) result() error {
	if v.err == nil {
		return nil
	}
	return v.err
}

// id checks an identifier of letters, digits, '_' and '-' up to maxLen.
func (v *validator) id(field, value string, required bool, maxLen int) {
	switch {
	case value == "":
		if required {
			v.fail(field, "is required")
		}
	default:
		for i := 0; i < len(value); i++ {
			if !isIDByte(value[i]) {
				v.fail(field, "may contain only letters, digits, '_' and '-' (found "+charAt(value, i)+" at byte "+strconv.Itoa(i)+")")
				return
			}
		}
		if len(value) > maxLen {
			v.fail(field, "is "+strconv.Itoa(len(value))+" characters long; the limit is "+strconv.Itoa(maxLen))
		}
	}
}

// charAt describes the character that starts at byte i of s as the caller
// wrote it: the whole rune of a multi-byte UTF-8 sequence, not its first
// byte, and a byte that is not valid UTF-8 by its value.
func charAt(s string, i int) string {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size <= 1 {
		return "byte 0x" + strconv.FormatUint(uint64(s[i]), 16)
	}
	return strconv.QuoteRune(r)
}

func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// page checks PageSize and PageNo; required makes both mandatory.
func (v *validator) page(size, no int, required bool) {
	if required && size == 0 {
		v.fail("PageSize", "is required (1 to 100)")
	} else if size < 0 || size > MaxPageSize {
		v.fail("PageSize", "must be between 1 and 100 (got "+strconv.Itoa(size)+")")
	}
	if required && no == 0 {
		v.fail("PageNo", "is required (1 or more)")
	} else if no < 0 {
		v.fail("PageNo", "must be 1 or more (got "+strconv.Itoa(no)+")")
	}
}

// time checks a required time that the service reads as UTC
// yyyy-MM-ddTHH:mm:ssZ.
func (v *validator) time(field string, t time.Time) {
	if t.IsZero() {
		v.fail(field, "is required")
	} else if y := t.UTC().Year(); y < 1970 || y > 9999 { // as sent, in UTC
		v.fail(field, "is outside the years 1970 to 9999 (UTC year "+strconv.Itoa(y)+")")
	}
}

// text checks an optional free-form parameter for control characters.
func (v *validator) text(field, value string) {
	if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		v.fail(field, "must not contain control characters")
	} else if !utf8.ValidString(value) {
		// The service reads parameters as UTF-8: such a value can match
		// nothing, and may not survive to the string it verifies.
		i := firstInvalidUTF8(value)
		v.fail(field, "is not valid UTF-8 (found "+charAt(value, i)+" at byte "+strconv.Itoa(i)+")")
	}
}

// firstInvalidUTF8 returns the index of the first byte of s that does not
// begin a valid UTF-8 sequence, or -1.
func firstInvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}
