package signer

import (
	"errors"
	"fmt"
)

// ErrMalformedCredentials is matched (with errors.Is) by the error
// Signer.Sign returns when a credential holds a character that no AccessKey
// ID, secret or STS token has: a control character, a space or a non-ASCII
// character, typically a newline kept from a file or an environment
// variable. Such credentials cannot be sent (a header cannot carry a
// newline) or could never authenticate, so nothing is sent and retrying is
// pointless. The error names the field and the kind of character, never the
// value.
var ErrMalformedCredentials = errors.New("signer: malformed credentials")

// malformedError names a credential field and what is wrong with it.
type malformedError struct {
	field string // AccessKeyId, AccessKeySecret or SecurityToken
	char  byte   // the first offending byte
	where string // "at the start", "at the end" or "inside"
}

func (e *malformedError) Error() string {
	return fmt.Sprintf("%v: %s has %s %s (credentials are printable ASCII; check the source for a stray newline or space)",
		ErrMalformedCredentials, e.field, describeByte(e.char), e.where)
}

func (e *malformedError) Is(target error) bool { return target == ErrMalformedCredentials }

// Validate reports whether the credentials can sign a request: nil, or
// ErrMissingCredentials when the AccessKey ID or secret is empty, or an
// error matching ErrMalformedCredentials that names the first field
// (AccessKeyId, AccessKeySecret, SecurityToken) holding a character outside
// printable ASCII. Signer.Sign makes the same checks; a livempu.Client makes
// them as soon as it has retrieved credentials, before it waits on its rate
// limiter, and does not retry such an error.
func (c Credentials) Validate() error {
	if !c.HasKeys() {
		return ErrMissingCredentials
	}
	return checkCredentialChars(c)
}

// checkCredentialChars returns a *malformedError for the first field, in
// the order AccessKeyId, AccessKeySecret, SecurityToken, that holds a byte
// outside printable ASCII (0x21 to 0x7E).
func checkCredentialChars(c Credentials) error {
	for _, f := range [...]struct{ name, value string }{
		{"AccessKeyId", c.AccessKeyID},
		{"AccessKeySecret", c.AccessKeySecret},
		{"SecurityToken", c.SecurityToken},
	} {
		if i := firstNonPrintable(f.value); i >= 0 {
			where := "inside"
			switch {
			case i == 0:
				where = "at the start"
			case firstPrintable(f.value[i:]) < 0:
				where = "at the end" // a trailing "\r\n" or multi-byte character
			}
			return &malformedError{field: f.name, char: f.value[i], where: where}
		}
	}
	return nil
}

// firstNonPrintable returns the index of the first byte of s outside 0x21
// to 0x7E, or -1.
func firstNonPrintable(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return i
		}
	}
	return -1
}

// firstPrintable returns the index of the first byte of s from 0x21 to
// 0x7E, or -1.
func firstPrintable(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c > ' ' && c < 0x7f {
			return i
		}
	}
	return -1
}

// describeByte names a byte that is not printable ASCII. A byte of a
// multi-byte UTF-8 character is described as such, not quoted: the value
// is never echoed.
func describeByte(c byte) string {
	switch c {
	case '\n':
		return "a line feed (U+000A)"
	case '\r':
		return "a carriage return (U+000D)"
	case '\t':
		return "a tab (U+0009)"
	case ' ':
		return "a space (U+0020)"
	}
	if c < ' ' || c == 0x7f {
		return fmt.Sprintf("a control character (U+%04X)", c)
	}
	return "a non-ASCII character"
}
