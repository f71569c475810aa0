package livempu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"unsafe"

	"github.com/livempu/livempu-go/internal/wire"
)

// handle is the retry loop's response handler: it reads and decodes the
// call's final answer (one the retry policy did not retry on its status
// and headers) and returns the error it makes of it, with the secrets it
// may quote removed. The retry policy sees that error too: an answer that
// broke off is retried, and so is a throttle sent as an error document with
// a 2xx status, which the limiter is told of here.
func (cl *call) handle(ctx context.Context, resp *http.Response) error {
	cl.handled = true
	err := cl.c.readAnswer(resp, cl.action, cl.decode)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return ctxErr // the caller's deadline cut the body short: not a malformed answer
	}
	err = scrubSecrets(err, cl.cred.used.SecurityToken)
	var apiErr *APIError
	if resp.StatusCode < 300 && errors.As(err, &apiErr) && sentinelFor(apiErr.Code) == ErrThrottled {
		cl.c.reportThrottle(ctx, cl.action, cl.ticket) // not seen as one when the answer came in
	}
	return err
}

// readAnswer reads the body through the size limit and decodes it: a 2xx
// body with decode, an error body into an *APIError; a body that is neither
// is a *ResponseError.
func (c *Client) readAnswer(resp *http.Response, action string, decode func(string) error) error {
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

// isBodyReadError reports an answer that broke off while it was read.
func isBodyReadError(err error) bool {
	var broken *bodyReadError
	return errors.As(err, &broken)
}

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
