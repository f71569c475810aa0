package signer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// defaultRefreshWindow is how long before expiry credentials are refreshed.
const defaultRefreshWindow = 5 * time.Minute

// cachingProvider is the provider NewCachingProvider returns.
type cachingProvider struct {
	upstream CredentialsProvider
	window   time.Duration
	now      func() time.Time

	mu     sync.Mutex
	creds  Credentials
	cached bool
	gen    uint64       // incremented by Invalidate
	flight *cacheFlight // refresh in progress, or nil
}

// cacheFlight is one upstream call shared by the callers waiting on done.
// Its fields are written before done is closed.
type cacheFlight struct {
	done  chan struct{}
	creds Credentials
	err   error
	retry bool // the caller that made the call gave up (its context ended)
}

// CacheOption configures NewCachingProvider.
type CacheOption func(*cachingProvider)

// WithRefreshWindow sets how long before their expiry credentials are
// refreshed. The default is 5 minutes; a negative d is treated as 0.
func WithRefreshWindow(d time.Duration) CacheOption {
	return func(c *cachingProvider) { c.window = max(d, 0) }
}

// withClock sets the function that tells the time, instead of time.Now, for
// tests. A nil function is ignored.
func withClock(now func() time.Time) CacheOption {
	return func(c *cachingProvider) {
		if now != nil {
			c.now = now
		}
	}
}

// NewCachingProvider returns a provider that caches the credentials of p,
// for sources that are slow or costly to ask and whose credentials carry an
// expiry (an STS AssumeRole call, a metadata service). Credentials with an
// expiry are refreshed once less than the refresh window (5 minutes unless
// set with WithRefreshWindow) remains; credentials without one are kept
// until the service rejects them, so do not cache a source that can change
// without notice (the environment, a profile file): those providers are
// cheap to ask on every attempt and see a change at once. Concurrent callers
// that need a refresh share a single call to p. If a refresh fails while the
// cached credentials have not yet expired, those are returned and the next
// call tries again; once they have expired, the error is returned. The
// provider is safe for concurrent use.
//
// The provider is an Invalidator: Invalidate drops the cached credentials
// if they are the rejected ones (same AccessKey ID, secret and token), so
// that the next Retrieve asks p, and passes the call on to p if p is an
// Invalidator. A refresh already in progress when the credentials are
// dropped is not cached when it completes, since it may return them again.
// Credentials that do not match, for example fresh ones another caller
// fetched after the same rejection, are kept: a burst of rejections causes
// one refresh. Its String (and every fmt verb) is "cache(" followed by the
// name of p and ")".
func NewCachingProvider(p CredentialsProvider, opts ...CacheOption) CredentialsProvider {
	c := &cachingProvider{upstream: p, window: defaultRefreshWindow, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// fresh reports whether the cached credentials can be used without a
// refresh. c.mu must be held.
func (c *cachingProvider) fresh(now time.Time) bool {
	return c.cached && (c.creds.Expires.IsZero() || now.Before(c.creds.Expires.Add(-c.window)))
}

// Retrieve returns the cached credentials, refreshing them first if needed.
func (c *cachingProvider) Retrieve(ctx context.Context) (Credentials, error) {
	if c == nil || c.upstream == nil {
		return Credentials{}, errors.New("credentials cache: no provider to cache")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	for {
		c.mu.Lock()
		if c.fresh(c.now()) {
			creds := c.creds
			c.mu.Unlock()
			return creds, nil
		}
		f := c.flight
		if f == nil {
			f = &cacheFlight{done: make(chan struct{})}
			c.flight = f
			gen := c.gen
			c.mu.Unlock()
			c.refresh(ctx, f, gen)
			return f.creds, f.err
		}
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return Credentials{}, fmt.Errorf("credentials cache: waiting for a refresh: %w", ctx.Err())
		}
		if f.retry && ctx.Err() == nil {
			continue // the refresh was abandoned by its caller, not failed: try again
		}
		return f.creds, f.err
	}
}

// refresh makes the upstream call for flight f, updates the cache unless
// Invalidate was called meanwhile, and releases the waiters.
func (c *cachingProvider) refresh(ctx context.Context, f *cacheFlight, gen uint64) {
	returned := false
	defer func() {
		if returned {
			return
		}
		// The upstream Retrieve panicked or called runtime.Goexit: do not
		// leave the waiters blocked; the panic itself propagates.
		c.mu.Lock()
		f.err = fmt.Errorf("credentials cache: %s did not return", providerName(c.upstream))
		if c.flight == f {
			c.flight = nil
		}
		c.mu.Unlock()
		close(f.done)
	}()
	creds, err := c.upstream.Retrieve(ctx)
	returned = true
	if err == nil {
		err = checkKeys(creds, c.upstream)
	}

	c.mu.Lock()
	switch {
	case err == nil:
		if c.gen == gen {
			c.creds, c.cached = creds, true
		}
		f.creds = creds
	case c.cached && !c.creds.expired(c.now()):
		f.creds = c.creds // stale but still valid
	default:
		f.err = fmt.Errorf("credentials cache: refresh failed: %w", err)
		f.retry = ctx.Err() != nil
	}
	if c.flight == f {
		c.flight = nil
	}
	c.mu.Unlock()
	close(f.done)
}

// Invalidate drops the cached credentials if they are rejected, as
// NewCachingProvider describes, and passes rejected on upstream.
func (c *cachingProvider) Invalidate(rejected Credentials) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.cached && sameKeys(c.creds, rejected) {
		c.creds, c.cached = Credentials{}, false
		c.gen++
		c.flight = nil
	}
	c.mu.Unlock()
	invalidate(c.upstream, rejected)
}

// String returns "cache(" followed by the upstream provider's name and ")".
func (c *cachingProvider) String() string {
	if c == nil || c.upstream == nil {
		return "cache()"
	}
	return "cache(" + providerName(c.upstream) + ")"
}

// Format prints String for every verb.
func (c *cachingProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, c.String()) }
