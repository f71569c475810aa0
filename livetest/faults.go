package livetest

import (
	livempu "github.com/livempu/livempu-go"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// faultKind is the kind of an injected fault.
type faultKind int

const (
	faultFail faultKind = iota
	faultCut
	faultBreak
	faultHTML
)

// fault is a pending injected fault.
type fault struct {
	action string // "" for any action
	n      int    // requests left
	kind   faultKind
	status int
	code   string
}

// FailNext makes the next n requests for action fail with an error body of
// code (with the service's message for a known code) and the HTTP status
// (500 if it is not between 200 and 599). A Throttling code also gets the
// x-ratelimit-user-api header.
func (s *Server) FailNext(action string, n, status int, code string) {
	if status < 200 || status > 599 {
		status = http.StatusInternalServerError
	}
	if code == "" {
		code = "InternalError"
	}
	s.addFault(&fault{action: action, n: n, kind: faultFail, status: status, code: code})
}

// CutNext makes the server close the connection of the next n requests for
// action without answering, as a network failure would.
func (s *Server) CutNext(action string, n int) {
	s.addFault(&fault{action: action, n: n, kind: faultCut})
}

// BreakNext answers the next n requests for action with HTTP 200 and a
// truncated JSON body.
func (s *Server) BreakNext(action string, n int) {
	s.addFault(&fault{action: action, n: n, kind: faultBreak, status: http.StatusOK})
}

// HTMLNext answers the next n requests for action with an HTML error page
// of the given status (502 if it is not between 200 and 599), as a proxy in
// front of the service would.
func (s *Server) HTMLNext(action string, n, status int) {
	if status < 200 || status > 599 {
		status = http.StatusBadGateway
	}
	s.addFault(&fault{action: action, n: n, kind: faultHTML, status: status})
}

// ClearFaults drops every pending injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) addFault(f *fault) {
	if f.n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// takeFault consumes one use of the first pending fault for action.
func (s *Server) takeFault(action string) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.action != "" && f.action != action {
			continue
		}
		if f.n--; f.n == 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return *f, true
	}
	return fault{}, false
}

// inject answers with fault f.
func (x *exchange) inject(f fault) {
	switch f.kind {
	case faultFail:
		if strings.HasPrefix(f.code, "Throttling") {
			limit, left := x.s.windowState(x.rec.AccessKeyID, x.rec.Action)
			x.w.Header().Set("x-ratelimit-user-api", x.s.rateLimitHeader(limit, left))
		}
		x.fail(errorFor(f.status, f.code))
	case faultCut:
		x.finish()
		if hj, ok := x.w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		// Not hijackable (HTTP/2): abort the stream. net/http recovers this
		// sentinel panic and resets the stream without logging.
		panic(http.ErrAbortHandler)
	case faultBreak:
		whole := `{"RequestId":"` + x.rec.RequestID + `","MPUTasks":[{"AppId":"`
		if x.rec.Action != livempu.ActionListRtcMPUTaskDetail {
			whole = `{"RequestId":"` + x.rec.RequestID + `","Count":1,"HasMore":false,"Logs":[{"AppId":"`
		}
		x.write(f.status, "application/json;charset=utf-8", []byte(whole))
	case faultHTML:
		text := strconv.Itoa(f.status) + " " + http.StatusText(f.status)
		page := "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
			"</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n"
		x.write(f.status, "text/html", []byte(page))
	}
}

// SetLatency delays the answer of every accepted request for action by d
// (for every action when action is ""; a per-action latency wins over
// that). The wait ends early, without an answer, when the client cancels
// the request or the server closes. d <= 0 removes the latency (for one
// action: it has the server-wide latency again).
func (s *Server) SetLatency(action string, d time.Duration) {
	d = max(d, 0)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case action == "":
		s.latency = d
	case d == 0:
		delete(s.latencyBy, action) // back to the server-wide latency
	default:
		s.latencyBy[action] = d
	}
}

func (s *Server) latencyFor(action string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.latencyBy[action]; ok {
		return d
	}
	return s.latency
}
