package httpmockmatch

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// noResponderCode is the error code of NoResponder's answer.
const noResponderCode = "httpmockmatch.NoResponder"

// NoResponder answers a request that no registered responder matched:
// register it with httpmock.RegisterNoResponder (after every
// httpmock.Reset, which drops it). It answers HTTP 501 with an error
// document whose code is httpmockmatch.NoResponder and whose message names the method,
// URL, action and operation parameters, so the client fails at once with an
// *livempu.APIError that says what was not mocked. Without it httpmock
// returns a transport error, which the client takes for a network failure
// and retries. (The client never retries 501 Not Implemented.) The message
// leaves out the signature's parameters (Signature, SecurityToken...).
func NoResponder(req *http.Request) (*http.Response, error) {
	return errorResponse(http.StatusNotImplemented, noResponderCode, "no httpmock responder matches "+describe(req)), nil
}

// signatureParams are the query parameters that V1 signing adds, which are
// not the operation's.
var signatureParams = map[string]bool{
	"AccessKeyId": true, "Action": true, "Format": true, "SecurityToken": true,
	"Signature": true, "SignatureMethod": true, "SignatureNonce": true,
	"SignatureType": true, "SignatureVersion": true, "Timestamp": true,
	"Version": true, "RegionId": true,
}

// describe names a request by its method, URL without query, action and
// operation parameters.
func describe(req *http.Request) string {
	var b strings.Builder
	b.WriteString(req.Method)
	if req.URL != nil {
		u := url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path}
		b.WriteString(" ")
		b.WriteString(u.String())
	}
	if a := actionOf(req); a != "" {
		b.WriteString(" ")
		b.WriteString(a)
	}
	q := query(req)
	keys := make([]string, 0, len(q))
	for k := range q {
		if !signatureParams[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range q[k] {
			b.WriteString(" ")
			b.WriteString(k)
			b.WriteString("=")
			b.WriteString(v)
		}
	}
	return b.String()
}
