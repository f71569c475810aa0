package livetest

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/livempu/livempu-go/signer"
)

// outcome is what became of a request, as Stats counts it.
type outcome int

const (
	// rejected requests were refused before QPS accounting: bad method or
	// path, unknown action or version, signature, timestamp, token or nonce.
	rejected outcome = iota
	// faulted requests were consumed by an injected fault (Inject).
	faulted
	// throttled requests exceeded the action's QPS limit (Throttling.User).
	throttled
	// accepted requests were counted against the QPS limit and answered
	// with data or a parameter error (or not at all if the client left
	// during the latency).
	accepted
)

// redacted replaces the values of the Authorization and
// x-acs-security-token headers in Request.Header.
const redacted = "REDACTED"

// Request is a request the server received, as Requests reports it.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Action is the operation named by x-acs-action or Action.
	Action string
	// APIVersion is the API version named by x-acs-version or Version.
	APIVersion string
	// SignatureVersion is V3 for a request with an ACS3-HMAC-SHA256
	// Authorization header, V1 otherwise.
	SignatureVersion signer.Version
	// AccessKeyID is the AccessKey ID the request names.
	AccessKeyID string
	// Nonce is the signature nonce.
	Nonce string
	// Time is the signing time (x-acs-date or Timestamp); zero if absent or
	// malformed.
	Time time.Time
	// Received is the server clock's time when the request arrived.
	Received time.Time
	// Params are the operation parameters (without V1's common and
	// signature parameters), decoded: Params.Get("PageNo") is the page
	// asked for.
	Params url.Values
	// Header is a copy of the request headers, with Authorization and
	// x-acs-security-token replaced by "REDACTED".
	Header http.Header
	// Status is the HTTP status answered, or 0 when no answer was written
	// (a cut connection, or a client gone during the latency).
	Status int
	// Code is the error code answered, "" for a success.
	Code string
	// RequestID is the x-acs-request-id answered.
	RequestID string

	outcome outcome // how far the request got, for Stats
}

// cloneValues returns a deep copy of v (nil for nil).
func cloneValues(v url.Values) url.Values { return url.Values(http.Header(v).Clone()) }

// Stats are request counters, since the server started or since
// ResetRequests. Requests is the sum of Rejected, Faulted, Throttled and
// Accepted (once every request has been answered); Succeeded is a part of
// Accepted.
type Stats struct {
	// Requests is every request received.
	Requests int
	// Rejected counts the requests refused before QPS accounting (bad
	// method or path, unknown action or version, signature, timestamp,
	// token or nonce), Faulted those answered by an injected fault,
	// Throttled those over the QPS limit, and Accepted those counted
	// against the limit and answered with data or a parameter error.
	Rejected, Faulted, Throttled, Accepted int
	// Succeeded counts the accepted requests answered with data (HTTP 200).
	Succeeded int
}

func (c *Stats) add(r *Request) {
	c.Requests++
	switch r.outcome {
	case rejected:
		c.Rejected++
	case faulted:
		c.Faulted++
	case throttled:
		c.Throttled++
	case accepted:
		c.Accepted++
		if r.Status == http.StatusOK {
			c.Succeeded++
		}
	}
}

// Requests returns the requests received since the server started or since
// ResetRequests, oldest first (at most the WithRequestLogLimit latest).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.log
	if s.logLimit > 0 && len(log) > s.logLimit {
		log = log[len(log)-s.logLimit:]
	}
	out := make([]Request, len(log))
	for i, r := range log {
		r.Params = cloneValues(r.Params)
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// Stats returns the counters of the requests for the given actions (""
// for requests that named none), or of every request when no action is
// given.
func (s *Server) Stats(actions ...string) Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(actions) == 0 {
		return s.stats
	}
	var st Stats
	for _, a := range slices.Compact(slices.Sorted(slices.Values(actions))) {
		c := s.statsBy[a]
		st.Requests += c.Requests
		st.Rejected += c.Rejected
		st.Faulted += c.Faulted
		st.Throttled += c.Throttled
		st.Accepted += c.Accepted
		st.Succeeded += c.Succeeded
	}
	return st
}

// ResetRequests clears the request log, the counters and the MaxWindow
// maxima. It does not reset the QPS windows, the remembered nonces, the
// pending faults or the data.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
	s.stats = Stats{}
	clear(s.statsBy)
	clear(s.maxWindow)
}

// MaxWindow returns the largest number of accepted requests for action
// from one account that arrived within any one second, a measure of the
// peak rate a client achieved. It never exceeds the action's QPS limit
// while that is enforced.
func (s *Server) MaxWindow(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxWindow[action]
}

// record logs a finished request; the caller holds no lock.
func (s *Server) record(r *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.add(r)
	c := s.statsBy[r.Action]
	c.add(r)
	s.statsBy[r.Action] = c
	s.log = append(s.log, *r)
	if s.logLimit > 0 && len(s.log) >= 2*s.logLimit {
		// Trim in bulk so that recording stays amortized O(1).
		n := copy(s.log, s.log[len(s.log)-s.logLimit:])
		clear(s.log[n:])
		s.log = s.log[:n]
	}
}
