package livetest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// faultKind is the kind of an injected fault.
type faultKind int

const (
	faultFail faultKind = iota
	faultCut
	faultBreak
	faultHTML
)

// Fault is a wrong answer the server can give instead of the real one: an
// error body (Fail), a cut connection (Cut), a truncated body (Break) or a
// proxy's HTML page (HTML). Server.Inject says which requests get it. The
// zero Fault is Fail(500, "InternalError").
type Fault struct {
	kind   faultKind
	status int
	code   string
}

// Fail is the fault of an error body of code (with the service's message
// for a known code; InternalError if code is "") and the HTTP status (500
// if it is not between 200 and 599). A Throttling code also gets the
// x-ratelimit-user-api header.
func Fail(status int, code string) Fault {
	if status < 200 || status > 599 {
		status = http.StatusInternalServerError
	}
	if code == "" {
		code = "InternalError"
	}
	return Fault{kind: faultFail, status: status, code: code}
}

// Cut is the fault of a connection closed without an answer, as a network
// failure would.
func Cut() Fault { return Fault{kind: faultCut} }

// Break is the fault of an HTTP 200 answer with a truncated JSON body.
func Break() Fault { return Fault{kind: faultBreak, status: http.StatusOK} }

// HTML is the fault of an HTML error page of the given status (502 if it is
// not between 200 and 599), as a proxy in front of the service would send.
func HTML(status int) Fault {
	if status < 200 || status > 599 {
		status = http.StatusBadGateway
	}
	return Fault{kind: faultHTML, status: status}
}

// injection is a pending injected fault.
type injection struct {
	fault Fault
	when  func(Request) bool // nil for every request
	left  int                // uses left; < 0 for no limit
}

// Inject makes the server answer with f, instead of the real answer, the
// first n requests for which when returns true; with n < 0, every such
// request until ClearFaults; with n == 0, none. A nil when matches every
// request.
//
// when sees the request as Requests will report it, after the signature,
// timestamp, token and nonce checks (Action, AccessKeyID,
// SignatureVersion, Params, Header...; Status and Code are not set
// yet), so a fault can be keyed to an action, a page, an account or
// anything else the request says:
//
//	srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 1, func(r livetest.Request) bool {
//		return r.Action == livempu.ActionListRtcMPUTaskDetail && r.Params.Get("PageNo") == "3"
//	})
//
// Because the condition is about the request and not its arrival order, a
// fault keyed to page 3 hits page 3 however a prefetching walk orders its
// requests. when may be called concurrently, for requests that end up not
// faulted too; it may call the Server's methods.
func (s *Server) Inject(f Fault, n int, when func(Request) bool) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &injection{fault: f, when: when, left: n})
}

// ForAction is the condition of Inject that matches the requests for
// action, such as livempu.ActionListRtcMPUTaskDetail:
//
//	srv.Inject(livetest.Cut(), 2, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
//
// A nil condition matches every request.
func ForAction(action string) func(Request) bool {
	return func(r Request) bool { return r.Action == action }
}

// ClearFaults drops every pending injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.faults {
		in.left = 0 // a request that already matched it does not take it
	}
	s.faults = nil
}

// takeFault consumes one use of the first pending fault whose condition
// rec meets. The conditions are evaluated without the lock, so that they
// may call the Server's methods; a fault used up meanwhile by another
// request is passed over.
func (s *Server) takeFault(rec *Request) (Fault, bool) {
	s.mu.Lock()
	pending := slices.Clone(s.faults)
	s.mu.Unlock()
	if len(pending) == 0 {
		return Fault{}, false
	}
	r := *rec
	r.Params = cloneValues(rec.Params)
	r.Header = rec.Header.Clone()
	for _, in := range pending {
		if in.when != nil && !in.when(r) {
			continue
		}
		if s.use(in) {
			return in.fault, true
		}
	}
	return Fault{}, false
}

// use takes one use of in and reports whether one was left.
func (s *Server) use(in *injection) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.left == 0 {
		return false
	}
	if in.left > 0 {
		if in.left--; in.left == 0 {
			s.faults = slices.DeleteFunc(s.faults, func(p *injection) bool { return p == in })
		}
	}
	return true
}

// inject answers with fault f.
func (x *exchange) inject(f Fault) {
	switch f.kind {
	case faultFail:
		f = Fail(f.status, f.code) // the zero Fault too
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
