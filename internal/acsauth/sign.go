package acsauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// TimeFormat is the layout of x-acs-date and of the V1 Timestamp parameter,
// always in UTC.
const TimeFormat = "2006-01-02T15:04:05Z"

// V1 parameter names and fixed values.
const (
	paramAccessKeyID      = "AccessKeyId"
	paramAction           = "Action"
	paramFormat           = "Format"
	paramSecurityToken    = "SecurityToken"
	paramSignatureMethod  = "SignatureMethod"
	paramSignatureNonce   = "SignatureNonce"
	paramSignatureVersion = "SignatureVersion"
	paramTimestamp        = "Timestamp"
	paramVersion          = "Version"

	formatJSON       = "JSON"
	signatureMethod  = "HMAC-SHA1"
	signatureVersion = "1.0"
)

// Errors of SignRequestV3 and SignRequestV1. They reach users through
// signer.Signer.Sign, hence the prefix.
var (
	errSignNoHost     = errors.New("signer: request has no host (neither req.Host nor req.URL.Host is set)")
	errSignEmptyNonce = errors.New("signer: Signer.Nonce returned an empty string")
)

// signQueryError wraps a ParseQuery error (which never quotes the query).
func signQueryError(err error) error { return fmt.Errorf("signer: cannot sign request: %w", err) }

// SignInput is what signing a request takes besides the request itself.
// signer.Signer.Sign checks it (a non-empty action, API version, AccessKey
// ID and secret) before it calls SignRequestV3 or SignRequestV1.
type SignInput struct {
	// Action is the operation name, APIVersion the product's API version.
	Action, APIVersion string
	// AccessKeyID, AccessKeySecret and SecurityToken (empty for none) are
	// the credentials to sign with.
	AccessKeyID, AccessKeySecret, SecurityToken string
	// Now is the signing time, in UTC.
	Now time.Time
	// Nonce returns a fresh nonce; nil means NewNonce.
	Nonce func() string
}

// NewNonce returns 32 lower-case hex characters encoding 16 bytes from
// crypto/rand, a fresh signature nonce.
func NewNonce() string { return string(appendNewNonce(make([]byte, 0, 48))) }

// appendNewNonce appends a NewNonce value to dst. The random bytes are read
// into dst's own spare room, so nothing else is allocated.
func appendNewNonce(dst []byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, 48)...)
	_, _ = rand.Read(dst[n+32 : n+48]) // never fails since Go 1.24
	hex.Encode(dst[n:n+32], dst[n+32:n+48])
	return dst[:n+32]
}

// stamp writes the request time and a nonce into dst, one after the other,
// and returns the bytes and where the time ends: both signature versions
// slice their header or parameter values out of one string made from them.
func (in *SignInput) stamp(dst []byte) (b []byte, dateEnd int, err error) {
	b = in.Now.AppendFormat(dst, TimeFormat)
	dateEnd = len(b)
	b, err = in.appendNonce(b)
	return b, dateEnd, err
}

// appendNonce appends in.Nonce() (or a NewNonce value) to dst.
func (in *SignInput) appendNonce(dst []byte) ([]byte, error) {
	if in.Nonce == nil {
		return appendNewNonce(dst), nil
	}
	n := in.Nonce()
	if n == "" {
		return dst, errSignEmptyNonce
	}
	return append(dst, n...), nil
}

