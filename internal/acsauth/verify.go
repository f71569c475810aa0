package acsauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Errors returned by Verify. Returned errors wrap one of them (test with
// errors.Is) and never contain a secret, a token or a signature.
var (
	// ErrIncompleteSignature means the request does not carry a well-formed
	// signature: the Authorization header or a required signed header or
	// common parameter is missing or ill-formed.
	ErrIncompleteSignature = errors.New("signer: incomplete or ill-formed signature")
	// ErrUnknownAccessKey means the secret lookup did not know the
	// request's AccessKey ID.
	ErrUnknownAccessKey = errors.New("signer: unknown AccessKey ID")
	// ErrSignatureMismatch means the signature (or, for V3, the
	// x-acs-content-sha256 body hash) does not match the request.
	ErrSignatureMismatch = errors.New("signer: signature does not match the request")
)

func errIncomplete(detail string) error {
	return fmt.Errorf("%w: %s", ErrIncompleteSignature, detail)
}

// Verified describes a request whose signature Verify accepted.
type Verified struct {
	// Version is the signature algorithm the request used.
	Version Version
	// AccessKeyID is the AccessKey ID that signed the request.
	AccessKeyID string
	// SecurityToken is the STS token sent with the request, if any.
	SecurityToken string
	// Action is the operation name (x-acs-action or Action).
	Action string
	// APIVersion is the API version (x-acs-version or Version).
	APIVersion string
	// Nonce is the signature nonce; the caller judges reuse.
	Nonce string
	// Time is the signing time (x-acs-date or Timestamp); the caller judges
	// skew.
	Time time.Time
	// Params are the operation parameters from the query and a form body,
	// sorted by name then value, without V1's common parameters (Action,
	// Version, Format, AccessKeyId, SecurityToken, Signature*, Timestamp,
	// RegionId).
	Params []Param
}

// String describes the request with the STS token masked, like
// signer.Credentials: a Verified may be logged or printed with %v safely.
func (v Verified) String() string {
	token := ""
	if v.SecurityToken != "" {
		token = ", SecurityToken: ***"
	}
	return fmt.Sprintf("Verified{%s %s %s by %s%s, nonce %s, at %s, %d params}", v.Version, v.Action, v.APIVersion,
		v.AccessKeyID, token, v.Nonce, v.Time.UTC().Format(TimeFormat), len(v.Params))
}

// Format prints String for every verb, so no verb reveals the token.
func (v Verified) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(v.String())) }

// LogValue implements slog.LogValuer without the token.
func (v Verified) LogValue() slog.Value {
	return slog.GroupValue(slog.String("version", v.Version.String()), slog.String("action", v.Action),
		slog.String("access_key_id", v.AccessKeyID), slog.Bool("sts", v.SecurityToken != ""), slog.String("nonce", v.Nonce))
}

// Verify checks the signature of a received request (V3 if it has an ACS3 Authorization header, V1 if its query has Signature).
//
// body is the exact request body (nil for none). secretFor returns the
// AccessKey secret of an AccessKey ID, or ok=false for an unknown ID. The
// signed host is req.Host, else req.URL.Host.
//
// V3 requires host, x-acs-action, x-acs-version, x-acs-date,
// x-acs-signature-nonce and x-acs-content-sha256 to be signed, every
// content-type and x-acs-* header present to be signed, and
// x-acs-content-sha256 to match body. V1 requires AccessKeyId, Action,
// Version, SignatureMethod=HMAC-SHA1, SignatureVersion=1.0, SignatureNonce
// and Timestamp, each once. A form body (Content-Type
// application/x-www-form-urlencoded) is part of V1's signed set and, for
// both versions, of Verified.Params.
//
// Errors wrap ErrIncompleteSignature, ErrUnknownAccessKey or
// ErrSignatureMismatch. Verify does not judge time skew or nonce reuse;
// the caller does, from Verified.Time and Verified.Nonce.
func Verify(req *http.Request, body []byte, secretFor func(accessKeyID string) (secret string, ok bool)) (Verified, error) {
	if req == nil || req.URL == nil {
		return Verified{}, errIncomplete("nil request or request URL")
	}
	if auth := req.Header.Get(hdrAuthorization); strings.HasPrefix(auth, AlgorithmV3) {
		return verifyV3(req, body, auth, secretFor)
	}
	query, err := ParseQuery(nil, req.URL.RawQuery)
	if err != nil {
		return Verified{}, errIncomplete("malformed query string")
	}
	if slices.ContainsFunc(query, func(p Param) bool { return p.Key == paramSignature }) {
		return verifyV1(req, body, query, secretFor)
	}
	return Verified{}, errIncomplete("no " + AlgorithmV3 + " Authorization header and no Signature query parameter")
}

