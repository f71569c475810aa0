package acsauth

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

const (
	// AlgorithmV3 is the algorithm name of signature V3, the first word of
	// its Authorization header and of its string to sign.
	AlgorithmV3 = "ACS3-HMAC-SHA256"
	// EmptyPayloadHash is HashPayload of an empty body: the lower-case hex
	// SHA-256 of "".
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// V3 header names, as http.Header stores them (canonical MIME form).
const (
	hdrAction        = "X-Acs-Action"
	hdrVersion       = "X-Acs-Version"
	hdrDate          = "X-Acs-Date"
	hdrNonce         = "X-Acs-Signature-Nonce"
	hdrContentSHA256 = "X-Acs-Content-Sha256"
	hdrSecurityToken = "X-Acs-Security-Token"
	hdrAuthorization = "Authorization"
	hdrContentType   = "Content-Type"
)

// authPrefixV3 starts every V3 Authorization header value.
const authPrefixV3 = AlgorithmV3 + " Credential="

// HashPayload returns the lower-case hex SHA-256 of body, the V3
// HashedRequestPayload and x-acs-content-sha256 value. An empty (or nil)
// body gives EmptyPayloadHash without hashing.
func HashPayload(body []byte) string {
	if len(body) == 0 {
		return EmptyPayloadHash
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// appendPayloadHash appends HashPayload(body) to dst.
func appendPayloadHash(dst, body []byte) []byte {
	if len(body) == 0 {
		return append(dst, EmptyPayloadHash...)
	}
	sum := sha256.Sum256(body)
	return hex.AppendEncode(dst, sum[:])
}

// V3Request holds the parts of a request that signature V3 covers.
type V3Request struct {
	// Method is the HTTP method, e.g. "POST"; it is used as given.
	Method string
	// Path is the canonical URI; "" means "/".
	Path string
	// Query holds the query parameters, unescaped, in any order.
	Query []Param
	// Headers holds the request headers as sent, names in any case, one
	// entry per value. Only host, content-type and x-acs-* are signed.
	Headers []Param
	// PayloadHash is HashPayload of the body (the x-acs-content-sha256
	// value).
	PayloadHash string
}

// V3Signature is the result of SignV3 with its intermediate values.
type V3Signature struct {
	// CanonicalRequest is the text whose SHA-256 is signed.
	CanonicalRequest string
	// SignedHeaders is the sorted, ';'-joined list of signed header names.
	SignedHeaders string
	// StringToSign is AlgorithmV3 + "\n" + hex(sha256(CanonicalRequest)).
	StringToSign string
	// Signature is the lower-case hex HMAC-SHA256 of StringToSign.
	Signature string
	// Authorization is the complete Authorization header value.
	Authorization string
}

// SignV3 signs r with signature V3 (ACS3-HMAC-SHA256) using the given
// AccessKey pair. It does not modify r's slices.
func SignV3(r V3Request, accessKeyID, secret string) V3Signature {
	query := toQParams(r.Query)
	slices.SortFunc(query, cmpQParam)
	hdrs := make([]hdrEntry, 0, len(r.Headers))
	for _, h := range r.Headers {
		if isSignedHeaderName(h.Key) {
			hdrs = append(hdrs, hdrEntry{name: h.Key, value: strings.TrimSpace(h.Value)})
		}
	}
	sortHeaders(hdrs)
	path := r.Path
	if path == "" {
		path = "/"
	}
	cr, shStart, shEnd := appendCanonicalRequestV3(nil, r.Method, path, query, hdrs, r.PayloadHash)
	sts := stringToSignV3(cr)
	sig := hmacSHA256(secret, sts[:])
	var sigHex [2 * sha256.Size]byte
	hex.Encode(sigHex[:], sig[:])
	auth := appendAuthorizationV3(nil, accessKeyID, cr[shStart:shEnd], sigHex[:])
	return V3Signature{
		CanonicalRequest: string(cr),
		SignedHeaders:    string(cr[shStart:shEnd]),
		StringToSign:     string(sts[hmacBlockSize:]),
		Signature:        string(sigHex[:]),
		Authorization:    string(auth),
	}
}

// CanonicalQueryV3 returns the V3 CanonicalQueryString of params: sorted
// by name in byte order (repeated names are kept, ordered by value), each
// written as name=PercentEncode(value) with the name NOT encoded, joined
// with '&'. The caller's slice is not modified.
func CanonicalQueryV3(params []Param) string {
	sorted := toQParams(params)
	slices.SortFunc(sorted, cmpQParam)
	return string(appendCanonicalQueryV3(nil, sorted))
}

// CanonicalHeadersV3 returns the V3 CanonicalHeaders and SignedHeaders of
// headers (names in any case, one entry per value): only host, content-type
// and x-acs-* headers are kept; names are lower-cased, values trimmed, and
// the values of a repeated name are sorted and joined with ','.
func CanonicalHeadersV3(headers []Param) (canonical, signed string) {
	hdrs := make([]hdrEntry, 0, len(headers))
	for _, h := range headers {
		if isSignedHeaderName(h.Key) {
			hdrs = append(hdrs, hdrEntry{name: h.Key, value: strings.TrimSpace(h.Value)})
		}
	}
	sortHeaders(hdrs)
	return string(appendCanonicalHeaders(nil, hdrs)), string(appendSignedHeaders(nil, hdrs))
}

func appendCanonicalQueryV3(dst []byte, sorted []qparam) []byte {
	for i, p := range sorted {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.key...)
		dst = append(dst, '=')
		dst = appendQValue(dst, p)
	}
	return dst
}

// hdrEntry is one header value to sign: name in any case, value trimmed.
type hdrEntry struct{ name, value string }

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// cmpFold compares a and b as if both were lower-cased (ASCII).
func cmpFold(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && cmpFold(s[:len(prefix)], prefix) == 0
}

// isSignedHeaderName reports whether V3 signs a header of this name: host,
// content-type, or any x-acs-* (case-insensitive).
func isSignedHeaderName(name string) bool {
	return hasPrefixFold(name, "x-acs-") || cmpFold(name, "host") == 0 || cmpFold(name, "content-type") == 0
}

func cmpHdrEntry(a, b hdrEntry) int {
	if c := cmpFold(a.name, b.name); c != 0 {
		return c
	}
	return strings.Compare(a.value, b.value)
}

// sortHeaders orders entries by lower-cased name, then by value, which is
// the order in which the values of a repeated name are joined.
func sortHeaders(h []hdrEntry) { slices.SortFunc(h, cmpHdrEntry) }

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, lowerASCII(s[i]))
	}
	return dst
}

