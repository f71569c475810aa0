// Package acsauth implements the wire form of Alibaba Cloud's RPC request
// signatures, V3 (ACS3-HMAC-SHA256) and V1 (HMAC-SHA1), for both ends of a
// request: it signs an outgoing *http.Request for package signer, whose
// Signer.Sign is the only signing entry point users see, and it verifies a
// received one (Verify) for the fake service of package livetest and the
// tests' servers.
//
// It also holds what both ends share: the canonical forms (CanonicalQueryV1,
// CanonicalQueryV3, CanonicalHeadersV3, StringToSignV1, SignV3), the
// percent-encoding those forms use, and a query parser that keeps order and
// repeated names. These are exported for the tests that check them against
// Alibaba's published vectors, not as API: the package is internal so that
// none of it is a promise to users.
package acsauth
