package signer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// chainProvider is the provider NewChainProvider returns.
type chainProvider struct {
	providers []CredentialsProvider
	last      atomic.Int32 // 1 + index of the last provider that succeeded; 0 for none
}

// NewChainProvider returns a chain of the given providers, tried in order:
// its Retrieve returns the credentials of the first provider that has some.
// If none has, the error wraps ErrNoCredentials and lists each provider's
// reason: "no credentials found: env: ...; cli profile: ...; ini profile: ...".
// Nil providers are skipped. The chain is safe for concurrent use.
//
// A provider whose error wraps ErrNoCredentials ("nothing configured here")
// makes the chain move on to the next one. Any other error (a malformed
// file, an unsupported profile mode, an ID without a secret, a cancelled
// context) stops the chain and is returned: a configuration that is present
// but broken must be fixed, not silently replaced by credentials from
// further down the chain. A provider that returns success with an empty ID
// or secret also stops the chain.
//
// The provider that last succeeded is remembered and tried first on later
// calls, so that an earlier provider that has nothing (and may be slow to
// say so) is not asked on every attempt. If the remembered provider then
// reports ErrNoCredentials, or the service rejects its credentials, the
// whole chain is tried again in order.
//
// The chain is an Invalidator: Invalidate passes the rejected credentials on
// to every provider of the chain that is one, and forgets which provider
// last succeeded. Its String (and every fmt verb) is "chain(" followed by
// the providers' names and ")".
func NewChainProvider(providers ...CredentialsProvider) CredentialsProvider {
	c := &chainProvider{}
	for _, p := range providers {
		if p != nil {
			c.providers = append(c.providers, p)
		}
	}
	return c
}

// NewDefaultChain returns the chain NewEnvProvider, NewCLIProfileProvider,
// NewINIProfileProvider: the order of Alibaba's default credentials chain
// without its OIDC role (between env and the CLI profile), ECS RAM role and
// credentials URI providers, which are not implemented by this package.
// Such providers can be added by building a chain with NewChainProvider
// around any CredentialsProvider implementation.
//
// The chain reads the environment on every Retrieve and a profile file
// whenever the file changed (one stat per Retrieve), so rotated credentials
// are used at once; it is cheap enough to ask for every request and is not
// meant to be wrapped in NewCachingProvider, which would keep its
// credentials until they are rejected.
func NewDefaultChain() CredentialsProvider {
	return NewChainProvider(NewEnvProvider(), NewCLIProfileProvider(), NewINIProfileProvider())
}

// Retrieve returns the credentials of the first provider that has some, as
// NewChainProvider describes.
func (c *chainProvider) Retrieve(ctx context.Context) (Credentials, error) {
	if c == nil || len(c.providers) == 0 {
		return Credentials{}, &chainError{}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var errs []error // made only when a provider has nothing
	first := int(c.last.Load()) - 1
	if first >= 0 {
		creds, err := c.try(ctx, first)
		if err == nil || !errors.Is(err, ErrNoCredentials) {
			return creds, err
		}
		errs = make([]error, len(c.providers))
		errs[first] = err
	}
	for i := range c.providers {
		if i == first {
			continue
		}
		creds, err := c.try(ctx, i)
		if err == nil || !errors.Is(err, ErrNoCredentials) {
			return creds, err
		}
		if errs == nil {
			errs = make([]error, len(c.providers))
		}
		errs[i] = err
	}
	c.last.Store(0)
	return Credentials{}, &chainError{errs: errs}
}

// Invalidate passes rejected on to every provider of the chain that is an
// Invalidator, and forgets which provider last succeeded, so that the next
// Retrieve tries the chain in order again: credentials rejected by the
// service may mean that another source now holds the valid ones.
func (c *chainProvider) Invalidate(rejected Credentials) {
	if c == nil {
		return
	}
	c.last.Store(0)
	for _, p := range c.providers {
		invalidate(p, rejected)
	}
}

// try asks provider i, remembering it on success and wrapping errors that
// stop the chain.
func (c *chainProvider) try(ctx context.Context, i int) (Credentials, error) {
	if err := ctx.Err(); err != nil {
		return Credentials{}, fmt.Errorf("credentials chain: %w", err)
	}
	p := c.providers[i]
	creds, err := p.Retrieve(ctx)
	if err != nil {
		if errors.Is(err, ErrNoCredentials) {
			return Credentials{}, err
		}
		return Credentials{}, fmt.Errorf("credentials chain: %w", err)
	}
	if err := checkKeys(creds, p); err != nil {
		return Credentials{}, fmt.Errorf("credentials chain: %w", err)
	}
	c.last.Store(int32(i + 1))
	return creds, nil
}

// String returns "chain(" followed by the providers' names and ")".
func (c *chainProvider) String() string {
	if c == nil {
		return "chain()"
	}
	names := make([]string, len(c.providers))
	for i, p := range c.providers {
		names[i] = providerName(p)
	}
	return "chain(" + strings.Join(names, ", ") + ")"
}

// Format prints String for every verb.
func (c *chainProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, c.String()) }

// chainError is returned when no provider of a chain had credentials.
type chainError struct{ errs []error }

func (e *chainError) Error() string {
	if len(e.errs) == 0 {
		return ErrNoCredentials.Error() + ": the chain has no providers"
	}
	parts := make([]string, len(e.errs))
	for i, err := range e.errs {
		parts[i] = err.Error()
	}
	return ErrNoCredentials.Error() + ": " + strings.Join(parts, "; ")
}

func (e *chainError) Unwrap() []error { return append([]error{ErrNoCredentials}, e.errs...) }
