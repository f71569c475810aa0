package livetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/acsauth"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// versions are the two signature versions every round trip runs under.
var versions = []signer.Version{signer.V3, signer.V1}

// ctx returns a context that ends with the test.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// rawRequest builds a request signed by signer.Signer directly, bypassing
// the SDK's validation.
func rawRequest(t *testing.T, srv *livetest.Server, v signer.Version, action string, params []param, creds signer.Credentials) *http.Request {
	t.Helper()
	var q []string
	for _, p := range params {
		q = append(q, acsauth.PercentEncode(p.Key)+"="+acsauth.PercentEncode(p.Value))
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/?"+strings.Join(q, "&"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID == "" {
		creds = signer.Credentials{AccessKeyID: livetest.DemoAccessKeyID, AccessKeySecret: livetest.DemoAccessKeySecret}
	}
	s := signer.Signer{Version: v, APIVersion: livempu.APIVersion, Now: srv.Now}
	if err := s.Sign(req, action, nil, creds); err != nil {
		t.Fatal(err)
	}
	return req
}

// errorDoc is the service's error body.
type errorDoc struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// send sends req and returns the response with its body read.
func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// decodeError decodes an error body, failing the test if it is not one.
func decodeError(t *testing.T, body []byte) errorDoc {
	t.Helper()
	var d errorDoc
	if err := json.Unmarshal(body, &d); err != nil || d.Code == "" {
		t.Fatalf("not an error document (%v): %s", err, body)
	}
	return d
}

// param is one operation parameter of a hand-made request.
type param struct{ Key, Value string }

// p builds a parameter list from key, value pairs.
func p(kv ...string) []param {
	var out []param
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, param{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// recordsReq asks for every record of the last seven days of srv's clock.
func recordsReq(srv *livetest.Server, size, no int) *livempu.ListRtcMPUEventSubRecordRequest {
	now := srv.Now()
	return &livempu.ListRtcMPUEventSubRecordRequest{
		AppID:     livetest.DemoAppID,
		StartTime: now.Add(-livempu.RecordRetention),
		EndTime:   now,
		PageSize:  size,
		PageNo:    no,
	}
}

// fatalTB is a testing.TB whose Fatalf records the message instead of
// ending the test, to see what NewServer and Client report.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	if f.msg == "" {
		f.msg = fmt.Sprintf(format, args...)
	}
}

// newServerFailure returns the message NewServer fails the test with for
// opts ("" if it starts a server, which t's cleanup closes).
func newServerFailure(t *testing.T, opts ...livetest.Option) string {
	f := &fatalTB{TB: t}
	livetest.NewServer(f, opts...)
	return f.msg
}

// panicOf returns what f panics with, or nil.
func panicOf(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
