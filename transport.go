package livempu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/livempu/livempu-go/internal/order"
)

// attemptTransport runs beneath the retry loop, once per attempt: it
// retrieves credentials, waits on the account's rate limiter, signs a clone of
// the request with a fresh nonce and timestamp, and sends it through the
// caller's *http.Client. Doing this per attempt is what keeps retries inside
// the QPS budget and free of SignatureNonceUsed.
type attemptTransport struct{ c *Client }

// acceptJSON is the Accept header of every attempt.
var acceptJSON = []string{"application/json"}

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
	if req.URL.Scheme != c.endpoint.Scheme || req.URL.Host != c.endpoint.Host {
		return nil, &permanentError{errors.New("livempu: refusing to sign a request for a host other than the endpoint")}
	}
	creds, err := c.attemptCredentials(ctx, st)
	if err != nil {
		return nil, &permanentError{err}
	}
	if lim := c.limiterFor(creds.AccessKeyID, st.action); lim != nil {
		if err := waitInOrder(ctx, lim); err != nil {
			return nil, &permanentError{limiterError(ctx, err)}
		}
	}
	traceCtx, proxy := c.watchProxy(ctx, req)
	out := req.Clone(traceCtx)
	// Shared, never modified value slices: no allocation per attempt.
	out.Header["User-Agent"] = c.userAgentHeader
	out.Header["Accept"] = acceptJSON
	if err := c.signer.Sign(out, st.action, nil, creds); err != nil {
		return nil, &permanentError{fmt.Errorf("livempu: signing: %w", err)}
	}
	st.attempts++
	start := time.Now()
	// A shallow copy of the caller's client whose transport refuses
	// redirects instead of following them (redirectRefuser); the caller's
	// client itself is never modified.
	hc := *c.hc
	hc.CheckRedirect = noRedirects
	hc.Transport = redirectRefuser{c}
	resp, err := hc.Do(out)
	if err != nil {
		err = proxy.explain(stripURL(err))
	}
	c.logAttempt(ctx, st, resp, err, time.Since(start))
	return resp, err
}

// waitInOrder waits on lim. In a prefetching walk the fetches of several
// pages wait at once; each first waits for the earlier pages to have taken
// their tokens (internal/order), so that tokens go out in page order and the
// page the caller needs next is never the one left waiting.
func waitInOrder(ctx context.Context, lim Limiter) error {
	if err := order.Wait(ctx); err != nil {
		return err
	}
	defer order.Done(ctx)
	return lim.Wait(ctx)
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
