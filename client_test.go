package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/signer"
)

var versions = []signer.Version{signer.V3, signer.V1}

func TestRetryResignsEveryAttempt(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
				if n == 1 {
					writeJSON(w, 503, errorBody("ServiceUnavailable"))
					return
				}
				writeJSON(w, 200, oneTaskBody)
			})
			c := newTestClient(t, f, livempu.WithSignatureVersion(v))
			resp, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if resp.RequestID != "ok-req" || len(resp.MPUTasks) != 1 || resp.MPUTasks[0].MixMode != livempu.MixModeMixed {
				t.Fatalf("unexpected response %+v", resp)
			}
			got := f.attempts()
			if len(got) != 2 {
				t.Fatalf("attempts = %d, want 2", len(got))
			}
			if got[0].Nonce == got[1].Nonce {
				t.Errorf("both attempts used nonce %s", got[0].Nonce)
			}
			for _, a := range got {
				if signer.Version(a.Version) != v || a.SecurityToken != testToken || a.Action != livempu.ActionListRtcMPUTaskDetail || a.APIVersion != livempu.APIVersion {
					t.Errorf("attempt %+v: wrong version, token, action or API version", a.Verified)
				}
				if a.param("AppId") != "app-1" || a.param("PageSize") != "10" || a.param("PageNo") != "1" {
					t.Errorf("attempt params %v", a.Params)
				}
			}
		})
	}
}

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		code     string
		header   http.Header
		attempts int // with WithMaxRetries(2)
		want     error
	}{
		{"503 is retried", 503, "ServiceUnavailable", nil, 3, livempu.ErrServiceUnavailable},
		{"500 InternalError is retried", 500, "InternalError", nil, 3, livempu.ErrInternalError},
		{"throttling 400 is retried", 400, "Throttling.User", http.Header{"X-Ratelimit-User-Api": {"Limit:50,Remain:0,TimeLeft:3,Reset:1"}}, 3, livempu.ErrThrottled},
		{"Throttling.Api is retried", 400, "Throttling.Api", nil, 3, livempu.ErrThrottled},
		{"InvalidParam is not retried", 400, "InvalidParam", nil, 1, livempu.ErrInvalidParam},
		{"Forbidden is not retried", 403, "Forbidden.RAM", nil, 1, livempu.ErrForbidden},
		{"signature mismatch is not retried", 400, "SignatureDoesNotMatch", nil, 1, livempu.ErrSignatureMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
				for k, vs := range tc.header {
					w.Header()[k] = vs
				}
				writeJSON(w, tc.status, errorBody(tc.code))
			})
			c := newTestClient(t, f, livempu.WithMaxRetries(2))
			_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			checkErr(t, err)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if n := len(f.attempts()); n != tc.attempts {
				t.Errorf("attempts = %d, want %d", n, tc.attempts)
			}
			var opErr *livempu.OperationError
			if !errors.As(err, &opErr) || opErr.Attempts != tc.attempts {
				t.Errorf("OperationError attempts: %+v", opErr)
			}
			var apiErr *livempu.APIError
			if !errors.As(err, &apiErr) || apiErr.Code != tc.code || apiErr.StatusCode != tc.status || apiErr.RequestID != "body-req" {
				t.Errorf("APIError = %+v", apiErr)
			}
		})
	}
}

func TestMaxRetriesZeroMakesOneAttempt(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 503, errorBody("ServiceUnavailable")) })
	c := newTestClient(t, f, livempu.WithMaxRetries(0))
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if !errors.Is(err, livempu.ErrServiceUnavailable) || len(f.attempts()) != 1 {
		t.Fatalf("err=%v attempts=%d", err, len(f.attempts()))
	}
}

func TestThrottleWaitHonoursTimeLeft(t *testing.T) {
	var first time.Time
	var gap time.Duration
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		if n == 1 {
			first = time.Now()
			w.Header().Set("x-ratelimit-user-api", "Limit:50,Remain:0,TimeLeft:150,Reset:1")
			writeJSON(w, 400, errorBody("Throttling.User"))
			return
		}
		gap = time.Since(first)
		writeJSON(w, 200, oneTaskBody)
	})
	c := newTestClient(t, f)
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	if gap < 140*time.Millisecond {
		t.Errorf("retry came %v after a throttle asking for 150ms", gap)
	}
}

