package livempu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/livempu/livempu-go/internal/order"
	"golang.org/x/time/rate"
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
	if st.retryWait > 0 {
		// The wait the retry policy chose after the previous attempt.
		if err := sleep(ctx, st.retryWait); err != nil {
			return nil, &permanentError{err}
		}
		st.retryWait = 0
	}
	creds, err := c.attemptCredentials(ctx, st)
	if err != nil {
		return nil, &permanentError{err}
	}
	st.limiterWait, st.limiterRate = 0, 0
	if lim := c.limiterFor(creds.AccessKeyID, st.action); lim != nil {
		if err := c.waitLimiter(ctx, st, lim); err != nil {
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
	st.sent, st.handled = true, false
	st.status, st.code, st.requestID = 0, "", ""
	st.sentAt = time.Now()
	// A shallow copy of the caller's client whose transport refuses
	// redirects instead of following them (redirectRefuser); the caller's
	// client itself is never modified.
	hc := *c.hc
	hc.CheckRedirect = noRedirects
	hc.Transport = redirectRefuser{c}
	resp, err := hc.Do(out)
	if err != nil {
		err = proxy.explain(stripURL(err))
	} else {
		st.status, st.requestID = resp.StatusCode, requestIDOf(resp.Header)
		if resp.StatusCode >= 400 {
			st.code = peekCode(resp)
		}
	}
	return resp, err
}

// waitLimiter waits on the action's limiter, measuring the wait and reading
// the limiter's rate when a hook will report them.
func (c *Client) waitLimiter(ctx context.Context, st *callState, lim Limiter) error {
	if c.hook == nil {
		return waitInOrder(ctx, lim)
	}
	start := time.Now()
	err := waitInOrder(ctx, lim)
	st.limiterWait, st.limiterRate = time.Since(start), limiterRate(lim)
	return err
}

// limiterRate reads a limiter's rate in requests per second, when it has
// one it tells (a *rate.Limiter does); 0 otherwise.
func limiterRate(lim Limiter) float64 {
	if l, ok := lim.(interface{ Limit() rate.Limit }); ok && l.Limit() != rate.Inf {
		return float64(l.Limit())
	}
	return 0
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