// verifyFormParams appends the params of a form body to dst.
func verifyFormParams(dst []Param, req *http.Request, body []byte) ([]Param, error) {
	if len(body) == 0 || !isFormContentType(req.Header) {
		return dst, nil
	}
	dst, err := ParseQuery(dst, string(body))
	if err != nil {
		return dst, errIncomplete("malformed form body")
	}
	return dst, nil
}

// requiredV3 are the headers a V3 request must sign, sorted.
var requiredV3 = []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"}

func verifyV3(req *http.Request, body []byte, auth string, secretFor func(string) (string, bool)) (Verified, error) {
	id, signedList, sig, err := ParseAuthorizationV3(auth)
	if err != nil {
		return Verified{}, err
	}
	names := strings.Split(signedList, ";")
	for i, n := range names {
		if n == "" || strings.ToLower(n) != n || (i > 0 && names[i-1] >= n) {
			return Verified{}, errIncomplete("SignedHeaders must be distinct lower-case names in sorted order")
		}
	}
	for _, r := range requiredV3 {
		if _, ok := slices.BinarySearch(names, r); !ok {
			return Verified{}, errIncomplete("header " + r + " is not signed")
		}
	}
	// Every header that a signer must sign has to be in the list.
	for k := range req.Header {
		if isSignedHeaderName(k) && cmpFold(k, "host") != 0 {
			if _, ok := slices.BinarySearch(names, strings.ToLower(k)); !ok {
				return Verified{}, errIncomplete("header " + strings.ToLower(k) + " is present but not signed")
			}
		}
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	var hdrs []hdrEntry
	for _, n := range names {
		if n == "host" {
			if host == "" {
				return Verified{}, errIncomplete("signed header host is missing")
			}
			hdrs = append(hdrs, hdrEntry{name: n, value: strings.TrimSpace(host)})
			continue
		}
		found := false
		for k, vs := range req.Header {
			if cmpFold(k, n) != 0 {
				continue
			}
			for _, v := range vs {
				hdrs = append(hdrs, hdrEntry{name: n, value: strings.TrimSpace(v)})
				found = true
			}
		}
		if !found {
			return Verified{}, errIncomplete("signed header " + n + " is missing")
		}
	}
	sortHeaders(hdrs)
	single := func(name string) (string, error) {
		var val string
		n := 0
		for _, h := range hdrs {
			if h.name == name {
				val = h.value
				n++
			}
		}
		if n != 1 || val == "" {
			return "", errIncomplete("header " + name + " must have exactly one non-empty value")
		}
		return val, nil
	}
	v := Verified{Version: V3, AccessKeyID: id}
	var date, payloadHash string
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"x-acs-action", &v.Action},
		{"x-acs-version", &v.APIVersion},
		{"x-acs-date", &date},
		{"x-acs-signature-nonce", &v.Nonce},
		{"x-acs-content-sha256", &payloadHash},
	} {
		if *f.dst, err = single(f.name); err != nil {
			return Verified{}, err
		}
	}
	if _, ok := slices.BinarySearch(names, "x-acs-security-token"); ok {
		if v.SecurityToken, err = single("x-acs-security-token"); err != nil {
			return Verified{}, err
		}
	}
	if v.Time, err = time.Parse(TimeFormat, date); err != nil {
		return Verified{}, errIncomplete("x-acs-date is not in the format " + TimeFormat)
	}
	query, err := ParseQuery(nil, req.URL.RawQuery)
	if err != nil {
		return Verified{}, errIncomplete("malformed query string")
	}
	sortedQuery := toQParams(query)
	slices.SortFunc(sortedQuery, cmpQParam)

	secret, ok := secretFor(id)
	if !ok {
		return Verified{}, ErrUnknownAccessKey
	}
	if payloadHash != HashPayload(body) {
		return Verified{}, fmt.Errorf("%w: x-acs-content-sha256 does not match the body", ErrSignatureMismatch)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	cr, _, _ := appendCanonicalRequestV3(nil, method, path, sortedQuery, hdrs, payloadHash)
	sts := stringToSignV3(cr)
	mac := hmacSHA256(secret, sts[:])
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], mac[:])
	if !hmac.Equal(want[:], []byte(sig)) {
		return Verified{}, ErrSignatureMismatch
	}

	params, err := verifyFormParams(query, req, body)
	if err != nil {
		return Verified{}, err
	}
	slices.SortFunc(params, cmpParam)
	v.Params = params
	return v, nil
}

