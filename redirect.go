package livempu

import (
	"errors"
	"net/http"
)

// redirectRefuser is the transport of each attempt's copy of the caller's
// *http.Client: it sends through the caller's transport and turns a 3xx
// answer into a permanent *ResponseError, so that no *http.Client above it
// sees a redirect. net/http parses a redirect's Location before asking
// CheckRedirect, and fails, quoting the whole Location (which may echo the
// signed URL), when it cannot; that failure would read as a network error
// and be retried. A struct of one pointer, it is stored in the interface
// without an allocation.
type redirectRefuser struct{ c *Client }

func (r redirectRefuser) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := r.c.hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err != nil || resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return resp, err
	}
	// Its body is not read: it is a page about the redirect, which may quote
	// the target's whole URL.
	_ = resp.Body.Close()
	return nil, &permanentError{&ResponseError{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("x-acs-request-id"), Err: redirectRefused(resp)}}
}

// redirectRefused describes a redirect the client did not follow, naming
// the target's scheme and host but nothing of its path or query.
func redirectRefused(resp *http.Response) error {
	const why = "a signed request is never sent to another location"
	loc, err := resp.Location()
	switch {
	case errors.Is(err, http.ErrNoLocation):
		return errors.New("no Location; " + why)
	case err != nil || loc.Host == "":
		return errors.New("unreadable Location; " + why)
	}
	return errors.New("target " + loc.Scheme + "://" + loc.Host + "; " + why)
}
