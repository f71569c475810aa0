package livempu_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	livempu "github.com/livempu/livempu-go"
)

// Regression tests: 2xx bodies that are not the operation's answer, and
// redirects (issue 12, item 4).

// A 2xx body that is not the operation's answer is an error, never an empty
// page that ends a walk silently.
func TestTwoHundredThatIsNotAnAnswer(t *testing.T) {
	for _, body := range []string{`null`, " null\n", `[]`, `"ok"`, `42`, `true`, `[{"AppId":"a"}]`} {
		t.Run(body, func(t *testing.T) {
			f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, body) })
			c := newTestClient(t, f)
			err1, err2 := callBoth(context.Background(), c)
			for _, err := range []error{err1, err2} {
				var re *livempu.ResponseError
				if !errors.Is(err, livempu.ErrMalformedResponse) || !errors.As(err, &re) || re.StatusCode != 200 {
					t.Errorf("err = %v, want a ResponseError", err)
				}
			}
			if n := len(f.attempts()); n != 2 {
				t.Errorf("%d attempts for two calls: a malformed 2xx is not retried", n)
			}
			// A walk reports it instead of ending as if there were no tasks.
			walked := false
			for _, err := range livempu.MPUTasks(context.Background(), c, &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1"}) {
				walked = true
				if !errors.Is(err, livempu.ErrMalformedResponse) {
					t.Errorf("walk: err = %v", err)
				}
				break
			}
			if !walked {
				t.Error("the walk ended silently")
			}
		})
	}
}

// An error document sent with a 2xx status is the *APIError of its code,
// classified and retried as if it had come with an error status.
func TestErrorDocumentWithSuccessStatus(t *testing.T) {
	const throttled = `{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"doc-req"}`
	t.Run("retryable code", func(t *testing.T) {
		f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
			if n < 3 {
				writeJSON(w, 200, throttled)
				return
			}
			writeJSON(w, 200, oneTaskBody)
		})
		c := newTestClient(t, f)
		resp, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
		if err != nil || len(resp.MPUTasks) != 1 || len(f.attempts()) != 3 {
			t.Fatalf("resp=%v err=%v attempts=%d: a throttle with status 200 must be retried", resp, err, len(f.attempts()))
		}
	})
	t.Run("retries run out", func(t *testing.T) {
		f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, throttled) })
		c := newTestClient(t, f, livempu.WithMaxRetries(2))
		_, err := c.ListRtcMPUEventSubRecord(context.Background(), recordReq())
		var ae *livempu.APIError
		if !errors.Is(err, livempu.ErrThrottled) || !errors.As(err, &ae) {
			t.Fatalf("err = %v, want ErrThrottled", err)
		}
		if ae.StatusCode != 200 || ae.Code != "Throttling.User" || ae.RequestID != "doc-req" || ae.Action != livempu.ActionListRtcMPUEventSubRecord {
			t.Errorf("APIError = %+v", ae)
		}
		if n := len(f.attempts()); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})
	t.Run("permanent code, lower-case keys", func(t *testing.T) {
		f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
			writeJSON(w, 200, `{"code":"InvalidAppId","message":"AppId is invalid","requestId":"doc-req"}`)
		})
		c := newTestClient(t, f)
		err1, err2 := callBoth(context.Background(), c)
		for _, err := range []error{err1, err2} {
			if !errors.Is(err, livempu.ErrInvalidAppID) {
				t.Errorf("err = %v, want ErrInvalidAppID", err)
			}
		}
		if n := len(f.attempts()); n != 2 {
			t.Errorf("%d attempts for two calls: InvalidAppId is not retried", n)
		}
	})
	t.Run("a real empty page is still a page", func(t *testing.T) {
		f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
			writeJSON(w, 200, `{"RequestId":"r","MPUTasks":[],"Logs":[],"HasMore":false,"Count":0}`)
		})
		c := newTestClient(t, f)
		err1, err2 := callBoth(context.Background(), c)
		if err1 != nil || err2 != nil {
			t.Fatalf("errors %v, %v", err1, err2)
		}
	})
}

// A redirect is refused, and the error says so, with the status and the
// target's host but nothing of its path or query.
func TestRedirectIsReportedAsARefusedRedirect(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		target := "https://elsewhere.example:8443/path?token=secret-in-query"
		w.Header().Set("Location", target)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusFound)
		_, _ = w.Write([]byte(`<a href="` + target + `">Found</a>.`))
	})
	c := newTestClient(t, f)
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	var re *livempu.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusFound {
		t.Fatalf("err = %v, want a ResponseError for the 302", err)
	}
	msg := err.Error()
	for _, want := range []string{"redirect", "302", "elsewhere.example:8443", "req-1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	for _, bad := range []string{"secret-in-query", "/path", "invalid JSON", "offset"} {
		if strings.Contains(msg, bad) {
			t.Errorf("message contains %q: %s", bad, msg)
		}
	}
	if n := len(f.attempts()); n != 1 {
		t.Errorf("%d attempts: a redirect is not retried", n)
	}
}

// A redirect whose Location net/http cannot parse (a captive portal that
// echoes the signed URL after a bad escape) is still a refused redirect:
// one attempt, and nothing of the Location in the error.
func TestRedirectWithUnparsableLocationIsRefusedNotRetried(t *testing.T) {
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) {
		w.Header().Set("Location", "https://portal.example/login%zz?return=/%3FSignature%3Decho-"+testToken)
		w.WriteHeader(http.StatusFound)
	})
	c := newTestClient(t, f)
	_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	checkErr(t, err)
	var re *livempu.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusFound || re.RequestID != "req-1" {
		t.Fatalf("err = %v, want a ResponseError for the 302 with its request id", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "redirect refused") {
		t.Errorf("message does not say the redirect was refused: %s", msg)
	}
	for _, bad := range []string{"portal", "login", "return="} {
		if strings.Contains(msg, bad) {
			t.Errorf("message contains %q of the Location: %s", bad, msg)
		}
	}
	if n := len(f.attempts()); n != 1 {
		t.Errorf("%d attempts: a redirect is not retried", n)
	}
}
