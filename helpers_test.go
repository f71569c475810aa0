package livempu_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/acsauth"
)

// Recognisable credentials: a test fails if the secret or token ever shows
// up in an error or a log line.
const (
	testKeyID  = "LTAI5tTestKeyId"
	testSecret = "S3cr3t-must-never-appear"
	testToken  = "STS-token-must-never-appear"
)

// attempt is what the fake server saw of one request.
type attempt struct {
	acsauth.Verified
	Header  http.Header
	Query   string
	Arrived time.Time // when the handler started, before verification
}

// fakeServer is an httptest server that verifies every signature and lets a
// test decide the answer. It records every attempt.
type fakeServer struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	seen   []attempt
	nonces map[string]bool
	reply  func(n int, a attempt, w http.ResponseWriter)
}

func newFakeServer(t testing.TB, reply func(n int, a attempt, w http.ResponseWriter)) *fakeServer {
	f := &fakeServer{t: t, nonces: map[string]bool{}, reply: reply}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	v, err := acsauth.Verify(r, nil, func(id string) (string, bool) { return testSecret, strings.HasPrefix(id, testKeyID) })
	if err != nil {
		f.t.Errorf("fake server: signature rejected: %v", err)
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"Code":"SignatureDoesNotMatch","Message":"bad","RequestId":"x"}`)
		return
	}
	f.mu.Lock()
	if f.nonces[v.Nonce] {
		f.t.Errorf("fake server: nonce %s reused", v.Nonce)
	}
	f.nonces[v.Nonce] = true
	a := attempt{Verified: v, Header: r.Header.Clone(), Query: r.URL.RawQuery, Arrived: arrived}
	f.seen = append(f.seen, a)
	n := len(f.seen)
	f.mu.Unlock()
	w.Header().Set("x-acs-request-id", fmt.Sprintf("req-%d", n))
	f.reply(n, a, w)
}

func (f *fakeServer) attempts() []attempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]attempt(nil), f.seen...)
}

// param returns an operation parameter of an attempt.
func (a attempt) param(name string) string {
	for _, p := range a.Params {
		if p.Key == name {
			return p.Value
		}
	}
	return ""
}

// logBuffer captures slog output at debug level for secret checks.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newTestClient builds a client against f with fast retries, its own
// limiters (so tests do not share the process-wide buckets) and a debug
// logger whose output is checked for secrets when the test ends.
func newTestClient(t testing.TB, f *fakeServer, opts ...livempu.Option) *livempu.Client {
	t.Helper()
	logs := &logBuffer{}
	base := []livempu.Option{
		livempu.WithEndpoint(f.srv.URL),
		livempu.WithStaticCredentials(testKeyID, testSecret, testToken),
		livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUEventSubRecord, nil),
		livempu.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
	c, err := livempu.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { assertNoSecret(t, "log", logs.String()) })
	return c
}

// assertNoSecret fails if s contains the test secret, token or a signature.
func assertNoSecret(t testing.TB, what, s string) {
	t.Helper()
	for _, secret := range []string{testSecret, testToken, "Signature=", "Signature%3D"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains %q: %s", what, secret, s)
		}
	}
}

// checkErr asserts err's message and %+v carry no secret.
func checkErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		assertNoSecret(t, "error", err.Error())
		assertNoSecret(t, "error %+v", fmt.Sprintf("%+v", err))
	}
}

func taskReq() *livempu.ListRtcMPUTaskDetailRequest {
	return &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1", PageSize: 10, PageNo: 1}
}

func recordReq() *livempu.ListRtcMPUEventSubRecordRequest {
	end := time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC)
	return &livempu.ListRtcMPUEventSubRecordRequest{AppID: "app-1", SubID: "sub-1", StartTime: end.Add(-time.Hour), EndTime: end, PageSize: 100, PageNo: 1}
}

// writeJSON answers with status and body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func errorBody(code string) string {
	return fmt.Sprintf(`{"RequestId":"body-req","HostId":"live.aliyuncs.com","Code":%q,"Message":"message for %s","Recommend":"https://api.aliyun.com/troubleshoot?q=%s"}`, code, code, code)
}

const oneTaskBody = `{"RequestId":"ok-req","MPUTasks":[{"AppId":"app-1","TaskId":"t1","MixMode":"1"}]}`

// callBoth calls each operation once and returns both errors.
func callBoth(ctx context.Context, c *livempu.Client) (error, error) {
	_, err1 := c.ListRtcMPUTaskDetail(ctx, taskReq())
	_, err2 := c.ListRtcMPUEventSubRecord(ctx, recordReq())
	return err1, err2
}
