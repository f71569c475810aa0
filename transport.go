package livempu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// attemptTransport runs beneath the retry loop, once per attempt: it
// retrieves credentials, waits on the account's rate limiter, signs a clone of
// the request with a fresh nonce and timestamp, and sends it through the
// caller's *http.Client. Doing this per attempt is what keeps retries inside
// the QPS budget and free of SignatureNonceUsed.
type attemptTransport struct{ c *Client }

// permanentError marks a failure that happened before sending (credentials,
// limiter, signing); the retry policy never retries it.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func (t attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	ctx := req.Context()
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil {
		return nil, &permanentError{errors.New("livempu: request not made by a Client")}
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, &permanentError{fmt.Errorf("livempu: credentials: %w", err)}
	}
	if lim := c.limiterFor(creds.AccessKeyID, st.action); lim != nil {
		if err := lim.Wait(ctx); err != nil {
			return nil, &permanentError{limiterError(ctx, err)}
		}
	}
	out := req.Clone(ctx)
	out.Header.Set("User-Agent", c.userAgent)
	out.Header.Set("Accept", "application/json")
	if err := c.signer.Sign(out, st.action, nil, creds); err != nil {
		return nil, &permanentError{fmt.Errorf("livempu: signing: %w", err)}
	}
	st.attempts++
	start := time.Now()
	resp, err := c.hc.Do(out)
	if err != nil {
		err = stripURL(err)
	}
	c.logAttempt(ctx, st, resp, err, time.Since(start))
	return resp, err
}

// limiterError explains a failed limiter wait. A limiter may fail at once
// when the wait would outlast the context's deadline (rate.Limiter does);
// that is reported as context.DeadlineExceeded, as if the caller had waited.
func limiterError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("livempu: rate limiter: %w", ctxErr)
	}
	if _, ok := ctx.Deadline(); ok && !errors.Is(err, context.DeadlineExceeded) && strings.Contains(err.Error(), "deadline") {
		return fmt.Errorf("livempu: rate limiter: %v: %w", err, context.DeadlineExceeded)
	}
	return fmt.Errorf("livempu: rate limiter: %w", err)
}

// stripURL removes the *url.Error wrapper net/http adds: its URL is the
// signed one, which under V1 carries the signature and the STS token.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// logAttempt records one attempt at debug level, with nothing secret.
func (c *Client) logAttempt(ctx context.Context, st *callState, resp *http.Response, err error, d time.Duration) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) && (st.attempts == 1 || !c.logger.Enabled(ctx, slog.LevelInfo)) {
		return
	}
	attrs := []slog.Attr{
		slog.String("action", st.action),
		slog.Int("attempt", st.attempts),
		slog.String("host", c.endpoint.Host),
		slog.Duration("duration", d),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", resp.Header.Get("x-acs-request-id")))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	// The first attempt is routine (debug); a retry is worth seeing (info).
	level, msg := slog.LevelDebug, "livempu attempt"
	if st.attempts > 1 {
		level, msg = slog.LevelInfo, "livempu retry"
	}
	c.logger.LogAttrs(ctx, level, msg, attrs...)
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

// errBodyTooLarge is returned when a body exceeds WithMaxResponseBytes.
var errBodyTooLarge = errors.New("response body exceeds the size limit")

// readBody reads at most limit bytes of r into buf.
func readBody(r io.Reader, limit int64, buf *bytes.Buffer) ([]byte, error) {
	_, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return buf.Bytes(), fmt.Errorf("reading body: %w", err)
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