// appendCanonicalHeaders writes "name:v1,v2\n" per distinct lower-cased
// name of the sorted entries.
func appendCanonicalHeaders(dst []byte, sorted []hdrEntry) []byte {
	for i := 0; i < len(sorted); {
		dst = appendLower(dst, sorted[i].name)
		dst = append(dst, ':')
		dst = append(dst, sorted[i].value...)
		j := i + 1
		for ; j < len(sorted) && cmpFold(sorted[j].name, sorted[i].name) == 0; j++ {
			dst = append(dst, ',')
			dst = append(dst, sorted[j].value...)
		}
		dst = append(dst, '\n')
		i = j
	}
	return dst
}

// appendSignedHeaders writes the distinct lower-cased names of the sorted
// entries joined with ';'.
func appendSignedHeaders(dst []byte, sorted []hdrEntry) []byte {
	for i := range sorted {
		if i > 0 {
			if cmpFold(sorted[i].name, sorted[i-1].name) == 0 {
				continue
			}
			dst = append(dst, ';')
		}
		dst = appendLower(dst, sorted[i].name)
	}
	return dst
}

// appendCanonicalRequestV3 writes the canonical request and returns where
// its SignedHeaders line lies in the result.
func appendCanonicalRequestV3(dst []byte, method, path string, sortedQuery []qparam, sortedHdrs []hdrEntry, payloadHash string) (out []byte, shStart, shEnd int) {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = append(dst, path...)
	dst = append(dst, '\n')
	dst = appendCanonicalQueryV3(dst, sortedQuery)
	dst = append(dst, '\n')
	dst = appendCanonicalHeaders(dst, sortedHdrs)
	dst = append(dst, '\n')
	shStart = len(dst)
	dst = appendSignedHeaders(dst, sortedHdrs)
	shEnd = len(dst)
	dst = append(dst, '\n')
	dst = append(dst, payloadHash...)
	return dst, shStart, shEnd
}

