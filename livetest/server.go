package livetest

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/adapt"
)

// Fixed fake credentials and identifiers of the default account and of the
// generated data. They are not real keys; use them to build a client by
// hand (livempu.WithStaticCredentials(DemoAccessKeyID, DemoAccessKeySecret, "")).
const (
	// DemoAccessKeyID is the AccessKey ID of the default account.
	DemoAccessKeyID = "LTAI5tLivetestDemoKey0000"
	// DemoAccessKeySecret is the secret of the default account.
	DemoAccessKeySecret = "livetestDemoSecretNotARealKey0"
	// DemoAppID is the application of the data WithGenerated stores, and
	// one every server knows (see WithApps).
	DemoAppID = "livetest-app"
	// DemoSubID is the subscription of most generated records; about one
	// in four belongs to a second subscription, "Sub-livetest-0002".
	DemoSubID = "Sub-livetest-0001"
)

// demoSubID2 is the subscription of the other generated records.
const demoSubID2 = "Sub-livetest-0002"

// timestampTolerance is how far a request's signing time may be from the
// server clock, as the real service allows; further gives
// InvalidTimeStamp.Expired. Nonces are remembered for as long.
const timestampTolerance = 15 * time.Minute

// windowGrace is the slack the server allows on the seven-day window and on
// an EndTime after its clock, so that a request for "the last seven days,
// until now" computed just before sending is accepted.
const windowGrace = time.Minute

// Server is an in-process fake of the Live API's two MPU operations, served
// over plain HTTP on a loopback address. It verifies V3 and V1 signatures,
// timestamps, nonces and STS tokens, validates parameters with the
// documented error codes, pages stored tasks and records, enforces each
// action's per-account QPS over a sliding one-second window, and can inject
// faults. All its methods are safe for concurrent use.
//
// A request goes through these steps, the first failing one answering it:
// method and path; action (InvalidAction.NotFound) and version
// (InvalidVersion); signature (IncompleteSignature,
// InvalidAccessKeyId.NotFound, SignatureDoesNotMatch); timestamp
// (InvalidTimeStamp.Expired); security token
// (InvalidSecurityToken.MismatchWithAccessKey); nonce (SignatureNonceUsed,
// after which the nonce is remembered); injected faults; QPS
// (Throttling.User); latency; parameters (MissingParam, InvalidAppId for a
// malformed or unknown application, InvalidParam); the answer.
//
// QPS is judged per account and action by arrival time: a request is
// refused if accepting it would put more than the limit into any one-second
// window. Refused (throttled) requests do not count.
//
// Injected faults (Inject) are kept in the order of the calls that add
// them; a request consumes the first pending fault whose condition it
// meets. They are applied after the signature, timestamp, token and nonce
// checks (so the nonce of a faulted request is spent) and before QPS
// accounting (so a faulted request is not counted against the limit).
//
// The zero Server is not usable; create one with NewServer.
type Server struct {
	ts       *httptest.Server
	t        testing.TB
	now      func() time.Time
	accounts []account
	done     chan struct{}
	closing  sync.Once

	mu        sync.Mutex
	apps      map[string]bool // the applications the server knows
	tasks     []*taskEntry
	records   []recordEntry
	seq       uint64
	nonces    map[nonceKey]time.Time
	nonceAdds int
	faults    []*injection
	qps       map[string]int
	others    map[string]int // requests per second other callers use (SetOtherCallers)
	latency   time.Duration
	latencyBy map[string]time.Duration
	windows   map[windowKey]*window
	maxWindow map[string]int
	log       []Request
	logLimit  int
	stats     Stats            // every request
	statsBy   map[string]Stats // by action
}

// NewServer starts a Server for a test and closes it when the test ends
// (t.Cleanup). An invalid option or a failure to listen fails the test with
// t.Fatalf, so call it from the test's goroutine.
//
// A program or an Example (a local stand-in for the service, a demo) passes
// a nil t: it must Close the server, and NewServer panics on an invalid
// option or a failure to listen, as httptest.NewServer does.
func NewServer(t testing.TB, opts ...Option) *Server {
	s, err := start(t, opts)
	if t == nil {
		if err != nil {
			panic(fmt.Sprintf("livetest: NewServer: %v", err))
		}
		return s
	}
	t.Helper()
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(s.Close)
	return s
}