// isV1CommonParam reports whether a V1 parameter is a common (signature or
// routing) parameter rather than an operation parameter.
func isV1CommonParam(name string) bool {
	return isV1SignerParam(name) || name == "SignatureType" || name == "RegionId"
}

func verifyV1(req *http.Request, body []byte, all []Param, secretFor func(string) (string, bool)) (Verified, error) {
	all, err := verifyFormParams(all, req, body)
	if err != nil {
		return Verified{}, err
	}
	var sig, method, sigVersion, timestamp string
	v := Verified{Version: V1}
	fields := []struct {
		name     string
		dst      *string
		optional bool
	}{
		{paramSignature, &sig, false},
		{paramAccessKeyID, &v.AccessKeyID, false},
		{paramAction, &v.Action, false},
		{paramVersion, &v.APIVersion, false},
		{paramSignatureMethod, &method, false},
		{paramSignatureVersion, &sigVersion, false},
		{paramSignatureNonce, &v.Nonce, false},
		{paramTimestamp, &timestamp, false},
		{paramSecurityToken, &v.SecurityToken, true},
	}
	for _, f := range fields {
		n := 0
		for _, p := range all {
			if p.Key == f.name {
				*f.dst = p.Value
				n++
			}
		}
		switch {
		case n > 1:
			return Verified{}, errIncomplete("parameter " + f.name + " is repeated")
		case !f.optional && *f.dst == "":
			return Verified{}, errIncomplete("parameter " + f.name + " is missing or empty")
		}
	}
	if method != signatureMethod || sigVersion != signatureVersion {
		return Verified{}, errIncomplete("unsupported SignatureMethod or SignatureVersion (want HMAC-SHA1 1.0)")
	}
	if v.Time, err = time.Parse(TimeFormat, timestamp); err != nil {
		return Verified{}, errIncomplete("Timestamp is not in the format " + TimeFormat)
	}

	secret, ok := secretFor(v.AccessKeyID)
	if !ok {
		return Verified{}, ErrUnknownAccessKey
	}
	slices.SortFunc(all, cmpParam)
	httpMethod := req.Method
	if httpMethod == "" {
		httpMethod = http.MethodGet
	}
	canon := appendCanonicalV1(nil, toQParams(all)) // all is sorted
	buf := make([]byte, hmacBlockSize, hmacBlockSize+len(httpMethod)+5+len(canon)*5/4)
	buf = appendStringToSignV1(buf, httpMethod, canon)
	mac := hmacSHA1(secret, "&", buf)
	want := base64.StdEncoding.AppendEncode(nil, mac[:])
	if !hmac.Equal(want, []byte(sig)) {
		return Verified{}, ErrSignatureMismatch
	}
	v.Params = slices.DeleteFunc(all, func(p Param) bool { return isV1CommonParam(p.Key) })
	return v, nil
}
