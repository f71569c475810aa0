package livetest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// FuzzServeHTTP feeds the handler arbitrary requests: it must answer
// without panicking, with a JSON error body for every error.
func FuzzServeHTTP(f *testing.F) {
	srv := livetest.NewServer(f, livetest.WithGenerated(3, 3, 1))
	signed := func(v signer.Version, query string) (string, string, string) {
		req, _ := http.NewRequest(http.MethodPost, "http://example.com/?"+query, nil)
		s := signer.Signer{Version: v, APIVersion: livempu.APIVersion}
		_ = s.Sign(req, livempu.ActionListRtcMPUTaskDetail, nil, signer.Credentials{AccessKeyID: livetest.DemoAccessKeyID, AccessKeySecret: livetest.DemoAccessKeySecret})
		return req.URL.RawQuery, req.Header.Get("Authorization"), req.Header.Get("x-acs-date")
	}
	q, auth, date := signed(signer.V3, "AppId=a&PageSize=1&PageNo=1")
	f.Add("POST", "/", q, auth, date, "")
	q, auth, date = signed(signer.V1, "AppId=a&PageSize=1&PageNo=99999999999999999999")
	f.Add("POST", "/", q, auth, date, "")
	f.Add("GET", "/x", "Action=ListRtcMPUEventSubRecord&Version=2016-11-01&a=%zz", "ACS3-HMAC-SHA256 Credential=", "", "AppId=a")
	f.Add("POST", "/", "Action=ListRtcMPUTaskDetail;x=1", "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=0", "bad", "\x00")
	f.Fuzz(func(t *testing.T, method, path, query, auth, date, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req := httptest.NewRequest(http.MethodPost, "http://"+strings.TrimPrefix(srv.URL(), "http://")+"/", strings.NewReader(body))
		req.Method = method
		req.URL.Path = path
		req.URL.RawQuery = query
		req.Header.Set("Authorization", auth)
		req.Header.Set("x-acs-date", date)
		req.Header.Set("x-acs-action", livempu.ActionListRtcMPUTaskDetail)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 && !strings.Contains(rec.Body.String(), `"Code":"`) {
			t.Fatalf("status %d without an error body: %q", rec.Code, rec.Body.String())
		}
	})
}
