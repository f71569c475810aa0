package acsauth

import "strconv"

// Version is a signature algorithm as Verify reports it. Its values and names
// are those of signer.Version, which converts to and from it; package signer
// tests that the two agree.
type Version int

const (
	// V3 is ACS3-HMAC-SHA256, signed in headers.
	V3 Version = iota
	// V1 is the legacy RPC HMAC-SHA1 signature, carried in the query string.
	V1
)

// String returns the algorithm name as Alibaba writes it.
func (v Version) String() string {
	switch v {
	case V3:
		return AlgorithmV3
	case V1:
		return "HMAC-SHA1"
	default:
		return "signer.Version(" + strconv.Itoa(int(v)) + ")"
	}
}
