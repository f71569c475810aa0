// Package credentialsgo adapts a credential of github.com/aliyun/credentials-go,
// Alibaba's own credentials library, to a signer.CredentialsProvider. Use it
// for the credential sources the signer package does not implement (OIDC
// role, ECS RAM role, RAM role ARN, credentials URI), or to resolve
// credentials exactly as Alibaba's SDKs do:
//
//	cred, err := credentials.NewCredential(nil) // Alibaba's default chain
//	if err != nil { ... }
//	provider := credentialsgo.New(cred)
//
// It lives in its own module so that the main module does not depend on
// credentials-go and its dependencies.
package credentialsgo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/livempu/livempu-go/signer"
)

// Provider is a signer.CredentialsProvider backed by a credentials-go
// Credential. It asks the Credential on every Retrieve; credentials-go caches
// and refreshes temporary credentials itself, and its CredentialModel carries
// no expiry, so do not wrap a Provider in signer.NewCachingProvider (the
// credentials would be cached forever). It is safe for concurrent use if the
// Credential is.
type Provider struct {
	cred credentials.Credential
}

// New returns a provider that gets its credentials from cred.
func New(cred credentials.Credential) *Provider { return &Provider{cred: cred} }

type result struct {
	model *credentials.CredentialModel
	err   error
}

// Retrieve calls the Credential's GetCredential. credentials-go takes no
// context, so the call runs in its own goroutine and Retrieve returns the
// context's error as soon as ctx ends (the call itself is abandoned, not
// stopped; credentials-go applies its own network timeouts). Bearer-token
// credentials are rejected, since they cannot sign an RPC request.
func (p *Provider) Retrieve(ctx context.Context) (signer.Credentials, error) {
	if p == nil || p.cred == nil {
		return signer.Credentials{}, errors.New("credentials-go: no Credential to adapt")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return signer.Credentials{}, fmt.Errorf("credentials-go: %w", err)
	}
	ch := make(chan result, 1)
	go func() {
		m, err := p.cred.GetCredential()
		ch <- result{m, err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		return signer.Credentials{}, fmt.Errorf("credentials-go: %w", ctx.Err())
	}
	if r.err != nil {
		return signer.Credentials{}, &upstreamError{err: r.err}
	}
	if r.model == nil {
		return signer.Credentials{}, errors.New("credentials-go: GetCredential returned no credentials")
	}
	c := signer.Credentials{
		AccessKeyID:     deref(r.model.AccessKeyId),
		AccessKeySecret: deref(r.model.AccessKeySecret),
		SecurityToken:   deref(r.model.SecurityToken),
	}
	if !c.HasKeys() {
		if deref(r.model.BearerToken) != "" {
			return signer.Credentials{}, errors.New("credentials-go: bearer-token credentials cannot sign RPC requests; an AccessKey is needed")
		}
		return signer.Credentials{}, errors.New("credentials-go: credentials lack an AccessKey ID or secret")
	}
	return c, nil
}

// String returns "credentials-go".
func (p *Provider) String() string { return "credentials-go" }

// Format prints String for every verb, so no verb reaches the Credential.
func (p *Provider) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", p.String())
		return
	}
	_, _ = io.WriteString(f, p.String())
}

// upstreamError is an error of credentials-go whose text is shown redacted.
type upstreamError struct{ err error }

func (e *upstreamError) Error() string {
	return "credentials-go: getting credentials: " + redactSecrets(e.err.Error())
}

func (e *upstreamError) Unwrap() error { return e.err }

// minSecretLen is the length from which a word of base64 characters that
// mixes letters and digits, or upper and lower case, is taken for a secret:
// AccessKey IDs have 24 characters, secrets 30, STS tokens hundreds.
const minSecretLen = 16

// redactSecrets replaces in msg each word that could be a secret (see
// minSecretLen; a word is a run of A-Z, a-z, 0-9, +, / and =) with
// "[redacted]". A long mixed-case path is redacted too: a message that
// says less is the price of one that never holds a secret.
func redactSecrets(msg string) string {
	var b strings.Builder
	start := -1 // start of the current word, or -1
	for i := 0; i <= len(msg); i++ {
		if i < len(msg) && isBase64Char(msg[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if word := msg[start:i]; secretShaped(word) {
				b.WriteString("[redacted]")
			} else {
				b.WriteString(word)
			}
			start = -1
		}
		if i < len(msg) {
			b.WriteByte(msg[i])
		}
	}
	return b.String()
}

func isBase64Char(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

// secretShaped reports whether word is long enough and mixes letters and
// digits, or upper and lower case, as a random key does.
func secretShaped(word string) bool {
	if len(word) < minSecretLen {
		return false
	}
	var lower, upper, digit bool
	for i := 0; i < len(word); i++ {
		switch c := word[i]; {
		case 'a' <= c && c <= 'z':
			lower = true
		case 'A' <= c && c <= 'Z':
			upper = true
		case '0' <= c && c <= '9':
			digit = true
		}
	}
	return (lower || upper) && digit || lower && upper
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
