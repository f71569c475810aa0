package livempu

import (
	"errors"
	"net/url"
	"strings"

	"github.com/livempu/livempu-go/internal/acsauth"
)

// Redaction: what an error quotes of an answer (an *APIError's Message, a
// *ResponseError's BodyPrefix) may echo the request back, with its STS token
// and signature, or the server's string to sign. These functions remove
// them before the error reaches the caller, a log or a hook.

// redactMessage drops the server's string to sign from a
// SignatureDoesNotMatch message: under V1 it contains the AccessKey ID and
// the STS token.
func redactMessage(msg string) string {
	if i := indexFoldASCII(msg, "string to sign"); i >= 0 {
		return strings.TrimSpace(msg[:i]) + " [server string to sign redacted]"
	}
	return msg
}

// indexFoldASCII is strings.Index ignoring the case of ASCII letters. It
// works on s's own bytes (lower-casing s first would move byte offsets for
// characters whose lower case is longer).
func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// scrubSecrets removes what is secret from the text an error quotes from
// the answer: a proxy's error page or a message may echo the request, whose
// URL (V1) or headers (V3) carry the STS token and the signature.
func scrubSecrets(err error, token string) error {
	var re *ResponseError
	var ae *APIError
	switch {
	case errors.As(err, &re):
		re.BodyPrefix = redactSignatures(redactToken(re.BodyPrefix, token))
	case errors.As(err, &ae):
		ae.Message = redactSignatures(redactToken(ae.Message, token))
	}
	return err
}

// signatureMarks are the forms in which a signature's name and its "=" are
// echoed: V1's Signature= query parameter and V3's Authorization
// "Signature=" part, as is or percent-encoded once or twice.
var signatureMarks = [...]string{"signature=", "signature%3d", "signature%253d"}

// redactSignatures replaces the value after every signatureMarks form in s
// (any case), up to the next delimiter or the end of s, so that a signature
// cut short by the body prefix is hidden too.
func redactSignatures(s string) string {
	const mark = "[signature redacted]"
	for _, name := range signatureMarks {
		for from := 0; ; {
			i := indexFoldASCII(s[from:], name)
			if i < 0 {
				break
			}
			start := from + i + len(name)
			end := start
			for end < len(s) && !strings.ContainsRune("&\"' ,;<>()\t\r\n", rune(s[end])) {
				end++
			}
			if end > start {
				s = s[:start] + mark + s[end:]
				end = start + len(mark)
			}
			from = end
		}
	}
	return s
}

// redactToken replaces token in s, as is or percent-encoded, including a
// start of it cut short at the end of s.
func redactToken(s, token string) string {
	const mark, minCut = "[token redacted]", 6
	if token == "" {
		return s
	}
	for _, t := range [...]string{token, acsauth.PercentEncode(token), url.QueryEscape(token)} {
		s = strings.ReplaceAll(s, t, mark)
		for n := min(len(t)-1, len(s)); n >= minCut; n-- {
			if strings.HasSuffix(s, t[:n]) {
				s = s[:len(s)-n] + mark
				break
			}
		}
	}
	return s
}