// SignRequestV3 signs req with signature V3, as signer.Signer.Sign
// documents: it sets x-acs-action, x-acs-version, x-acs-date,
// x-acs-signature-nonce, x-acs-content-sha256, x-acs-security-token (only
// with a token; otherwise it is removed) and Authorization, and leaves the
// query as it is. method is the signed HTTP method and body the exact body.
func SignRequestV3(req *http.Request, method string, body []byte, in *SignInput) error {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if host == "" {
		return errSignNoHost
	}
	st := getSignState()
	defer st.release()
	var err error
	st.params, err = parseQueryParams(st.params[:0], req.URL.RawQuery, nil)
	if err != nil {
		return signQueryError(err)
	}

	// date | nonce | payload hash, as one string.
	b, dateEnd, err := in.stamp(st.out[:0])
	if err != nil {
		return err
	}
	nonceEnd := len(b)
	b = appendPayloadHash(b, body)
	st.out = b
	vals := string(b)

	h := req.Header
	if h == nil {
		h = make(http.Header, 8)
		req.Header = h
	}
	// One backing array for all header value slices; each gets cap 1 so an
	// append by someone else cannot clobber its neighbour.
	hv := make([]string, 7)
	setHdr := func(i int, name, value string) {
		hv[i] = value
		h[name] = hv[i : i+1 : i+1]
	}
	setHdr(0, hdrAction, in.Action)
	setHdr(1, hdrVersion, in.APIVersion)
	setHdr(2, hdrDate, vals[:dateEnd])
	setHdr(3, hdrNonce, vals[dateEnd:nonceEnd])
	setHdr(4, hdrContentSHA256, vals[nonceEnd:])
	if in.SecurityToken != "" {
		setHdr(5, hdrSecurityToken, in.SecurityToken)
	} else {
		delete(h, hdrSecurityToken)
	}

	hdrs := append(st.hdrs[:0], hdrEntry{name: "host", value: strings.TrimSpace(host)})
	for name, values := range h {
		if !isSignedHeaderName(name) || cmpFold(name, "host") == 0 {
			continue
		}
		for _, v := range values {
			hdrs = append(hdrs, hdrEntry{name: name, value: strings.TrimSpace(v)})
		}
	}
	sortHeaders(hdrs)
	st.hdrs = hdrs
	slices.SortFunc(st.params, cmpQParam)

	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	cr, shStart, shEnd := appendCanonicalRequestV3(st.buf[:0], method, path, st.params, hdrs, vals[nonceEnd:])
	st.buf = cr
	sts := stringToSignV3(cr)
	sig := hmacSHA256(in.AccessKeySecret, sts[:])
	var sigHex [2 * sha256.Size]byte
	hex.Encode(sigHex[:], sig[:])
	st.out = appendAuthorizationV3(st.out[:0], in.AccessKeyID, cr[shStart:shEnd], sigHex[:])
	setHdr(6, hdrAuthorization, string(st.out))
	return nil
}

// isV1SignerParam reports whether signing (V1) owns the query parameter
// name: it is removed from the query before the fresh values are added.
func isV1SignerParam(name string) bool {
	switch name {
	case paramSignature, paramAccessKeyID, paramAction, paramFormat, paramSecurityToken,
		paramSignatureMethod, paramSignatureNonce, paramSignatureVersion, paramTimestamp, paramVersion:
		return true
	}
	return false
}

// isFormContentType reports whether h declares an
// application/x-www-form-urlencoded body.
func isFormContentType(h http.Header) bool {
	ct := h.Get(hdrContentType)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}

