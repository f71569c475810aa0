package signer

import (
	"errors"
	"net/http"
	"time"

	"github.com/livempu/livempu-go/internal/acsauth"
)

// ErrMissingCredentials is returned by Signer.Sign when the credentials lack
// an AccessKey ID or secret.
var ErrMissingCredentials = errors.New("signer: credentials lack an AccessKey ID or secret")

var (
	errSignNilSigner  = errors.New("signer: nil *Signer")
	errSignNilRequest = errors.New("signer: nil request or request URL")
	errSignNoAction   = errors.New("signer: empty action")
	errSignNoVersion  = errors.New("signer: empty API version (Signer.APIVersion)")
	errSignBadVersion = errors.New("signer: invalid signature version (want V3 or V1)")
)

// Signer applies a signature to outgoing requests. Zero value: V3, time.Now,
// a random nonce.
//
// A Signer is safe for concurrent use as long as its fields are not changed
// and its Now and Nonce functions are themselves safe for concurrent use.
type Signer struct {
	// Version selects the algorithm; the zero value is V3.
	Version Version
	// APIVersion is the product's API version, e.g. "2016-11-01". Required.
	APIVersion string
	// Now returns the signing time; nil means time.Now. It is converted to
	// UTC and truncated to the second by formatting.
	Now func() time.Time
	// Nonce returns a fresh, unique nonce for every call; nil means 32
	// lower-case hex characters of 16 bytes from crypto/rand.
	Nonce func() string
}

// Sign signs req for the operation action with credentials creds, using
// s.Version. Operation parameters must already be in req.URL's query; body
// is the exact request body (nil for none); req.Method is the signed method
// ("" means GET).
//
// Sign may be called again on the same request for every retry attempt: it
// replaces any earlier signature, date, nonce and token. It modifies
// req.Header and req.URL.RawQuery in place, so a caller whose requests share
// a Header map or URL must clone them first (e.g. with req.Clone).
//
// V3 sets x-acs-action, x-acs-version, x-acs-date, x-acs-signature-nonce,
// x-acs-content-sha256, x-acs-security-token (only with an STS token;
// otherwise it is removed) and Authorization. It signs host (req.Host, else
// req.URL.Host), content-type if present, and every x-acs-* header present.
// The query is not changed.
//
// V1 removes Signature and the common parameters from the query and adds
// Action, Version, Format=JSON, AccessKeyId, SignatureMethod,
// SignatureVersion, SignatureNonce, Timestamp and (only with a token)
// SecurityToken; a form body (Content-Type
// application/x-www-form-urlencoded) is signed too. It rewrites
// req.URL.RawQuery, sorted and including Signature, and removes any
// Authorization header.
//
// Errors never contain the secret, the token or a signature. Missing keys
// give ErrMissingCredentials; a credential holding a character outside
// printable ASCII (a trailing newline from a file) gives an error matching
// ErrMalformedCredentials that names the field.
func (s *Signer) Sign(req *http.Request, action string, body []byte, creds Credentials) error {
	switch {
	case s == nil:
		return errSignNilSigner
	case !s.Version.Valid():
		return errSignBadVersion
	case action == "":
		return errSignNoAction
	case s.APIVersion == "":
		return errSignNoVersion
	case !creds.HasKeys():
		return ErrMissingCredentials
	case req == nil || req.URL == nil:
		return errSignNilRequest
	}
	if err := checkCredentialChars(creds); err != nil {
		return err
	}
	var now time.Time
	if s.Now != nil {
		now = s.Now()
	} else {
		now = time.Now()
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	in := acsauth.SignInput{
		Action:          action,
		APIVersion:      s.APIVersion,
		AccessKeyID:     creds.AccessKeyID,
		AccessKeySecret: creds.AccessKeySecret,
		SecurityToken:   creds.SecurityToken,
		Now:             now.UTC(),
		Nonce:           s.Nonce,
	}
	if s.Version == V1 {
		return acsauth.SignRequestV1(req, method, body, &in)
	}
	return acsauth.SignRequestV3(req, method, body, &in)
}
