package livempu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/livempu/livempu-go/signer"
)

// CheckCredentials retrieves the client's credentials once, as the first
// attempt of a call does, and returns the error that call would fail with:
// one matching signer.ErrNoCredentials and naming what each source lacked
// when none has any, one matching signer.ErrMalformedCredentials for a key
// with a stray newline or space, or the provider's own error. Call it at
// start-up to fail there, with a clear message, instead of at the first
// call. It sends nothing: keys the service would reject (mistyped, disabled)
// pass. The default provider is not cached, so each call retrieves again
// (reading the environment, and a profile file if it changed); a provider
// that caches lets the first call reuse what CheckCredentials retrieved.
// Like every error of the SDK, its error never contains a secret or token.
func (c *Client) CheckCredentials(ctx context.Context) error {
	if ctx == nil {
		return errors.New("livempu: CheckCredentials: nil context")
	}
	_, err := c.credentials(ctx)
	return err
}

// credentials retrieves the credentials for one attempt; its error is the
// one the call reports.
func (c *Client) credentials(ctx context.Context) (signer.Credentials, error) {
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return signer.Credentials{}, fmt.Errorf("livempu: credentials: %w", err)
	}
	// Validate also checks the characters, so that a malformed key (a
	// newline read from a file) fails here, before the limiter, and is never
	// sent.
	if err := creds.Validate(); err != nil {
		return signer.Credentials{}, fmt.Errorf("livempu: credentials: %w", err)
	}
	return creds, nil
}

// credentialState follows the credentials of one call through its attempts.
type credentialState struct {
	used    signer.Credentials  // of the last attempt
	fresh   *signer.Credentials // for the retry after a rejection, or nil
	retried bool                // the one retry with fresh credentials is spent
	now     bool                // that retry goes out without a backoff
}

// attemptCredentials returns the credentials to sign an attempt with: the
// fresh ones a rejection made the client fetch (already checked), else the
// provider's.
func (c *Client) attemptCredentials(ctx context.Context, st *callState) (signer.Credentials, error) {
	var creds signer.Credentials
	if st.cred.fresh != nil {
		creds, st.cred.fresh = *st.cred.fresh, nil
	} else {
		var err error
		if creds, err = c.credentials(ctx); err != nil {
			return creds, err
		}
	}
	st.cred.used = creds
	return creds, nil
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
func (c *Client) retryWithFreshCredentials(ctx context.Context, resp *http.Response, err error) bool {
	if !rejectsCredentials(answerCode(resp, err)) {
		return false
	}
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil {
		return false
	}
	rejected := st.cred.used
	if inv, ok := c.creds.(signer.Invalidator); ok {
		inv.Invalidate(rejected)
	}
	if st.cred.retried || st.attempts > c.retry.RetryMax {
		return false // spent, or no retry left to spend
	}
	fresh, err := c.credentials(ctx)
	if err != nil || fresh.AccessKeyID == rejected.AccessKeyID &&
		fresh.AccessKeySecret == rejected.AccessKeySecret && fresh.SecurityToken == rejected.SecurityToken {
		return false
	}
	st.cred.fresh, st.cred.retried, st.cred.now = &fresh, true, true
	return true
}

// retryAtOnce reports, once, whether the retry after resp is the one with
// fresh credentials, which need not wait: nothing suggests the service is
// overloaded.
func retryAtOnce(resp *http.Response) bool {
	if resp == nil || resp.Request == nil {
		return false
	}
	st, _ := resp.Request.Context().Value(callStateKey{}).(*callState)
	if st == nil || !st.cred.now {
		return false
	}
	st.cred.now = false
	return true
}
