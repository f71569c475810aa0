package signer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrNoCredentials reports that a provider found no credentials configured:
// no environment variable set, no profile file, no such profile. It is the
// difference between "not configured here" (a chain moves on to the next
// provider) and "configured but broken" (a chain stops). Test for it with
// errors.Is; the errors returned by the providers of this package wrap it
// with the detail of what was looked for.
var ErrNoCredentials = errors.New("no credentials found")

// sourceError is the error type of the providers in this package. Its text
// names the source, the file and the profile, never a value read from the
// environment or a file other than a profile name.
type sourceError struct {
	source   string // "env", "cli profile", "ini profile", "static"
	path     string // file involved, if any
	profile  string // profile or section, if any
	msg      string // what is wrong; must hold no credential value
	notFound bool   // unwraps to ErrNoCredentials
	cause    error  // unwrapped but not printed (e.g. fs.ErrNotExist)
}

func (e *sourceError) Error() string {
	var b strings.Builder
	b.WriteString(e.source)
	b.WriteString(": ")
	if e.path != "" {
		b.WriteString(e.path)
		b.WriteString(": ")
	}
	if e.profile != "" {
		fmt.Fprintf(&b, "profile %q: ", e.profile)
	}
	b.WriteString(e.msg)
	return b.String()
}

func (e *sourceError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.notFound {
		errs = append(errs, ErrNoCredentials)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// formatAs implements fmt.Formatter for the provider types: every verb
// prints s, so no verb can reach a field holding credentials.
func formatAs(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	_, _ = io.WriteString(f, s)
}

// checkKeys returns an error naming what is missing when provider from
// returned success with incomplete credentials. The provider is named only
// then: its String may build a path on every call.
func checkKeys(c Credentials, from CredentialsProvider) error {
	switch {
	case c.AccessKeyID == "" && c.AccessKeySecret == "":
		return fmt.Errorf("%s returned credentials without an AccessKey ID and secret", providerName(from))
	case c.AccessKeyID == "":
		return fmt.Errorf("%s returned credentials without an AccessKey ID", providerName(from))
	case c.AccessKeySecret == "":
		return fmt.Errorf("%s returned credentials without an AccessKey secret", providerName(from))
	}
	return nil
}

// providerName is how chains and caches name a provider they hold: its
// String method if it has one, else its Go type.
func providerName(p CredentialsProvider) string {
	if s, ok := p.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", p)
}

// staticProvider always returns the same credentials.
type staticProvider struct{ creds Credentials }

// NewStaticProvider returns a provider of a fixed AccessKey pair and, if
// securityToken is not empty, an STS token. Retrieve fails when the ID or the
// secret is empty: with ErrNoCredentials if all three arguments are empty (so
// a chain moves on), with a plain error if only some are. The returned value
// is a pointer whose String and Format show only the AccessKey ID.
func NewStaticProvider(accessKeyID, accessKeySecret, securityToken string) CredentialsProvider {
	return &staticProvider{creds: Credentials{
		AccessKeyID:     accessKeyID,
		AccessKeySecret: accessKeySecret,
		SecurityToken:   securityToken,
	}}
}

// Retrieve returns the static credentials.
func (p *staticProvider) Retrieve(context.Context) (Credentials, error) {
	c := p.creds
	switch {
	case c.AccessKeyID == "" && c.AccessKeySecret == "" && c.SecurityToken == "":
		return Credentials{}, &sourceError{source: "static", msg: "no AccessKey ID and secret given", notFound: true}
	case c.AccessKeyID == "":
		return Credentials{}, &sourceError{source: "static", msg: "AccessKey ID is empty"}
	case c.AccessKeySecret == "":
		return Credentials{}, &sourceError{source: "static", msg: "AccessKey secret is empty"}
	}
	return c, nil
}

// String names the provider and shows the AccessKey ID only.
func (p *staticProvider) String() string { return "static(" + p.creds.AccessKeyID + ")" }

// Format prints String for every verb.
func (p *staticProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
