// Package signer signs Alibaba Cloud RPC-style API requests with signature
// V3 (ACS3-HMAC-SHA256, the default) or V1 (HMAC-SHA1), and supplies the
// credentials to sign with: static keys, environment variables, the shared
// profile files of Alibaba's CLI and SDKs, and a default chain of those.
//
// The signing functions are pure: given the same request, credentials, time
// and nonce they produce the same signature, which is how they are tested
// against Alibaba's published examples and vectors produced by its SDKs.
package signer

import "strconv"

// Version selects a request signature algorithm.
type Version int

const (
	// V3 is ACS3-HMAC-SHA256, signed in headers. It is the zero value and
	// the default.
	V3 Version = iota
	// V1 is the legacy RPC HMAC-SHA1 signature, carried in the query string
	// with the common parameters (Alibaba's newer docs call it "V2").
	V1
)

// String returns the algorithm name as Alibaba writes it.
func (v Version) String() string {
	switch v {
	case V3:
		return "ACS3-HMAC-SHA256"
	case V1:
		return "HMAC-SHA1"
	default:
		return "signer.Version(" + strconv.Itoa(int(v)) + ")"
	}
}

// Valid reports whether v is V3 or V1.
func (v Version) Valid() bool { return v == V3 || v == V1 }
