package livempu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/livempu/livempu-go/internal/acsauth"
	"github.com/livempu/livempu-go/internal/wire"
)

// handleResponse reads the body through the size limit and decodes it.
func (c *Client) handleResponse(resp *http.Response, action string, decode func(string) error) error {
	requestID := requestIDOf(resp.Header)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if n := resp.ContentLength; ok && n > 0 && n <= c.maxBody {
		// The length is known: read straight into the one buffer that
		// will back every string of the decoded page, with no copy.
		b := make([]byte, n)
		if got, err := io.ReadFull(resp.Body, b); err != nil {
			return &ResponseError{StatusCode: resp.StatusCode, RequestID: requestID, BodyPrefix: safePrefix(b[:got]), Err: &bodyReadError{err}}
		}
		if err := decode(unsafe.String(&b[0], len(b))); err != nil {
			return decodeError(resp.StatusCode, requestID, action, b, err)
		}
		return nil
	}
	buf := getBuffer()
	defer putBuffer(buf)
	body, readErr := readBody(resp.Body, c.maxBody, buf)
	if readErr != nil {
		return &ResponseError{StatusCode: resp.StatusCode, RequestID: requestID, BodyPrefix: safePrefix(body), Err: readErr}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// One copy of the body backs every string of the decoded page.
		if err := decode(string(body)); err != nil {
			return decodeError(resp.StatusCode, requestID, action, body, err)
		}
		return nil
	}
	return parseAPIError(resp.StatusCode, requestID, action, body)
}

// decodeError is the error of a 2xx body that did not decode as the
// operation's answer: the *APIError of an error document sent with a
// success status, otherwise a *ResponseError.
func decodeError(status int, requestID, action string, body []byte, err error) error {
	if errors.Is(err, errErrorDocument) {
		return parseAPIError(status, requestID, action, body)
	}
	return &ResponseError{StatusCode: status, RequestID: requestID, BodyPrefix: safePrefix(body), Err: err}
}

// errErrorDocument is returned by a page decoder for a 2xx body that is
// Alibaba's error document ({"Code": ..., "Message": ...}) rather than a
// page.
var errErrorDocument = errors.New("error document with a success status")

// errNotAnObject is returned by a page decoder for a 2xx body that is valid
// JSON but not an object (null, an array, a string...): no page at all.
var errNotAnObject = errors.New("body is not a JSON object")

// checkEmptyPage is called by a page decoder when a 2xx body decoded to a
// page without items: it tells a real empty page from a body that only
// decodes like one, a top-level null or an error document. Pages with items
// are never scanned twice.
func checkEmptyPage(body string) error {
	i := strings.IndexFunc(body, func(r rune) bool { return r != ' ' && r != '\t' && r != '\n' && r != '\r' })
	if i < 0 || body[i] != '{' {
		return errNotAnObject
	}
	var code string
	err := wire.Object(body, func(k, v string) error {
		if strings.EqualFold(k, `"Code"`) {
			code, _ = wire.String(v)
		}
		return nil
	})
	if err == nil && code != "" {
		return errErrorDocument
	}
	return nil
}

// bufferPool recycles response buffers: decoded values copy what they keep.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufferPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 { // let an unusually large buffer go
		return
	}
	b.Reset()
	bufferPool.Put(b)
}

// bodyReadError is a body that broke off while it was read: the connection
// was lost, a transient fault that the retry policy treats like a failed
// request (both operations are read-only).
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// errBodyTooLarge is returned when a body exceeds WithMaxResponseBytes.
var errBodyTooLarge = errors.New("response body exceeds the size limit")

// readBody reads at most limit bytes of r into buf.
func readBody(r io.Reader, limit int64, buf *bytes.Buffer) ([]byte, error) {
	_, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return buf.Bytes(), &bodyReadError{err}
	}
	if int64(buf.Len()) > limit {
		return buf.Bytes()[:limit], fmt.Errorf("%w (%d bytes)", errBodyTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// safePrefix returns at most 128 printable characters of a body, for error
// messages.
func safePrefix(body []byte) string {
	const max = 128
	if len(body) > max {
		body = body[:max]
	}
	var b []byte
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '?')
		case r < 0x20 || r == 0x7f:
			b = append(b, ' ')
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
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