func start(t testing.TB, opts []Option) (*Server, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	if len(cfg.accounts) == 0 {
		cfg.accounts = []account{{DemoAccessKeyID, DemoAccessKeySecret, ""}}
	}
	s := &Server{
		t:         t,
		now:       cfg.now,
		accounts:  cfg.accounts,
		done:      make(chan struct{}),
		apps:      map[string]bool{DemoAppID: true},
		nonces:    make(map[nonceKey]time.Time),
		qps:       map[string]int{},
		latencyBy: map[string]time.Duration{},
		windows:   map[windowKey]*window{},
		maxWindow: map[string]int{},
		logLimit:  cfg.logLimit,
	}
	s.statsBy = map[string]Stats{}
	for _, a := range []string{livempu.ActionListRtcMPUTaskDetail, livempu.ActionListRtcMPUEventSubRecord} {
		s.qps[a] = adapt.DocumentedQPS(a)
	}
	for a, n := range cfg.others {
		s.SetOtherCallers(a, n)
	}
	for a, n := range cfg.qps {
		s.qps[a] = n
	}
	for _, id := range cfg.apps {
		s.apps[id] = true
	}
	if cfg.generate {
		tasks, recs := Generate(cfg.genTasks, cfg.genRecs, cfg.genSeed, s.Now())
		s.AddTasks(tasks...)
		s.AddRecords(recs...)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			return nil, err
		}
	}
	s.ts = &httptest.Server{
		Listener: l,
		Config: &http.Server{
			Handler:           s,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          log.New(io.Discard, "", 0),
		},
	}
	s.ts.Start()
	return s, nil
}

// URL returns the server's base URL, http://127.0.0.1:port, to pass to
// livempu.WithEndpoint (plain HTTP is allowed for a loopback host).
func (s *Server) URL() string { return s.ts.URL }

// Close stops the server: requests sleeping on a latency end at once,
// without an answer. It may be called more than once.
func (s *Server) Close() {
	s.closing.Do(func() {
		close(s.done)
		s.ts.Close()
	})
}

// Now returns the server clock's time.
func (s *Server) Now() time.Time { return s.now() }

// Client returns a livempu.Client pointed at the server, signing with its
// first account and timestamping with the server clock (so that a WithClock
// server accepts it); opts are applied after these, so they may override any
// of them. The SDK's default client-side rate limiter stays in place (the
// server enforces the QPS limits like the real service); remove it with
// livempu.WithRateLimiter(action, nil) to test throttling.
//
// An invalid option fails the test of the server with t.Fatalf (call it
// from the test's goroutine), or panics for a server started with a nil t.
// A program that needs the error builds its own client with
// livempu.NewClient, livempu.WithEndpoint(srv.URL()) and the Demo
// credentials.
func (s *Server) Client(opts ...livempu.Option) *livempu.Client {
	a := s.accounts[0]
	all := make([]livempu.Option, 0, len(opts)+3)
	all = append(all,
		livempu.WithEndpoint(s.URL()),
		livempu.WithStaticCredentials(a.id, a.secret, a.token),
		livempu.WithClock(s.now))
	c, err := livempu.NewClient(append(all, opts...)...)
	if err != nil {
		if s.t == nil {
			panic(fmt.Sprintf("livetest: Client: %v", err))
		}
		s.t.Helper()
		s.t.Fatalf("livetest: Client: %v", err)
		return nil
	}
	return c
}

// secretFor is the secret lookup of acsauth.Verify.
func (s *Server) secretFor(id string) (string, bool) {
	if a, ok := s.account(id); ok {
		return a.secret, true
	}
	return "", false
}

func (s *Server) account(id string) (account, bool) {
	for _, a := range s.accounts {
		if a.id == id {
			return a, true
		}
	}
	return account{}, false
}
