package livempu

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/livempu/livempu-go/signer"
)

// The retry policy: the one place that decides whether an attempt is
// retried, and after what wait.

// checkRetry is the retry loop's CheckRetry: retry network errors, 5xx, 429
// and the Throttling*, ServiceUnavailable and InternalError codes (whatever
// their status, 2xx included), an answer that broke off while it was read,
// and any error carrying x-acs-retry-after; a rejection of the credentials
// once, if fresh ones differ (retryWithFreshCredentials); never other 4xx,
// a malformed answer, context errors or failures before sending. Both
// operations are read-only, so a retry is always safe. A retry whose wait
// (the server's or the backoff's) cannot end before the context's deadline
// is not made: the call ends at once with this attempt's error.
//
// It is called once after an attempt, or twice when the first call lets the
// response handler read the answer; the last call's decision is final: then
// the wait before the next attempt is chosen and the attempt is reported to
// the hook.
func (cl *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, checkErr := cl.retryPolicy(ctx, resp, err)
	more := retry && cl.attempts <= cl.c.maxRetries
	if cl.sent && more {
		wait := cl.backoff(resp)
		if more = cl.waitFits(ctx, wait); more {
			cl.retryWait = wait
		} else {
			retry = false // give up now with this attempt's error
		}
	}
	if cl.sent && (err != nil || retry || cl.handled) {
		cl.sent = false
		if !more {
			cl.retryWait = 0
		}
		cl.reportAttempt(ctx, err, more)
	}
	return retry, checkErr
}

// retryPolicy decides whether an attempt is retried.
func (cl *call) retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if cl.waitPastDeadline > 0 {
		return false, nil // gave up: the next attempt could not start in time
	}
	if !retryable(resp, err) {
		return cl.retryWithFreshCredentials(ctx, resp, err), nil // if the answer rejects the credentials
	}
	if resp != nil && !cl.serverWaitFits(ctx, resp) {
		return false, nil
	}
	return true, nil
}

// retryable reports whether an attempt's outcome is worth another attempt:
// err is the attempt's error, or the response handler's about the answer.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return retryableError(err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true
	case resp.StatusCode >= 400 && resp.Header.Get(headerACSRetryAfter) != "":
		return true // Alibaba's gateway marks a throttle with it
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return true
	case resp.StatusCode >= 400:
		return retryableCode(peekCode(resp))
	}
	return false
}

// retryableError reports whether an attempt that failed with err may
// succeed on retry.
func retryableError(err error) bool {
	var perm *permanentError
	var apiErr *APIError
	var respErr *ResponseError
	switch {
	case errors.As(err, &perm): // it failed before sending, or was a redirect
		return false
	case errors.As(err, &apiErr): // an error document with a 2xx status
		return retryableCode(apiErr.Code)
	case errors.As(err, &respErr): // an answer that could not be read
		return isBodyReadError(err) // it broke off: the connection was lost
	}
	return retryableNetError(err)
}

// retryableNetError reports whether a transport error may go away on retry.
func retryableNetError(err error) bool {
	// The caller's own cancellation is caught before this (retryPolicy
	// looks at ctx first); a deadline here is the *http.Client's
	// per-attempt Timeout, which is worth another attempt.
	var proxyErr *proxyError
	if errors.As(err, &proxyErr) && proxyErr.refused {
		return proxyErr.retryable()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTemporary || dnsErr.IsTimeout
	}
	var verifyErr *tls.CertificateVerificationError
	var authorityErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	if errors.As(err, &verifyErr) || errors.As(err, &authorityErr) || errors.As(err, &hostErr) || errors.As(err, &invalidErr) {
		return false
	}
	return !strings.Contains(err.Error(), "unsupported protocol scheme")
}

// retryableCode reports whether an error code is transient.
func retryableCode(code string) bool {
	switch sentinelFor(code) {
	case ErrThrottled, ErrServiceUnavailable, ErrInternalError:
		return true
	}
	return false
}