// stsV3Len is the length of a V3 string to sign.
const stsV3Len = len(AlgorithmV3) + 1 + 2*sha256.Size

// stringToSignV3 returns a buffer whose first hmacBlockSize bytes are
// scratch space for hmacSHA256, followed by the V3 string to sign of the
// canonical request.
func stringToSignV3(canonicalRequest []byte) (b [hmacBlockSize + stsV3Len]byte) {
	n := hmacBlockSize + copy(b[hmacBlockSize:], AlgorithmV3)
	b[n] = '\n'
	sum := sha256.Sum256(canonicalRequest)
	hex.Encode(b[n+1:], sum[:])
	return b
}

// hmacSHA256 computes HMAC-SHA256 keyed with key over buf[hmacBlockSize:],
// using buf[:hmacBlockSize] as scratch space (see hmacSHA1).
func hmacSHA256(key string, buf []byte) [sha256.Size]byte {
	blk := hmacKeyBlock(key, "", sha256.New)
	for i := range hmacBlockSize {
		buf[i] = blk[i] ^ 0x36
	}
	inner := sha256.Sum256(buf)
	var outer [hmacBlockSize + sha256.Size]byte
	for i := range hmacBlockSize {
		outer[i] = blk[i] ^ 0x5c
	}
	copy(outer[hmacBlockSize:], inner[:])
	return sha256.Sum256(outer[:])
}

// appendAuthorizationV3 writes the Authorization header value.
func appendAuthorizationV3(dst []byte, accessKeyID string, signedHeaders, sigHex []byte) []byte {
	dst = append(dst, authPrefixV3...)
	dst = append(dst, accessKeyID...)
	dst = append(dst, ",SignedHeaders="...)
	dst = append(dst, signedHeaders...)
	dst = append(dst, ",Signature="...)
	return append(dst, sigHex...)
}

// msgBadAuthorization describes every ParseAuthorizationV3 failure; the
// error does not quote the header, which carries a signature.
const msgBadAuthorization = "malformed " + AlgorithmV3 + " Authorization header"

// ParseAuthorizationV3 splits a V3 Authorization header value,
// "ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<h1;h2>,Signature=<hex>",
// into its parts. The three fields may come in any order, each exactly once,
// and may be separated by ", " as well as ","; none may be empty. It checks
// form only, not the signature. Its error wraps ErrIncompleteSignature and
// never quotes h.
func ParseAuthorizationV3(h string) (accessKeyID, signedHeaders, signature string, err error) {
	rest, ok := strings.CutPrefix(h, AlgorithmV3+" ")
	if !ok {
		return "", "", "", errIncomplete(msgBadAuthorization)
	}
	var seen [3]bool
	for rest != "" {
		var field string
		field, rest, _ = strings.Cut(rest, ",")
		field = strings.TrimSpace(field)
		name, value, ok := strings.Cut(field, "=")
		if !ok || value == "" {
			return "", "", "", errIncomplete(msgBadAuthorization)
		}
		var i int
		switch name {
		case "Credential":
			i, accessKeyID = 0, value
		case "SignedHeaders":
			i, signedHeaders = 1, value
		case "Signature":
			i, signature = 2, value
		default:
			return "", "", "", errIncomplete(msgBadAuthorization)
		}
		if seen[i] {
			return "", "", "", errIncomplete(msgBadAuthorization)
		}
		seen[i] = true
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return "", "", "", errIncomplete(msgBadAuthorization)
	}
	return accessKeyID, signedHeaders, signature, nil
}
