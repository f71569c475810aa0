package livempu

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/livempu/livempu-go/internal/wire"
)

// maxPeek bounds how much of an error body the retry policy reads to find
// the error code.
const maxPeek = 64 << 10

// maxServerWait caps a wait the server asks for (Retry-After, TimeLeft).
const maxServerWait = time.Minute

// checkRetry is the retry policy: retry network errors, 5xx, 429 and the
// Throttling*, ServiceUnavailable and InternalError codes (whatever their
// status, 2xx included), and any error carrying x-acs-retry-after; a
// rejection of the credentials once, if fresh ones differ
// (retryWithFreshCredentials); never other 4xx, context errors or failures
// before sending. Both operations are read-only, so a retry is always safe.
// A retry whose server-requested wait cannot end before the context's
// deadline is not made: the call ends at once with this answer's error.
//
// It is called once after an attempt, or twice when the first call lets the
// response handler read the answer; the last call's decision is final, and
// then the attempt is reported to the hook with the wait before the next one.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	retry, checkErr := c.retryPolicy(ctx, resp, err)
	if st != nil && st.sent && (err != nil || retry || st.handled) {
		c.attemptDone(ctx, st, resp, err, retry && st.attempts <= c.retry.RetryMax)
	}
	return retry, checkErr
}

// retryPolicy decides whether an attempt is retried.
func (c *Client) retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	retry := retryable(resp, err)
	if !retry {
		return c.retryWithFreshCredentials(ctx, resp, err), nil // if the answer rejects the credentials
	}
	if retry && resp != nil && !c.serverWaitFits(ctx, resp) {
		return false, nil
	}
	return retry, nil
}

// retryable reports whether an attempt's outcome is worth another attempt.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) { // an error document with a 2xx status
			return retryableCode(apiErr.Code)
		}
		return retryableNetError(err)
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

// serverWaitFits reports whether the wait an answer asks for before a retry
// (Retry-After, TimeLeft) ends before the context's deadline. When it does
// not, and a retry was left, it notes the wait in the call state so that the
// call's error says why it gave up. Sleeping to the deadline would only
// replace the answer's error with a bare context.DeadlineExceeded.
func (c *Client) serverWaitFits(ctx context.Context, resp *http.Response) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return true
	}
	wait, ok := serverWait(resp.Header)
	if !ok || time.Until(deadline) >= wait {
		return true
	}
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil || st.attempts > c.retry.RetryMax {
		return true // no retry left: the wait was never going to be waited
	}
	st.waitPastDeadline = wait
	return false
}

// retryableNetError reports whether a transport error may go away on retry.
func retryableNetError(err error) bool {
	// The caller's own cancellation is caught before this (checkRetry looks
	// at ctx first); a deadline here is the *http.Client's per-attempt
	// Timeout, which is worth another attempt.
	var perm *permanentError
	if errors.As(err, &perm) {
		return false
	}
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

// noBackoff is the retryablehttp Backoff: the wait is chosen by checkRetry
// and slept by the transport.
func noBackoff(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 }

// backoff waits what the server asks for (x-acs-retry-after, Retry-After, or the larger
// TimeLeft of Alibaba's x-ratelimit-user and x-ratelimit-user-api headers),
// otherwise an exponential backoff with full jitter: a uniform wait in
// [0, min(max, base*2^attempt)].
func backoff(base, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if retryAtOnce(resp) {
		return 0
	}
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

// serverWait reads the wait a response asks for (x-acs-retry-after,
// Retry-After, or the larger TimeLeft of the x-ratelimit-user(-api)
// headers), capped at maxServerWait.
func serverWait(h http.Header) (time.Duration, bool) {
	wait, found := retryAfter(h)
	for _, name := range [...]string{headerRateLimitAPI, headerRateLimitUser} {
		if d, ok := timeLeft(h.Get(name)); ok && d > wait {
			wait, found = d, true
		}
	}
	return min(wait, maxServerWait), found
}

// timeLeft parses the TimeLeft (milliseconds) of a header such as
// "Limit:1,Remain:0,TimeLeft:2000,Reset:1234".
func timeLeft(v string) (time.Duration, bool) {
	for part := range strings.SplitSeq(v, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), ":")
		if ok && strings.EqualFold(name, "TimeLeft") {
			ms, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
			if err == nil && ms >= 0 {
				return time.Duration(min(ms, maxServerWait.Milliseconds())) * time.Millisecond, true
			}
		}
	}
	return 0, false
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
