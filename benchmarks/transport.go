package benchmarks

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// Pages holds the response bodies a fake answers with.
type Pages struct {
	// Tasks answers every ListRtcMPUTaskDetail request.
	Tasks []byte
	// Records answers ListRtcMPUEventSubRecord: Records[PageNo-1], or
	// Records[0] for every PageNo when it holds one page.
	Records [][]byte
}

// body returns the page req asks for, or nil for an unknown action.
func (p *Pages) body(req *http.Request) []byte {
	switch actionOf(req) {
	case livempu.ActionListRtcMPUTaskDetail:
		return p.Tasks
	case livempu.ActionListRtcMPUEventSubRecord:
		if len(p.Records) == 1 {
			return p.Records[0]
		}
		no := pageNo(req.URL.RawQuery)
		if no < 1 || no > len(p.Records) {
			return emptyRecords
		}
		return p.Records[no-1]
	}
	return nil
}

var emptyRecords = []byte(`{"RequestId":"E0","Count":0,"HasMore":false,"Logs":[]}`)

// actionOf reads the action from the x-acs-action header (V3) or the Action
// query parameter (V1) without parsing the whole query.
func actionOf(req *http.Request) string {
	if a := req.Header.Get("x-acs-action"); a != "" {
		return a
	}
	return param(req.URL.RawQuery, "Action")
}

// param returns the raw value of a query parameter (the actions and page
// numbers need no unescaping).
func param(q, name string) string {
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}

func pageNo(q string) int {
	n, err := strconv.Atoi(param(q, "PageNo"))
	if err != nil {
		return 1
	}
	return n
}

// MemTransport is an http.RoundTripper that answers in memory, with no
// network: the client-only benchmarks measure the SDKs alone.
type MemTransport struct{ Pages *Pages }

// RoundTrip drains the request body and answers with the page it asks for.
func (t MemTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	body := t.Pages.body(req)
	status := http.StatusOK
	if body == nil {
		status, body = http.StatusNotFound, errInvalidAction
	}
	return &http.Response{
		Status:     strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode: status,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":     {"application/json;charset=utf-8"},
			"X-Acs-Request-Id": {"5C3D1A2B-8E4F-4A6B-9C7D-0E1F2A3B4C5D"},
		},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

var errInvalidAction = []byte(`{"RequestId":"E1","Code":"InvalidAction.NotFound","Message":"Specified api is not found, please check your url and method."}`)

// Server is a loopback HTTP server answering both operations with fixed
// pages. With a limit it throttles, like the service, every request beyond
// limit accepted ones in any sliding second (400 Throttling.User).
type Server struct {
	*httptest.Server
	pages *Pages
	limit int
	check func(*http.Request) error

	mu        sync.Mutex
	window    []time.Time // accepted arrival times, a ring of limit entries
	head      int
	accepted  atomic.Int64
	throttled atomic.Int64
	rejected  atomic.Int64
}

// NewServer starts a loopback server; limit 0 disables throttling. check,
// if not nil, vets every request first (a failure answers 400).
func NewServer(pages *Pages, limit int, check func(*http.Request) error) *Server {
	s := &Server{pages: pages, limit: limit, check: check}
	if limit > 0 {
		s.window = make([]time.Time, 0, limit)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Host returns the server's host:port.
func (s *Server) Host() string { return strings.TrimPrefix(s.URL, "http://") }

// Accepted counts the requests answered with a page so far.
func (s *Server) Accepted() int64 { return s.accepted.Load() }

// Throttled counts the requests refused with Throttling.User so far.
func (s *Server) Throttled() int64 { return s.throttled.Load() }

// Rejected counts the requests that failed the server's checks so far.
func (s *Server) Rejected() int64 { return s.rejected.Load() }

// admit records an arrival in the sliding window, or reports that it is
// over the limit: the limit-th previous accepted request arrived less than a
// second ago.
func (s *Server) admit(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.window) < s.limit {
		s.window = append(s.window, now)
		return true
	}
	if now.Sub(s.window[s.head]) < time.Second {
		return false
	}
	s.window[s.head] = now
	s.head = (s.head + 1) % s.limit
	return true
}

var throttledBody = []byte(`{"RequestId":"9B4C7E2A-0000-4000-8000-000000000000","HostId":"live.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control.","Recommend":"https://api.aliyun.com/troubleshoot?q=Throttling.User"}`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h := w.Header()
	h["Content-Type"] = []string{"application/json;charset=utf-8"}
	h["X-Acs-Request-Id"] = []string{"5C3D1A2B-8E4F-4A6B-9C7D-0E1F2A3B4C5D"}
	if s.check != nil {
		if err := s.check(r); err != nil {
			s.rejected.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"RequestId":"E2","Code":"SignatureDoesNotMatch","Message":`+strconv.Quote(err.Error())+`}`)
			return
		}
	}
	body := s.pages.body(r)
	if body == nil {
		s.rejected.Add(1)
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(errInvalidAction)
		return
	}
	if s.limit > 0 && !s.admit(time.Now()) {
		s.throttled.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(throttledBody)
		return
	}
	s.accepted.Add(1)
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	_, _ = w.Write(body)
}
