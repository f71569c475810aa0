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

// acceptJSON is the Accept header of every attempt.
var acceptJSON = []string{"application/json"}

// permanentError marks a failure that happened before sending (credentials,
// limiter, signing, a refused redirect); the retry policy never retries it.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// RoundTrip is one attempt of the call, run by the retry loop: it sleeps
// the wait the retry policy chose after the previous attempt, retrieves
// credentials, waits on the account's rate limiter, signs a clone of the
// request with a fresh nonce and timestamp, and sends it through the
// caller's *http.Client. Doing this per attempt is what keeps retries inside
// the QPS budget and free of SignatureNonceUsed.
func (cl *call) RoundTrip(req *http.Request) (*http.Response, error) {
	c := cl.c
	ctx := req.Context()
	if req.URL.Scheme != c.endpoint.Scheme || req.URL.Host != c.endpoint.Host {
		return nil, &permanentError{errors.New("livempu: refusing to sign a request for a host other than the endpoint")}
	}
	if cl.retryWait > 0 {
		// The wait the retry policy chose after the previous attempt.
		if err := sleep(ctx, cl.retryWait); err != nil {
			return nil, &permanentError{err}
		}
		cl.retryWait = 0
	}
	creds, err := cl.attemptCredentials(ctx)
	if err != nil {
		return nil, &permanentError{err}
	}
	cl.limiterWait, cl.limiterRate = 0, 0
	var waitStart time.Time
	if c.hook != nil {
		waitStart = time.Now()
	}
	tk, err := c.waitLimiter(ctx, creds.AccessKeyID, cl.action)
	if c.hook != nil { // measured for the hook's Attempt
		cl.limiterWait, cl.limiterRate = time.Since(waitStart), c.LimiterRate(cl.action)
	}
	if err != nil {
		return nil, &permanentError{limiterError(ctx, err)}
	}
	cl.ticket = tk
	traceCtx, proxy := c.watchProxy(ctx, req)
	out := req.Clone(traceCtx)
	// Shared, never modified value slices: no allocation per attempt.
	out.Header["User-Agent"] = c.userAgentHeader
	out.Header["Accept"] = acceptJSON
	if err := c.signer.Sign(out, cl.action, nil, creds); err != nil {
		return nil, &permanentError{fmt.Errorf("livempu: signing: %w", err)}
	}
	cl.attempts++
	cl.sent, cl.handled = true, false
	cl.status, cl.code, cl.requestID = 0, "", ""
	cl.sentAt = time.Now()
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
		cl.status, cl.requestID = resp.StatusCode, requestIDOf(resp.Header)
		if resp.StatusCode >= 400 {
			cl.code = peekCode(resp)
		}
		c.report(ctx, cl.action, tk, resp)
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
