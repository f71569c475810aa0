package livempu

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/livempu/livempu-go/internal/wire"
)

// What the client reads of an error answer's body: its error code, the
// *APIError of Alibaba's error document, and a short printable prefix for
// errors about a body that is not one. Secrets are removed from what an
// error quotes in redact.go.

// maxPeek bounds how much of an error body the retry policy reads to find
// the error code.
const maxPeek = 64 << 10

// peekCode reads the error code from a bounded prefix of the body and puts
// the bytes back so the body can be read again.
func peekCode(resp *http.Response) string {
	head, err := io.ReadAll(io.LimitReader(resp.Body, maxPeek))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if err != nil {
		return ""
	}
	var code string
	_ = wire.Object(string(head), func(k, v string) error {
		if k == `"Code"` || k == `"code"` {
			code, _ = wire.String(v)
		}
		return nil
	})
	return code
}

// parseAPIError turns an error response into an *APIError, or a
// *ResponseError when the body is not Alibaba's JSON error document.
func parseAPIError(status int, requestID, action string, body []byte) error {
	e := &APIError{StatusCode: status, RequestID: requestID, Action: action}
	err := wire.Object(string(body), func(k, v string) (err error) {
		switch strings.ToLower(k) {
		case `"code"`:
			e.Code, err = wire.String(v)
		case `"message"`:
			e.Message, err = wire.String(v)
		case `"requestid"`:
			var id string
			if id, err = wire.String(v); id != "" {
				e.RequestID = id
			}
		case `"hostid"`:
			e.HostID, err = wire.String(v)
		case `"recommend"`:
			e.Recommend, err = wire.String(v)
		}
		return err
	})
	if err != nil || e.Code == "" {
		if err == nil {
			err = errors.New("no error code in body")
		}
		return &ResponseError{StatusCode: status, RequestID: e.RequestID, BodyPrefix: safePrefix(body), Err: err}
	}
	e.Message = redactMessage(e.Message)
	return e
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