func TestDocumentedErrorCodes(t *testing.T) {
	codes := map[string]error{
		"InvalidParam":                 livempu.ErrInvalidParam,
		"InvalidAppId":                 livempu.ErrInvalidAppID,
		"MissingParam":                 livempu.ErrMissingParam,
		"MissingAppId":                 livempu.ErrMissingParam,
		"InternalError":                livempu.ErrInternalError,
		"OperationDenied":              livempu.ErrOperationDenied,
		"Forbidden":                    livempu.ErrForbidden,
		"Throttling":                   livempu.ErrThrottled,
		"Throttling.User":              livempu.ErrThrottled,
		"SignatureDoesNotMatch":        livempu.ErrSignatureMismatch,
		"IncompleteSignature":          livempu.ErrSignatureMismatch,
		"InvalidAccessKeyId.NotFound":  livempu.ErrInvalidAccessKeyID,
		"InvalidTimeStamp.Expired":     livempu.ErrTimestampExpired,
		"SignatureNonceUsed":           livempu.ErrNonceUsed,
		"ServiceUnavailable":           livempu.ErrServiceUnavailable,
		"InvalidSecurityToken.Expired": livempu.ErrInvalidSecurityToken,
	}
	all := []error{livempu.ErrInvalidParam, livempu.ErrInvalidAppID, livempu.ErrMissingParam, livempu.ErrInternalError,
		livempu.ErrOperationDenied, livempu.ErrForbidden, livempu.ErrThrottled, livempu.ErrSignatureMismatch,
		livempu.ErrInvalidAccessKeyID, livempu.ErrTimestampExpired, livempu.ErrNonceUsed, livempu.ErrServiceUnavailable, livempu.ErrInvalidSecurityToken}
	for code, want := range codes {
		t.Run(code, func(t *testing.T) {
			f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 400, errorBody(code)) })
			c := newTestClient(t, f, livempu.WithMaxRetries(0))
			errT, errR := callBoth(context.Background(), c)
			for _, err := range []error{errT, errR} {
				checkErr(t, err)
				for _, s := range all {
					if got := errors.Is(err, s); got != (s == want) {
						t.Errorf("errors.Is(%v, %v) = %v", err, s, got)
					}
				}
			}
		})
	}
	t.Run("unknown code", func(t *testing.T) {
		f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 409, errorBody("Brand.New")) })
		c := newTestClient(t, f)
		_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
		var apiErr *livempu.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "Brand.New" || apiErr.HostID != "live.aliyuncs.com" || !strings.Contains(apiErr.Recommend, "Brand.New") {
			t.Fatalf("err = %#v", err)
		}
		for _, s := range all {
			if errors.Is(err, s) {
				t.Errorf("unknown code matched %v", s)
			}
		}
	})
}

func TestSignatureMismatchMessageRedacted(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		writeJSON(w, 400, `{"Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&SecurityToken%3D`+testToken+`"}`)
	})
	c := newTestClient(t, f, livempu.WithSignatureVersion(signer.V1))
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	checkErr(t, err)
	if !errors.Is(err, livempu.ErrSignatureMismatch) || !strings.Contains(err.Error(), "redacted") {
		t.Fatalf("err = %v", err)
	}
}

