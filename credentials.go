package livempu

import (
	"context"
	"errors"
	"fmt"

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

// attemptCredentials returns the credentials to sign an attempt with: the
// fresh ones a rejection made the client fetch (already checked), else the
// provider's.
func (cl *call) attemptCredentials(ctx context.Context) (signer.Credentials, error) {
	var creds signer.Credentials
	if cl.cred.fresh != nil {
		creds, cl.cred.fresh = *cl.cred.fresh, nil
	} else {
		var err error
		if creds, err = cl.c.credentials(ctx); err != nil {
			return creds, err
		}
	}
	cl.cred.used = creds
	return creds, nil
}
