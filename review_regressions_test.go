package livempu_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// Regression tests for defects found in review.

func TestRedactionSurvivesCharactersThatGrowWhenLowerCased(t *testing.T) {
	msg := strings.Repeat("Ⱥ", 20) + "string to sign is:POST&%2F&" + testToken
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		writeJSON(w, 400, `{"Code":"SignatureDoesNotMatch","Message":"`+msg+`"}`)
	})
	c := newTestClient(t, f)
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()) // must not panic
	checkErr(t, err)
	if !errors.Is(err, livempu.ErrSignatureMismatch) || !strings.Contains(err.Error(), "redacted") {
		t.Fatalf("err = %v", err)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var leaked atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
		writeJSON(w, 200, oneTaskBody)
	}))
	defer elsewhere.Close()
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		w.Header().Set("Location", elsewhere.URL+"/steal")
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	following := &http.Client{} // follows redirects by default
	refusing := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for name, hc := range map[string]*http.Client{"following client": following, "refusing client": refusing} {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, f, livempu.WithHTTPClient(hc), livempu.WithMaxRetries(0))
			_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			var re *livempu.ResponseError
			if !errors.As(err, &re) || re.StatusCode != http.StatusTemporaryRedirect {
				t.Fatalf("err = %v, want a ResponseError for the 307", err)
			}
			if n := leaked.Load(); n != 0 {
				t.Fatalf("the redirect target received %d signed requests", n)
			}
		})
	}
	if following.CheckRedirect != nil {
		t.Error("the caller's client was modified")
	}
}

func TestNewClientWithAReplacedDefaultTransport(t *testing.T) {
	saved := http.DefaultTransport
	t.Cleanup(func() { http.DefaultTransport = saved })
	http.DefaultTransport = fixedTransport{[]byte(oneTaskBody)} // as httpmock.Activate does
	c, err := livempu.NewClient(livempu.WithStaticCredentials(testKeyID, testSecret, ""),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if err != nil || resp.MPUTasks[0].TaskID != "t1" {
		t.Fatalf("resp=%v err=%v", resp, err)
	}
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		if n == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		writeJSON(w, 200, oneTaskBody)
	})
	c := newTestClient(t, f, livempu.WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
	if _, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq()); err != nil {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.attempts()); n != 2 {
		t.Errorf("attempts = %d, want 2", n)
	}
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c, err := livempu.NewClient(livempu.WithEndpoint(srv.URL), livempu.WithStaticCredentials(testKeyID, testSecret, ""),
		livempu.WithRetryBackoff(time.Millisecond, time.Millisecond), livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	var opErr *livempu.OperationError
	if !errors.As(err, &opErr) || opErr.Attempts != 1 {
		t.Fatalf("err = %v, want one attempt", err)
	}
}

func TestEndpointWithAnEmptyQueryIsRefused(t *testing.T) {
	if _, err := livempu.NewClient(livempu.WithEndpoint("https://live.aliyuncs.com/?")); err == nil {
		t.Fatal("an endpoint ending in ? was accepted")
	}
}

func TestEnhancedParamFromInvalidJSONKeepsOnlyTheRawText(t *testing.T) {
	var task livempu.MPUTask
	if err := json.Unmarshal([]byte(`{"TranscodeParams":{"EncodeParams":{"EnhancedParam":"{\"profile\":\"high\",\"preset\":"}}}`), &task); err != nil {
		t.Fatal(err)
	}
	if p := task.TranscodeParams.EncodeParams.EnhancedParam; p.Raw != `{"profile":"high","preset":` || p.Profile != "" || p.Preset != "" {
		t.Fatalf("got %+v", p)
	}
}

// A body lost on the first attempt, then retryable errors until the retries
// run out: the last answer must still be read and reported.
func TestLastAnswerIsReadAfterABrokenBodyAndRetries(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"RequestId":"r","MPUTasks":[`))
			rc := http.NewResponseController(w)
			_ = rc.Flush()
			if conn, _, err := rc.Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		writeJSON(w, 503, errorBody("ServiceUnavailable"))
	}))
	defer srv.Close()
	c, err := livempu.NewClient(livempu.WithEndpoint(srv.URL), livempu.WithStaticCredentials(testKeyID, testSecret, ""),
		livempu.WithMaxRetries(2), livempu.WithRetryBackoff(time.Millisecond, time.Millisecond),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	if !errors.Is(err, livempu.ErrServiceUnavailable) || resp != nil || n.Load() != 3 {
		t.Fatalf("resp=%v err=%v requests=%d, want ErrServiceUnavailable after 3", resp, err, n.Load())
	}
}
