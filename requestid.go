package livempu

import (
	"errors"
	"net/http"
)

// RequestID returns the service's request id carried by err, an error
// returned by this SDK (an *APIError or a *ResponseError, however wrapped),
// or "" when it carries none: the request was never sent or got no answer.
// Quote it to Alibaba support.
func RequestID(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.RequestID
	}
	var re *ResponseError
	if errors.As(err, &re) {
		return re.RequestID
	}
	return ""
}

// requestIDHeader is x-acs-request-id in canonical form, so that reading it
// allocates nothing (http.Header.Get would canonicalize it on every call).
const requestIDHeader = "X-Acs-Request-Id"

// requestIDOf returns an answer's x-acs-request-id header.
func requestIDOf(h http.Header) string {
	if v := h[requestIDHeader]; len(v) > 0 {
		return v[0]
	}
	return ""
}
