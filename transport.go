package livempu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
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
	var waitStart time.Time
	if c.hook != nil {
		waitStart = time.Now()
	}
	tk, err := c.waitLimiter(ctx, creds.AccessKeyID, st.action)
	if c.hook != nil { // measured for the hook's Attempt
		st.limiterWait, st.limiterRate = time.Since(waitStart), c.LimiterRate(st.action)
	}
	if err != nil {
		return nil, &permanentError{limiterError(ctx, err)}
	}
	st.ticket = tk
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
		c.report(ctx, st.action, tk, resp)
	}
	return resp, err
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
