package livetest_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/fakeapi"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// replay is a transport that sends the first request it sees again in
// place of the second, as an attacker replaying a captured request would.
type replay struct {
	mu    sync.Mutex
	first *http.Request
}

func (r *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	if r.first == nil {
		r.first = req.Clone(req.Context())
	} else {
		req = r.first.Clone(req.Context())
	}
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestErrorsThroughSDK(t *testing.T) {
	tasksReq := &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1}
	callTasks := func(t *testing.T, c *livempu.Client, srv *livetest.Server) error {
		_, err := c.ListRtcMPUTaskDetail(ctx(t), tasksReq)
		return err
	}
	callRecords := func(mod func(srv *livetest.Server, r *livempu.ListRtcMPUEventSubRecordRequest)) func(*testing.T, *livempu.Client, *livetest.Server) error {
		return func(t *testing.T, c *livempu.Client, srv *livetest.Server) error {
			req := recordsReq(srv, 10, 1)
			mod(srv, req)
			_, err := c.ListRtcMPUEventSubRecord(ctx(t), req)
			return err
		}
	}
	tests := []struct {
		name       string
		server     []livetest.Option
		setup      func(*livetest.Server)
		client     []livempu.Option
		call       func(*testing.T, *livempu.Client, *livetest.Server) error
		calls      int // calls made; the last must fail (default 1)
		want       error
		code       string
		status     int
		message    string // a substring of the message
		requests   int    // requests the server saw (default 1)
		distinctNs bool   // every request had its own nonce
	}{
		{
			name: "wrong secret", client: []livempu.Option{livempu.WithStaticCredentials(livetest.DemoAccessKeyID, "wrong", "")},
			call: callTasks, want: livempu.ErrSignatureMismatch, code: "SignatureDoesNotMatch", status: 400,
			message: "Specified signature is not matched with our calculation.",
		},
		{
			name: "wrong secret V1", client: []livempu.Option{livempu.WithStaticCredentials(livetest.DemoAccessKeyID, "wrong", ""), livempu.WithSignatureVersion(signer.V1)},
			call: callTasks, want: livempu.ErrSignatureMismatch, code: "SignatureDoesNotMatch", status: 400,
			message: "[server string to sign redacted]",
		},
		{
			name: "unknown key", client: []livempu.Option{livempu.WithStaticCredentials("LTAI-nobody", "x", "")},
			call: callTasks, want: livempu.ErrInvalidAccessKeyID, code: "InvalidAccessKeyId.NotFound", status: 404,
		},
		{
			name: "clock 20 minutes fast", client: []livempu.Option{livempu.WithClock(func() time.Time { return time.Now().Add(20 * time.Minute) })},
			call: callTasks, want: livempu.ErrTimestampExpired, code: "InvalidTimeStamp.Expired", status: 400,
		},
		{
			name: "clock 20 minutes slow V1", client: []livempu.Option{livempu.WithSignatureVersion(signer.V1), livempu.WithClock(func() time.Time { return time.Now().Add(-20 * time.Minute) })},
			call: callTasks, want: livempu.ErrTimestampExpired, code: "InvalidTimeStamp.Expired", status: 400,
		},
		{
			name: "STS token missing", server: []livetest.Option{livetest.WithAccount("STS.k", "s", "tok")},
			client: []livempu.Option{livempu.WithStaticCredentials("STS.k", "s", "")},
			call:   callTasks, code: "InvalidSecurityToken.MismatchWithAccessKey", status: 400,
		},
		{
			name: "STS token wrong V1", server: []livetest.Option{livetest.WithAccount("STS.k", "s", "tok")},
			client: []livempu.Option{livempu.WithStaticCredentials("STS.k", "s", "other"), livempu.WithSignatureVersion(signer.V1)},
			call:   callTasks, code: "InvalidSecurityToken.MismatchWithAccessKey", status: 400,
		},
		{
			name: "unknown application",
			call: func(t *testing.T, c *livempu.Client, _ *livetest.Server) error {
				_, err := c.ListRtcMPUTaskDetail(ctx(t), &livempu.ListRtcMPUTaskDetailRequest{AppID: "no-such-app", PageSize: 10, PageNo: 1})
				return err
			},
			want: livempu.ErrInvalidAppID, code: "InvalidAppId", status: 400, message: "AppId is invalid",
		},
		{
			name: "records of an unknown application",
			call: callRecords(func(_ *livetest.Server, r *livempu.ListRtcMPUEventSubRecordRequest) {
				r.AppID = "no-such-app"
			}),
			want: livempu.ErrInvalidAppID, code: "InvalidAppId", status: 400, message: "AppId is invalid",
		},
		{
			name: "records older than seven days",
			call: callRecords(func(srv *livetest.Server, r *livempu.ListRtcMPUEventSubRecordRequest) {
				r.StartTime = srv.Now().Add(-8 * 24 * time.Hour)
			}),
			want: livempu.ErrInvalidParam, code: "InvalidParam", status: 400, message: "StartTime",
		},
		{
			name: "records until the future",
			call: callRecords(func(srv *livetest.Server, r *livempu.ListRtcMPUEventSubRecordRequest) {
				r.EndTime = srv.Now().Add(time.Hour)
			}),
			want: livempu.ErrInvalidParam, code: "InvalidParam", status: 400, message: "EndTime",
		},
		{
			name: "503 then success", setup: func(s *livetest.Server) {
				s.Inject(livetest.Fail(503, "ServiceUnavailable"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
			},
			client: []livempu.Option{livempu.WithRetryBackoff(time.Millisecond, 10*time.Millisecond)},
			call:   callTasks, requests: 2, distinctNs: true,
		},
		{
			name: "503 exhausts retries", setup: func(s *livetest.Server) { s.Inject(livetest.Fail(503, "ServiceUnavailable"), 3, nil) },
			client: []livempu.Option{livempu.WithMaxRetries(2), livempu.WithRetryBackoff(time.Millisecond, 10*time.Millisecond)},
			call:   callTasks, want: livempu.ErrServiceUnavailable, code: "ServiceUnavailable", status: 503, requests: 3, distinctNs: true,
			message: "temporary failure",
		},
		{
			name: "injected throttling, no retry", setup: func(s *livetest.Server) {
				s.Inject(livetest.Fail(400, "Throttling.User"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
			},
			client: []livempu.Option{livempu.WithMaxRetries(0)},
			call:   callTasks, want: livempu.ErrThrottled, code: "Throttling.User", status: 400, message: "user flow control",
		},
		{
			name: "injected throttling then success", setup: func(s *livetest.Server) {
				s.Inject(livetest.Fail(400, "Throttling.User"), 2, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
			},
			call: callTasks, requests: 3, distinctNs: true,
		},
		{
			name: "other action's fault does not apply", setup: func(s *livetest.Server) {
				s.Inject(livetest.Fail(500, "InternalError"), 1, livetest.ForAction(livempu.ActionListRtcMPUEventSubRecord))
			},
			call: callTasks,
		},
		{
			name: "injected OperationDenied", setup: func(s *livetest.Server) { s.Inject(livetest.Fail(403, "OperationDenied"), 1, nil) },
			call: callTasks, want: livempu.ErrOperationDenied, code: "OperationDenied", status: 403,
		},
		{
			name: "replayed nonce", client: []livempu.Option{livempu.WithHTTPClient(&http.Client{Transport: &replay{}})},
			call: callTasks, calls: 2, want: livempu.ErrNonceUsed, code: "SignatureNonceUsed", status: 400, requests: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := livetest.NewServer(t, tt.server...)
			if tt.setup != nil {
				tt.setup(srv)
			}
			c := srv.Client(tt.client...)
			var err error
			for i := range max(tt.calls, 1) {
				if err = tt.call(t, c, srv); err != nil && i < tt.calls-1 {
					t.Fatalf("call %d: %v", i+1, err)
				}
			}
			if tt.code == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			} else {
				var apiErr *livempu.APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("error %v is not an *APIError", err)
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("error %v is not %v", err, tt.want)
				}
				if apiErr.Code != tt.code || apiErr.StatusCode != tt.status || apiErr.HostID != fakeapi.HostID ||
					apiErr.RequestID == "" || !strings.Contains(apiErr.Recommend, "q="+tt.code) || !strings.Contains(apiErr.Message, tt.message) {
					t.Errorf("got %#v", apiErr)
				}
			}
			reqs := srv.Requests()
			if want := max(tt.requests, 1); len(reqs) != want || srv.Stats().Requests != want {
				t.Errorf("server saw %d requests (stats %d), want %d", len(reqs), srv.Stats().Requests, want)
			}
			if tt.distinctNs {
				seen := map[string]bool{}
				for _, r := range reqs {
					if seen[r.Nonce] || r.Nonce == "" {
						t.Errorf("nonce %q reused", r.Nonce)
					}
					seen[r.Nonce] = true
				}
			}
		})
	}
}

func TestErrorsRaw(t *testing.T) {
	long := strings.Repeat("t", 56)
	now := time.Now().UTC()
	ts := func(d time.Duration) string { return now.Add(d).Format("2006-01-02T15:04:05Z") }
	const tasks, recs = livempu.ActionListRtcMPUTaskDetail, livempu.ActionListRtcMPUEventSubRecord
	tests := []struct {
		name    string
		action  string
		params  []param
		status  int
		code    string
		message string
	}{
		{"tasks: no AppId", tasks, p("PageSize", "10", "PageNo", "1"), 400, "MissingParam", "AppId"},
		{"tasks: empty AppId", tasks, p("AppId", "", "PageSize", "10", "PageNo", "1"), 400, "MissingParam", "AppId"},
		{"tasks: bad AppId", tasks, p("AppId", "my app!", "PageSize", "10", "PageNo", "1"), 400, "InvalidAppId", "AppId"},
		{"tasks: AppId too long", tasks, p("AppId", strings.Repeat("a", 65), "PageSize", "10", "PageNo", "1"), 400, "InvalidAppId", "AppId"},
		{"tasks: no paging", tasks, p("AppId", livetest.DemoAppID), 400, "MissingParam", "PageSize"},
		{"tasks: no PageNo", tasks, p("AppId", livetest.DemoAppID, "PageSize", "10"), 400, "MissingParam", "PageNo"},
		{"tasks: PageSize 0", tasks, p("AppId", livetest.DemoAppID, "PageSize", "0", "PageNo", "1"), 400, "InvalidParam", "PageSize"},
		{"tasks: PageSize 101", tasks, p("AppId", livetest.DemoAppID, "PageSize", "101", "PageNo", "1"), 400, "InvalidParam", "PageSize"},
		{"tasks: PageSize text", tasks, p("AppId", livetest.DemoAppID, "PageSize", "ten", "PageNo", "1"), 400, "InvalidParam", "PageSize"},
		{"tasks: PageNo 0", tasks, p("AppId", livetest.DemoAppID, "PageSize", "10", "PageNo", "0"), 400, "InvalidParam", "PageNo"},
		{"tasks: PageNo huge", tasks, p("AppId", livetest.DemoAppID, "PageSize", "10", "PageNo", "99999999999999999999"), 400, "InvalidParam", "PageNo"},
		{"tasks: TaskId too long", tasks, p("AppId", livetest.DemoAppID, "TaskId", long), 400, "InvalidParam", "TaskId"},
		{"tasks: TaskId bad", tasks, p("AppId", livetest.DemoAppID, "TaskId", "t/1"), 400, "InvalidParam", "TaskId"},
		{"tasks: repeated", tasks, p("AppId", livetest.DemoAppID, "PageSize", "10", "PageSize", "20", "PageNo", "1"), 400, "InvalidParam", "PageSize"},
		{"tasks: TaskId alone", tasks, p("AppId", livetest.DemoAppID, "TaskId", "t-1"), 200, "", ""},
		{"tasks: PageNo past int range of pages", tasks, p("AppId", livetest.DemoAppID, "PageSize", "100", "PageNo", "9223372036854775807"), 200, "", ""},
		{"records: no StartTime", recs, p("AppId", livetest.DemoAppID, "EndTime", ts(0), "PageSize", "10", "PageNo", "1"), 400, "MissingParam", "StartTime"},
		{"records: no EndTime", recs, p("AppId", livetest.DemoAppID, "StartTime", ts(-time.Hour), "PageSize", "10", "PageNo", "1"), 400, "MissingParam", "EndTime"},
		{"records: no PageSize", recs, p("AppId", livetest.DemoAppID, "StartTime", ts(-time.Hour), "EndTime", ts(0), "PageNo", "1"), 400, "MissingParam", "PageSize"},
		{"records: no PageNo", recs, p("AppId", livetest.DemoAppID, "StartTime", ts(-time.Hour), "EndTime", ts(0), "PageSize", "1"), 400, "MissingParam", "PageNo"},
		{"records: no AppId", recs, p("StartTime", ts(-time.Hour), "EndTime", ts(0), "PageSize", "10", "PageNo", "1"), 400, "MissingParam", "AppId"},
		{"records: bad AppId", recs, p("AppId", "ä", "StartTime", ts(-time.Hour), "EndTime", ts(0), "PageSize", "10", "PageNo", "1"), 400, "InvalidAppId", "AppId"},
		{"records: bad StartTime", recs, p("AppId", livetest.DemoAppID, "StartTime", "yesterday", "EndTime", ts(0), "PageSize", "10", "PageNo", "1"), 400, "InvalidParam", "StartTime"},
		{"records: EndTime with offset", recs, p("AppId", livetest.DemoAppID, "StartTime", ts(-time.Hour), "EndTime", "2025-01-01T00:00:00+08:00", "PageSize", "10", "PageNo", "1"), 400, "InvalidParam", "EndTime"},
		{"records: start after end", recs, p("AppId", livetest.DemoAppID, "StartTime", ts(-time.Hour), "EndTime", ts(-2*time.Hour), "PageSize", "10", "PageNo", "1"), 400, "InvalidParam", "StartTime"},
		{"records: too old", recs, p("AppId", livetest.DemoAppID, "StartTime", ts(-8*24*time.Hour), "EndTime", ts(0), "PageSize", "10", "PageNo", "1"), 400, "InvalidParam", "seven days"},
		{"records: future", recs, p("AppId", livetest.DemoAppID, "StartTime", ts(-time.Hour), "EndTime", ts(time.Hour), "PageSize", "10", "PageNo", "1"), 400, "InvalidParam", "EndTime"},
		{"records: PageSize 101", recs, p("AppId", livetest.DemoAppID, "StartTime", ts(-time.Hour), "EndTime", ts(0), "PageSize", "101", "PageNo", "1"), 400, "InvalidParam", "PageSize"},
		{"records: ok", recs, p("AppId", livetest.DemoAppID, "SubId", "s", "StartTime", ts(-7*24*time.Hour), "EndTime", ts(0), "PageSize", "100", "PageNo", "1"), 200, "", ""},
		{"tasks: unknown app", tasks, p("AppId", "no-such-app", "PageSize", "10", "PageNo", "1"), 400, "InvalidAppId", "AppId is invalid: there is no application no-such-app"},
		{"tasks: unknown app by TaskId", tasks, p("AppId", "no-such-app", "TaskId", "t-1"), 400, "InvalidAppId", "AppId is invalid"},
		{"records: unknown app", recs, p("AppId", "no-such-app", "StartTime", ts(-time.Hour), "EndTime", ts(0), "PageSize", "10", "PageNo", "1"), 400, "InvalidAppId", "AppId is invalid"},
		{"unknown action", "DescribeLiveStreams", p("AppId", livetest.DemoAppID), 404, "InvalidAction.NotFound", "api is not found"},
	}
	srv := livetest.NewServer(t)
	for _, v := range versions {
		for _, tt := range tests {
			t.Run(v.String()+"/"+tt.name, func(t *testing.T) {
				resp, body := send(t, rawRequest(t, srv, v, tt.action, tt.params, signer.Credentials{}))
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				id := resp.Header.Get("x-acs-request-id")
				if len(id) != 36 || strings.Count(id, "-") != 4 {
					t.Errorf("x-acs-request-id %q", id)
				}
				if tt.code == "" {
					if !strings.Contains(string(body), `"RequestId":"`+id+`"`) {
						t.Errorf("body %s lacks the request id %s", body, id)
					}
					return
				}
				d := decodeError(t, body)
				if d.Code != tt.code || !strings.Contains(d.Message, tt.message) || d.RequestID != id || d.HostID != fakeapi.HostID ||
					d.Recommend != "https://api.aliyun.com/troubleshoot?q="+tt.code+"&product=live&requestId="+id {
					t.Errorf("got %+v", d)
				}
			})
		}
	}
}

func TestGatewayErrorsRaw(t *testing.T) {
	srv := livetest.NewServer(t)
	action := livempu.ActionListRtcMPUTaskDetail
	params := p("AppId", livetest.DemoAppID, "PageSize", "1", "PageNo", "1")

	check := func(t *testing.T, req *http.Request, status int, code string) {
		t.Helper()
		resp, body := send(t, req)
		if resp.StatusCode != status {
			t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
		}
		if d := decodeError(t, body); d.Code != code {
			t.Errorf("code %s, want %s (%s)", d.Code, code, d.Message)
		}
	}
	t.Run("unsigned", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/?Action="+action+"&Version="+livempu.APIVersion+"&AppId=a", nil)
		check(t, req, 400, "IncompleteSignature")
	})
	t.Run("wrong version", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/?AppId=a", nil)
		s := signer.Signer{APIVersion: "2014-01-01"}
		_ = s.Sign(req, action, nil, signer.Credentials{AccessKeyID: livetest.DemoAccessKeyID, AccessKeySecret: livetest.DemoAccessKeySecret})
		check(t, req, 400, "InvalidVersion")
	})
	t.Run("tampered after signing", func(t *testing.T) {
		req := rawRequest(t, srv, signer.V3, action, params, signer.Credentials{})
		req.URL.RawQuery += "&TaskId=x"
		check(t, req, 400, "SignatureDoesNotMatch")
	})
	t.Run("tampered V1 shows string to sign", func(t *testing.T) {
		req := rawRequest(t, srv, signer.V1, action, params, signer.Credentials{})
		req.URL.RawQuery = strings.Replace(req.URL.RawQuery, "PageNo=1", "PageNo=2", 1)
		resp, body := send(t, req)
		if d := decodeError(t, body); resp.StatusCode != 400 || !strings.Contains(d.Message, "server string to sign is:POST&%2F&") {
			t.Errorf("%d %+v", resp.StatusCode, d)
		}
	})
	t.Run("unsigned security token header", func(t *testing.T) {
		req := rawRequest(t, srv, signer.V3, action, params, signer.Credentials{})
		req.Header.Set("x-acs-security-token", "t")
		check(t, req, 400, "IncompleteSignature")
	})
	t.Run("GET is served", func(t *testing.T) {
		req := rawRequest(t, srv, signer.V1, action, params, signer.Credentials{})
		req.Method = http.MethodGet
		s := signer.Signer{Version: signer.V1, APIVersion: livempu.APIVersion}
		_ = s.Sign(req, action, nil, signer.Credentials{AccessKeyID: livetest.DemoAccessKeyID, AccessKeySecret: livetest.DemoAccessKeySecret})
		if resp, body := send(t, req); resp.StatusCode != 200 {
			t.Errorf("GET: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("PUT", func(t *testing.T) {
		req := rawRequest(t, srv, signer.V3, action, params, signer.Credentials{})
		req.Method = http.MethodPut
		check(t, req, 403, "UnsupportedHTTPMethod")
	})
	t.Run("other path", func(t *testing.T) {
		req := rawRequest(t, srv, signer.V3, action, params, signer.Credentials{})
		req.URL.Path = "/v1/tasks"
		check(t, req, 404, "InvalidAction.NotFound")
	})
	t.Run("replayed raw request", func(t *testing.T) {
		for _, v := range versions {
			req := rawRequest(t, srv, v, action, params, signer.Credentials{})
			again := req.Clone(req.Context())
			if resp, body := send(t, req); resp.StatusCode != 200 {
				t.Fatalf("first: %d %s", resp.StatusCode, body)
			}
			check(t, again, 400, "SignatureNonceUsed")
		}
	})
	t.Run("form body V1", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader("AppId="+livetest.DemoAppID+"&PageNo=1&PageSize=5"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		s := signer.Signer{Version: signer.V1, APIVersion: livempu.APIVersion}
		if err := s.Sign(req, action, []byte("AppId="+livetest.DemoAppID+"&PageNo=1&PageSize=5"), signer.Credentials{AccessKeyID: livetest.DemoAccessKeyID, AccessKeySecret: livetest.DemoAccessKeySecret}); err != nil {
			t.Fatal(err)
		}
		if resp, body := send(t, req); resp.StatusCode != 200 {
			t.Errorf("form: %d %s", resp.StatusCode, body)
		}
	})
	st := srv.Stats()
	if st.Rejected == 0 || st.Accepted == 0 || st.Requests != st.Rejected+st.Accepted {
		t.Errorf("stats %+v", st)
	}
}
