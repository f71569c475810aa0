package acsauth

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

const (
	signtestID     = "LTAI5tFakeAccessKeyId"
	signtestSecret = "FakeSecret+/=~*Key0123"
	signtestToken  = "CAIS+gF1q6Ft5B2yfSjIr5bdGtv/3LlJ0qW+ZR7Fl0ZnS==yy"
)

func signtestSecrets(id string) (string, bool) {
	if id == signtestID {
		return signtestSecret, true
	}
	return "", false
}

// signtestRequest is a realistic ListRtcMPUEventSubRecord request.
func signtestRequest(t testing.TB, method string) *http.Request {
	t.Helper()
	q := url.Values{
		"AppId":     {"yourAppId"},
		"SubId":     {"Sub-9799B2C45009799B2C4500"},
		"StartTime": {"2024-04-09T00:00:00Z"},
		"EndTime":   {"2024-04-09T10:00:00Z"},
		"PageNo":    {"1"},
		"PageSize":  {"100"},
	}
	req, err := http.NewRequest(method, "https://live.aliyuncs.com/?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// signtestSign signs req as signer.Signer.Sign does for a zero Signer with
// Version ver and APIVersion 2016-11-01: now, with a fresh nonce.
func signtestSign(t testing.TB, req *http.Request, ver Version, body []byte, token string) {
	t.Helper()
	in := SignInput{Action: "ListRtcMPUEventSubRecord", APIVersion: "2016-11-01",
		AccessKeyID: signtestID, AccessKeySecret: signtestSecret, SecurityToken: token, Now: time.Now().UTC()}
	sign := SignRequestV3
	if ver == V1 {
		sign = SignRequestV1
	}
	if err := sign(req, req.Method, body, &in); err != nil {
		t.Fatal(err)
	}
}

func signtestVerifyOK(t *testing.T, req *http.Request, body []byte, want Version) Verified {
	t.Helper()
	v, err := Verify(req, body, signtestSecrets)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if v.Version != want {
		t.Fatalf("Verify version = %v, want %v", v.Version, want)
	}
	return v
}
