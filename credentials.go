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
// when none has any, or the provider's own error. Call it at start-up to
// fail there, with a clear message, instead of at the first call. It sends
// nothing: keys the service would reject (mistyped, disabled) pass. With the
// default provider, which caches, the first call reuses what it retrieved.
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
	if !creds.HasKeys() {
		return signer.Credentials{}, fmt.Errorf("livempu: credentials: %w", signer.ErrMissingCredentials)
	}
	return creds, nil
}