func TestMalformedResponses(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		prefix string
	}{
		{"truncated JSON", 200, `{"RequestId":"r","MPUTasks":[{"AppId":"a"`, `{"RequestId":"r"`},
		{"empty body", 200, ``, ``},
		{"HTML from a proxy", 502, `<html><body>Bad Gateway</body></html>`, `<html>`},
		{"wrong type", 200, `{"MPUTasks":{"not":"an array"}}`, `{"MPUTasks"`},
		{"error without code", 400, `{"Message":"?"}`, `{"Message"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, tc.status, tc.body) })
			c := newTestClient(t, f, livempu.WithMaxRetries(0))
			_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			var re *livempu.ResponseError
			if !errors.Is(err, livempu.ErrMalformedResponse) || !errors.As(err, &re) {
				t.Fatalf("err = %v, want a ResponseError", err)
			}
			if re.StatusCode != tc.status || re.RequestID != "req-1" || !strings.HasPrefix(re.BodyPrefix, tc.prefix) {
				t.Errorf("ResponseError = %+v", re)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(tc.status)) || !strings.Contains(err.Error(), "req-1") {
				t.Errorf("message lacks status or request id: %v", err)
			}
		})
	}
}

func TestResponseSizeLimit(t *testing.T) {
	big := `{"RequestId":"r","MPUTasks":[],"Pad":"` + strings.Repeat("x", 4096) + `"}`
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, big) })
	c := newTestClient(t, f, livempu.WithMaxResponseBytes(1024))
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	var re *livempu.ResponseError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "size limit") || len(re.BodyPrefix) > 128 {
		t.Fatalf("err = %v", err)
	}
}

func TestValidationSendsNothing(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, oneTaskBody) })
	c := newTestClient(t, f)
	now := time.Now()
	taskCases := map[string]*livempu.ListRtcMPUTaskDetailRequest{
		"AppID":           {PageSize: 1, PageNo: 1},
		"AppID too long":  {AppID: strings.Repeat("a", 65), PageSize: 1, PageNo: 1},
		"AppID charset":   {AppID: "a b", PageSize: 1, PageNo: 1},
		"TaskID too long": {AppID: "a", TaskID: strings.Repeat("t", 56)},
		"TaskID charset":  {AppID: "a", TaskID: "t/1"},
		"PageSize 0":      {AppID: "a", PageNo: 1},
		"PageSize 101":    {AppID: "a", PageSize: 101, PageNo: 1},
		"PageNo 0":        {AppID: "a", PageSize: 10},
		"PageNo -1":       {AppID: "a", TaskID: "t", PageNo: -1},
		"nil":             nil,
	}
	for name, req := range taskCases {
		_, err := c.ListRtcMPUTaskDetail(context.Background(), req)
		var ve *livempu.ValidationError
		if !errors.Is(err, livempu.ErrInvalidRequest) || !errors.As(err, &ve) || ve.Field == "" || ve.Reason == "" {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	recordCases := map[string]*livempu.ListRtcMPUEventSubRecordRequest{
		"no times":     {AppID: "a", PageSize: 1, PageNo: 1},
		"no end":       {AppID: "a", StartTime: now, PageSize: 1, PageNo: 1},
		"start > end":  {AppID: "a", StartTime: now, EndTime: now.Add(-time.Minute), PageSize: 1, PageNo: 1},
		"no page":      {AppID: "a", StartTime: now, EndTime: now},
		"control char": {AppID: "a", SubID: "s\n", StartTime: now, EndTime: now, PageSize: 1, PageNo: 1},
		"no app":       {StartTime: now, EndTime: now, PageSize: 1, PageNo: 1},
	}
	for name, req := range recordCases {
		_, err := c.ListRtcMPUEventSubRecord(context.Background(), req)
		if !errors.Is(err, livempu.ErrInvalidRequest) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if n := len(f.attempts()); n != 0 {
		t.Fatalf("server saw %d requests for invalid input", n)
	}
	// A lookup by TaskID needs no paging fields.
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "a", TaskID: "t_1-x"}); err != nil {
		t.Fatalf("TaskID lookup: %v", err)
	}
}

func TestRequestTimesAreSentInUTC(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		writeJSON(w, 200, `{"RequestId":"r","Count":0,"HasMore":false,"Logs":[]}`)
	})
	c := newTestClient(t, f)
	shanghai := time.FixedZone("CST", 8*3600)
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: "a", SubID: "Sub 1/2", PageSize: 5, PageNo: 2,
		StartTime: time.Date(2024, 4, 9, 8, 0, 0, 500, shanghai), EndTime: time.Date(2024, 4, 9, 18, 0, 0, 0, shanghai)}
	if _, err := c.ListRtcMPUEventSubRecord(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	a := f.attempts()[0]
	if a.param("StartTime") != "2024-04-09T00:00:00Z" || a.param("EndTime") != "2024-04-09T10:00:00Z" || a.param("SubId") != "Sub 1/2" || a.param("PageNo") != "2" {
		t.Errorf("params %v", a.Params)
	}
}

func TestCancelDuringLimiterWait(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, oneTaskBody) })
	slow := blockingLimiter{}
	c := newTestClient(t, f, livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, slow))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListRtcMPUTaskDetail(ctx, taskReq())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned after %v", d)
	}
	if len(f.attempts()) != 0 {
		t.Error("a request was sent")
	}
}

// blockingLimiter never grants a token.
type blockingLimiter struct{}

func (blockingLimiter) Wait(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

func TestCancelDuringBackoffAndInFlight(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 503, errorBody("ServiceUnavailable")) })
	c := newTestClient(t, f, livempu.WithRetryBackoff(10*time.Second, 10*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListRtcMPUTaskDetail(ctx, taskReq())
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("backoff: err = %v after %v", err, time.Since(start))
	}

	hang := make(chan struct{})
	defer close(hang)
	f2 := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { <-hang })
	c2 := newTestClient(t, f2)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	start = time.Now()
	_, err = c2.ListRtcMPUTaskDetail(ctx2, taskReq())
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("in flight: err = %v after %v", err, time.Since(start))
	}
}

func TestClientsOfOneAccountShareTheDefaultBudget(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, oneTaskBody) })
	mk := func(id string) *livempu.Client {
		c, err := livempu.NewClient(livempu.WithEndpoint(f.srv.URL), livempu.WithStaticCredentials(id, testSecret, ""))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// A unique key id per run keeps the process-wide bucket fresh.
	id := fmt.Sprintf("%s-%d", testKeyID, time.Now().UnixNano())
	a, b := mk(id), mk(id)
	const calls = 20
	start := time.Now()
	done := make(chan struct{})
	for _, c := range []*livempu.Client{a, b} {
		go func() {
			for i := 0; i < calls/2; i++ {
				_, _ = c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			}
			done <- struct{}{}
		}()
	}
	<-done
	<-done
	// 20 calls through one bucket at 48.5/s take at least 19/48.5 s.
	if d := time.Since(start); d < 380*time.Millisecond {
		t.Fatalf("20 calls on one account took %v: the clients did not share a bucket", d)
	}
	// Another account has its own bucket, judged by order, not by a clock
	// a busy machine can stretch: while 200 calls of account x queue at
	// its bucket (four seconds of tokens), one call of account y goes
	// through at once. Through a shared bucket it would come after them.
	fx := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, oneTaskBody) })
	cx, err := livempu.NewClient(livempu.WithEndpoint(fx.srv.URL), livempu.WithStaticCredentials(id+"-x", testSecret, ""))
	if err != nil {
		t.Fatal(err)
	}
	xctx, stopX := context.WithCancel(context.Background())
	var queued sync.WaitGroup
	for range 200 {
		queued.Add(1)
		go func() {
			defer queued.Done()
			_, _ = cx.ListRtcMPUTaskDetail(xctx, taskReq())
		}()
	}
	for len(fx.attempts()) < 5 { // the queue has formed
		time.Sleep(time.Millisecond)
	}
	if _, err := mk(id+"-y").ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	sentX := len(fx.attempts())
	stopX()
	queued.Wait()
	if sentX >= 100 {
		t.Errorf("account y's call came after %d of account x's 200 queued calls: they share a bucket", sentX)
	}
}

func TestWithHTTPClientReadsTransportAtCallTime(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			hc := &http.Client{}
			c, err := livempu.NewClient(livempu.WithHTTPClient(hc), livempu.WithStaticCredentials(testKeyID, testSecret, ""), livempu.WithSignatureVersion(v))
			if err != nil {
				t.Fatal(err)
			}
			httpmock.ActivateNonDefault(hc) // after NewClient
			defer httpmock.DeactivateAndReset()
			var actions atomic.Int32
			httpmock.RegisterResponder("POST", "https://live.aliyuncs.com/", func(r *http.Request) (*http.Response, error) {
				actions.Add(1)
				action := r.Header.Get("x-acs-action")
				if action == "" {
					action = r.URL.Query().Get("Action")
				}
				if action != livempu.ActionListRtcMPUTaskDetail {
					return httpmock.NewStringResponse(404, errorBody("InvalidAction.NotFound")), nil
				}
				return httpmock.NewStringResponse(200, oneTaskBody), nil
			})
			resp, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			if err != nil || resp.MPUTasks[0].TaskID != "t1" || actions.Load() != 1 {
				t.Fatalf("resp=%+v err=%v calls=%d", resp, err, actions.Load())
			}
			if hc.Transport == nil {
				t.Error("the caller's client was modified")
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	ok := map[string]string{
		"":                                       "https://live.aliyuncs.com/",
		"live.ap-southeast-1.aliyuncs.com":       "https://live.ap-southeast-1.aliyuncs.com/",
		"https://live.eu-central-1.aliyuncs.com": "https://live.eu-central-1.aliyuncs.com/",
		"http://127.0.0.1:8080":                  "http://127.0.0.1:8080/",
		"http://localhost:1":                     "http://localhost:1/",
		"http://[::1]:9":                         "http://[::1]:9/",
	}
	for in, want := range ok {
		opts := []livempu.Option{livempu.WithStaticCredentials("a", "b", "")}
		if in != "" {
			opts = append(opts, livempu.WithEndpoint(in))
		}
		c, err := livempu.NewClient(opts...)
		if err != nil || c.Endpoint() != want {
			t.Errorf("%q: endpoint %v, err %v", in, c, err)
		}
	}
	for _, bad := range []string{"http://live.aliyuncs.com", "ftp://x", "https://", "https://u:p@host", "https://h/?q=1", "http://10.0.0.1"} {
		if _, err := livempu.NewClient(livempu.WithEndpoint(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := livempu.NewClient(livempu.WithEndpoint("http://10.0.0.1"), livempu.WithInsecureHTTP()); err != nil {
		t.Errorf("WithInsecureHTTP: %v", err)
	}
	for name, opt := range map[string]livempu.Option{
		"negative retries": livempu.WithMaxRetries(-1),
		"bad version":      livempu.WithSignatureVersion(signer.Version(9)),
		"bad backoff":      livempu.WithRetryBackoff(time.Second, time.Millisecond),
		"bad limit":        livempu.WithMaxResponseBytes(0),
		"unknown action":   livempu.WithRateLimiter("Nope", nil),
		"nil clock":        livempu.WithClock(nil),
	} {
		if _, err := livempu.NewClient(opt); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestUserAgent(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, oneTaskBody) })
	c := newTestClient(t, f, livempu.WithUserAgent("myapp/1.2"))
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	ua := f.attempts()[0].Header.Get("User-Agent")
	for _, want := range []string{"livempu-go/" + livempu.SDKVersion, runtime.Version(), runtime.GOOS, "myapp/1.2"} {
		if !strings.Contains(ua, want) {
			t.Errorf("User-Agent %q lacks %q", ua, want)
		}
	}
}

func TestNoSecretInClientOrNetworkErrors(t *testing.T) {
	c, err := livempu.NewClient(livempu.WithEndpoint("http://127.0.0.1:1"), livempu.WithStaticCredentials(testKeyID, testSecret, testToken),
		livempu.WithSignatureVersion(signer.V1), livempu.WithMaxRetries(1), livempu.WithRetryBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c)} {
		assertNoSecret(t, "client", s)
	}
	_, err = c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if err == nil {
		t.Fatal("connection refused expected")
	}
	checkErr(t, err)
	var opErr *livempu.OperationError
	if !errors.As(err, &opErr) || opErr.Attempts != 2 {
		t.Errorf("err = %#v", err)
	}
}

func TestCredentialsErrorIsNotRetried(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, oneTaskBody) })
	calls := 0
	p := signer.CredentialsProviderFunc(func(context.Context) (signer.Credentials, error) {
		calls++
		return signer.Credentials{}, errors.New("vault down")
	})
	c := newTestClient(t, f, livempu.WithCredentialsProvider(p))
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if err == nil || !strings.Contains(err.Error(), "vault down") || calls != 1 || len(f.attempts()) != 0 {
		t.Fatalf("err=%v calls=%d", err, calls)
	}
}

func TestRotatedTokenPickedUpOnRetry(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		if n == 1 {
			writeJSON(w, 503, errorBody("ServiceUnavailable"))
			return
		}
		writeJSON(w, 200, oneTaskBody)
	})
	var n atomic.Int32
	p := signer.CredentialsProviderFunc(func(context.Context) (signer.Credentials, error) {
		return signer.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret, SecurityToken: fmt.Sprintf("tok-%d", n.Add(1))}, nil
	})
	c := newTestClient(t, f, livempu.WithCredentialsProvider(p))
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatal(err)
	}
	got := f.attempts()
	if got[0].SecurityToken != "tok-1" || got[1].SecurityToken != "tok-2" {
		t.Errorf("tokens %q, %q", got[0].SecurityToken, got[1].SecurityToken)
	}
}
