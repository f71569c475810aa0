package signer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Credentials is an Alibaba Cloud AccessKey pair, optionally with an STS
// security token. Its String, Format, LogValue and MarshalJSON methods never
// reveal the secret or the token, so a Credentials value may be logged,
// printed with any fmt verb or wrapped into an error safely.
type Credentials struct {
	// AccessKeyID identifies the key; it is not secret and is shown in output.
	AccessKeyID string
	// AccessKeySecret signs requests. It is never printed.
	AccessKeySecret string
	// SecurityToken is the STS token for temporary credentials, or empty for
	// a long-term AccessKey. It is never printed.
	SecurityToken string
	// Expires is when temporary credentials stop being valid; the zero time
	// means they do not expire.
	Expires time.Time
}

// HasKeys reports whether both the AccessKey ID and secret are set.
func (c Credentials) HasKeys() bool { return c.AccessKeyID != "" && c.AccessKeySecret != "" }

// expired reports whether the credentials have an expiry that is not after now.
func (c Credentials) expired(now time.Time) bool {
	return !c.Expires.IsZero() && !now.Before(c.Expires)
}

// redacted renders the credentials with the secret and token masked.
func (c Credentials) redacted() string {
	secret := ""
	if c.AccessKeySecret != "" {
		secret = "***"
	}
	s := "Credentials{AccessKeyID: " + c.AccessKeyID + ", AccessKeySecret: " + secret
	if c.SecurityToken != "" {
		s += ", SecurityToken: ***"
	}
	if !c.Expires.IsZero() {
		s += ", Expires: " + c.Expires.UTC().Format(time.RFC3339)
	}
	return s + "}"
}

// String returns the AccessKey ID with the secret and token masked as "***".
func (c Credentials) String() string { return c.redacted() }

// goString is what %#v prints: the masked form, package-qualified.
func (c Credentials) goString() string { return "signer." + c.redacted() }

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v, %s, %q,
// %x, ...) prints the masked form and never the secret or the token.
func (c Credentials) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", c.redacted())
	case 'v':
		if f.Flag('#') {
			_, _ = f.Write([]byte(c.goString()))
			return
		}
		_, _ = f.Write([]byte(c.redacted()))
	default:
		_, _ = f.Write([]byte(c.redacted()))
	}
}

// LogValue implements slog.LogValuer: a logged Credentials shows only the
// key id and whether a token is present.
func (c Credentials) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("access_key_id", c.AccessKeyID), slog.Bool("sts", c.SecurityToken != "")}
	if !c.Expires.IsZero() {
		attrs = append(attrs, slog.Time("expires", c.Expires))
	}
	return slog.GroupValue(attrs...)
}

// CredentialsProvider supplies credentials for each request attempt. The
// client calls Retrieve before signing every attempt, so a provider that
// rotates STS tokens is honoured on retries. Implementations must be safe for
// concurrent use.
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// CredentialsProviderFunc adapts a function to the CredentialsProvider interface.
type CredentialsProviderFunc func(ctx context.Context) (Credentials, error)

// Retrieve calls f(ctx).
func (f CredentialsProviderFunc) Retrieve(ctx context.Context) (Credentials, error) { return f(ctx) }

// MarshalJSON encodes the masked form, so that credentials logged or
// serialized as JSON never carry the secret or the token.
func (c Credentials) MarshalJSON() ([]byte, error) {
	type masked struct {
		AccessKeyID     string
		AccessKeySecret string     `json:",omitempty"`
		SecurityToken   string     `json:",omitempty"`
		Expires         *time.Time `json:",omitempty"`
	}
	m := masked{AccessKeyID: c.AccessKeyID}
	if c.AccessKeySecret != "" {
		m.AccessKeySecret = "***"
	}
	if c.SecurityToken != "" {
		m.SecurityToken = "***"
	}
	if !c.Expires.IsZero() {
		m.Expires = &c.Expires
	}
	return json.Marshal(m)
}

// Invalidator is implemented by providers that keep credentials between
// calls to Retrieve: NewCachingProvider's keeps them in memory, the profile
// file providers keep what they parsed until the file changes, and
// NewChainProvider's passes the call on to its providers. When the service
// rejects credentials (an unknown or disabled AccessKey, an invalid STS
// token, a signature that does not match), a livempu.Client calls Invalidate
// with the credentials it sent, so that the next Retrieve fetches fresh ones
// instead of returning the rejected ones again.
//
// An implementation drops what it keeps only if it holds the rejected
// credentials (same AccessKey ID, secret and token): when many requests are
// rejected at once, the first Invalidate causes one refresh and the others,
// finding fresh credentials already kept, change nothing. It must be safe for
// concurrent use. A provider that keeps nothing need not implement it.
type Invalidator interface {
	Invalidate(rejected Credentials)
}

// sameKeys reports whether a and b hold the same AccessKey ID, secret and
// token, whatever their expiry.
func sameKeys(a, b Credentials) bool {
	return a.AccessKeyID == b.AccessKeyID && a.AccessKeySecret == b.AccessKeySecret && a.SecurityToken == b.SecurityToken
}

// invalidate passes rejected on to p if p keeps credentials.
func invalidate(p CredentialsProvider, rejected Credentials) {
	if inv, ok := p.(Invalidator); ok {
		inv.Invalidate(rejected)
	}
}