// serverWaitFits reports whether the wait an answer asks for before a retry
// (Retry-After, TimeLeft) ends before the context's deadline (waitFits).
func (cl *call) serverWaitFits(ctx context.Context, resp *http.Response) bool {
	wait, ok := serverWait(resp.Header)
	if !ok || cl.attempts > cl.c.maxRetries {
		return true // none asked for, or no retry left to wait for
	}
	return cl.waitFits(ctx, wait)
}

// waitFits reports whether a retry after wait can start before the
// context's deadline. When it cannot, it notes the wait, which makes the
// call give up at once with this attempt's error and say why: sleeping to
// the deadline would only replace that error (an *APIError with its code
// and request id, a network error) with a bare context.DeadlineExceeded.
func (cl *call) waitFits(ctx context.Context, wait time.Duration) bool {
	if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) >= wait {
		return true
	}
	cl.waitPastDeadline = wait
	return false
}

// rejectsCredentials reports whether an error code says that the
// credentials of the attempt are not, or no longer, valid: an unknown or
// disabled AccessKey, an invalid or expired STS token, a signature made
// with the wrong secret.
func rejectsCredentials(code string) bool {
	switch {
	case code == "InvalidAccessKeyId" || strings.HasPrefix(code, "InvalidAccessKeyId."):
		return true
	case code == "InvalidSecurityToken" || strings.HasPrefix(code, "InvalidSecurityToken."):
		return true
	}
	return code == "SignatureDoesNotMatch"
}

// answerCode returns the error code of an error answer: from the body of a
// 4xx or 5xx answer, or from the *APIError of an error document sent with a
// 2xx status (which the response handler reports). It returns "" for
// anything else, and for the handler's error about a 4xx or 5xx answer,
// whose code was already seen.
func answerCode(resp *http.Response, err error) string {
	switch {
	case resp == nil:
		return ""
	case err == nil && resp.StatusCode >= 400:
		return peekCode(resp)
	case err != nil && resp.StatusCode < 300:
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			return apiErr.Code
		}
	}
	return ""
}

// retryWithFreshCredentials is the retry policy for an error answer the
// other rules do not retry. If it rejects the credentials of the attempt,
// the provider is told to drop them (if it is a signer.Invalidator) and asked
// for credentials again. The attempt is retried, at once and at most once
// per call, only if the provider now gives different credentials (they were
// rotated): the same ones would be rejected again.
func (cl *call) retryWithFreshCredentials(ctx context.Context, resp *http.Response, err error) bool {
	if !rejectsCredentials(answerCode(resp, err)) {
		return false
	}
	rejected := cl.cred.used
	if inv, ok := cl.c.creds.(signer.Invalidator); ok {
		inv.Invalidate(rejected)
	}
	if cl.cred.retried || cl.attempts > cl.c.maxRetries {
		return false // spent, or no retry left to spend
	}
	fresh, err := cl.c.credentials(ctx)
	if err != nil || fresh.AccessKeyID == rejected.AccessKeyID &&
		fresh.AccessKeySecret == rejected.AccessKeySecret && fresh.SecurityToken == rejected.SecurityToken {
		return false
	}
	cl.cred.fresh, cl.cred.retried, cl.cred.now = &fresh, true, true
	return true
}

// noBackoff is the retry loop's Backoff: the wait is chosen by checkRetry
// (call.backoff) and slept by the next attempt.
func noBackoff(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 }

// backoff is the wait before the attempt that follows resp: none for the
// retry with fresh credentials (nothing suggests the service is
// overloaded), else what the server asks for, else an exponential backoff
// with full jitter.
func (cl *call) backoff(resp *http.Response) time.Duration {
	if cl.cred.now {
		cl.cred.now = false
		return 0
	}
	return backoff(cl.c.backoffMin, cl.c.backoffMax, cl.attempts-1, resp)
}

// backoff waits what the server asks for (x-acs-retry-after, Retry-After,
// or the larger TimeLeft of Alibaba's x-ratelimit-user and
// x-ratelimit-user-api headers), otherwise an exponential backoff with full
// jitter: a uniform wait in [0, min(max, base*2^attempt)].
func backoff(base, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := serverWait(resp.Header); ok {
			return d
		}
	}
	ceiling := maxWait
	if attempt < 30 {
		if d := base << attempt; d > 0 && d < maxWait {
			ceiling = d
		}
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}