// SignRequestV1 signs req with signature V1, as signer.Signer.Sign
// documents: it removes Signature and the common parameters from the query,
// adds Action, Version, Format=JSON, AccessKeyId, SignatureMethod,
// SignatureVersion, SignatureNonce, Timestamp and (only with a token)
// SecurityToken, signs a form body too, rewrites req.URL.RawQuery sorted and
// including Signature, and removes any Authorization header. method is the
// signed HTTP method and body the exact body.
func SignRequestV1(req *http.Request, method string, body []byte, in *SignInput) error {
	st := getSignState()
	defer st.release()
	// Parse without what signing owns (so stale values are not even decoded).
	params, err := parseQueryParams(st.params[:0], req.URL.RawQuery, isV1SignerParam)
	st.params = params
	if err != nil {
		return signQueryError(err)
	}

	// date | nonce, as one string.
	b, dateEnd, err := in.stamp(st.out[:0])
	if err != nil {
		return err
	}
	st.out = b
	vals := string(b)

	params = append(params,
		qparam{key: paramAccessKeyID, val: in.AccessKeyID},
		qparam{key: paramAction, val: in.Action},
		qparam{key: paramFormat, val: formatJSON},
		qparam{key: paramSignatureMethod, val: signatureMethod},
		qparam{key: paramSignatureNonce, val: vals[dateEnd:]},
		qparam{key: paramSignatureVersion, val: signatureVersion},
		qparam{key: paramTimestamp, val: vals[:dateEnd]},
		qparam{key: paramVersion, val: in.APIVersion},
	)
	if in.SecurityToken != "" {
		params = append(params, qparam{key: paramSecurityToken, val: in.SecurityToken})
	}
	slices.SortFunc(params, cmpQParam)
	st.params = params
	signed := params
	if len(body) > 0 && isFormContentType(req.Header) {
		all := append(st.all[:0], params...)
		all, err = parseQueryParams(all, string(body), nil)
		st.all = all
		if err != nil {
			return signQueryError(err)
		}
		slices.SortFunc(all, cmpQParam)
		signed = all
	}

	// Canonical query into out, then the string to sign (after the HMAC
	// scratch block) into buf.
	st.out = appendCanonicalV1(st.out[:0], signed)
	buf := append(st.buf[:0], make([]byte, hmacBlockSize)...)
	buf = appendStringToSignV1(buf, method, st.out)
	st.buf = buf
	mac := hmacSHA1(in.AccessKeySecret, "&", buf)
	var sig [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(sig[:], mac[:])

	st.out = appendQueryWithSignature(st.out[:0], params, sig[:])
	req.URL.RawQuery = string(st.out)
	if req.Header != nil {
		delete(req.Header, hdrAuthorization)
	}
	return nil
}

// appendQueryWithSignature writes the sorted params (which hold no
// Signature) as a percent-encoded query, with Signature at its sorted place.
func appendQueryWithSignature(dst []byte, sorted []qparam, sig []byte) []byte {
	start, sigDone := len(dst), false
	for i := 0; i <= len(sorted); i++ {
		if !sigDone && (i == len(sorted) || sorted[i].key > paramSignature) {
			if len(dst) > start {
				dst = append(dst, '&')
			}
			dst = append(dst, paramSignature+"="...)
			dst = appendEnc(dst, sig)
			sigDone = true
		}
		if i == len(sorted) {
			break
		}
		if len(dst) > start {
			dst = append(dst, '&')
		}
		dst = appendEnc(dst, sorted[i].key)
		dst = append(dst, '=')
		dst = appendQValue(dst, sorted[i])
	}
	return dst
}

// signState holds the reusable buffers of one signing call.
type signState struct {
	params []qparam
	all    []qparam
	hdrs   []hdrEntry
	buf    []byte
	out    []byte
}

var signStatePool = sync.Pool{New: func() any {
	return &signState{
		params: make([]qparam, 0, 32),
		hdrs:   make([]hdrEntry, 0, 16),
		buf:    make([]byte, 0, 1024),
		out:    make([]byte, 0, 1024),
	}
}}

func getSignState() *signState { return signStatePool.Get().(*signState) }

// signStateMaxBuf bounds the buffers kept in the pool.
const signStateMaxBuf = 64 << 10

// release drops references to request data and returns st to the pool,
// unless one of its buffers grew unusually large.
func (st *signState) release() {
	clear(st.params[:cap(st.params)])
	clear(st.all[:cap(st.all)])
	clear(st.hdrs[:cap(st.hdrs)])
	if cap(st.buf) > signStateMaxBuf || cap(st.out) > signStateMaxBuf || cap(st.params) > 1024 || cap(st.all) > 1024 || cap(st.hdrs) > 1024 {
		return
	}
	signStatePool.Put(st)
}
