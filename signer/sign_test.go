package signer

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livempu/livempu-go/internal/acsauth"
)

const (
	signtestID     = "LTAI5tFakeAccessKeyId"
	signtestSecret = "FakeSecret+/=~*Key0123"
	signtestToken  = "CAIS+gF1q6Ft5B2yfSjIr5bdGtv/3LlJ0qW+ZR7Fl0ZnS==yy"
)

var signtestCreds = Credentials{AccessKeyID: signtestID, AccessKeySecret: signtestSecret}

func signtestSTS() Credentials {
	c := signtestCreds
	c.SecurityToken = signtestToken
	return c
}

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

// signtestClock returns increasing times, one second apart.
func signtestClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2024, 4, 9, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func signtestVerifyOK(t *testing.T, req *http.Request, body []byte, want Version) acsauth.Verified {
	t.Helper()
	v, err := acsauth.Verify(req, body, signtestSecrets)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if Version(v.Version) != want {
		t.Fatalf("Verify version = %v, want %v", v.Version, want)
	}
	return v
}

var signtestHex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestSignV3RetryReplaces(t *testing.T) {
	req := signtestRequest(t, http.MethodPost)
	rawQuery := req.URL.RawQuery
	s := &Signer{APIVersion: "2016-11-01", Now: signtestClock()}
	if err := s.Sign(req, "ListRtcMPUEventSubRecord", nil, signtestCreds); err != nil {
		t.Fatal(err)
	}
	first := req.Header.Clone()
	v1 := signtestVerifyOK(t, req, nil, V3)
	if err := s.Sign(req, "ListRtcMPUEventSubRecord", nil, signtestCreds); err != nil {
		t.Fatal(err)
	}
	v2 := signtestVerifyOK(t, req, nil, V3)
	for _, h := range []string{"X-Acs-Signature-Nonce", "X-Acs-Date", "Authorization"} {
		if len(req.Header[h]) != 1 {
			t.Errorf("%s has %d values after two Sign calls", h, len(req.Header[h]))
		}
		if first.Get(h) == req.Header.Get(h) {
			t.Errorf("%s was not replaced by the second Sign", h)
		}
	}
	if !signtestHex32.MatchString(v1.Nonce) || v1.Nonce == v2.Nonce {
		t.Errorf("nonces %q, %q: want two different 32-hex nonces", v1.Nonce, v2.Nonce)
	}
	if !v2.Time.After(v1.Time) || v2.Time.Location() != time.UTC {
		t.Errorf("times %v, %v", v1.Time, v2.Time)
	}
	if got := req.Header.Get("X-Acs-Date"); got != "2024-04-09T02:00:02Z" {
		t.Errorf("x-acs-date = %q, want the UTC time", got)
	}
	if req.URL.RawQuery != rawQuery {
		t.Errorf("V3 changed the query: %q", req.URL.RawQuery)
	}
	for _, h := range []string{"X-Acs-Accesskey-Id", "X-Acs-Credentials-Provider", "X-Acs-Security-Token"} {
		if _, ok := req.Header[h]; ok {
			t.Errorf("V3 Sign set %s", h)
		}
	}
	if got := req.Header.Get("X-Acs-Content-Sha256"); got != acsauth.EmptyPayloadHash {
		t.Errorf("x-acs-content-sha256 = %q", got)
	}
	wantParams := []acsauth.Param{{Key: "AppId", Value: "yourAppId"}, {Key: "EndTime", Value: "2024-04-09T10:00:00Z"}, {Key: "PageNo", Value: "1"},
		{Key: "PageSize", Value: "100"}, {Key: "StartTime", Value: "2024-04-09T00:00:00Z"}, {Key: "SubId", Value: "Sub-9799B2C45009799B2C4500"}}
	if !slices.Equal(v2.Params, wantParams) || v2.Action != "ListRtcMPUEventSubRecord" || v2.APIVersion != "2016-11-01" || v2.AccessKeyID != signtestID {
		t.Errorf("Verified = %+v", v2)
	}
}

func TestSignV1RetryReplaces(t *testing.T) {
	req := signtestRequest(t, http.MethodPost)
	req.Header.Set("Authorization", "Bearer stale")
	s := &Signer{Version: V1, APIVersion: "2016-11-01", Now: signtestClock()}
	if err := s.Sign(req, "ListRtcMPUEventSubRecord", nil, signtestCreds); err != nil {
		t.Fatal(err)
	}
	q1 := req.URL.Query()
	v1 := signtestVerifyOK(t, req, nil, V1)
	if err := s.Sign(req, "ListRtcMPUEventSubRecord", nil, signtestCreds); err != nil {
		t.Fatal(err)
	}
	q2 := req.URL.Query()
	v2 := signtestVerifyOK(t, req, nil, V1)
	for _, k := range []string{"Signature", "SignatureNonce", "Timestamp", "AccessKeyId", "Action", "Version", "Format", "SignatureMethod", "SignatureVersion"} {
		if len(q2[k]) != 1 {
			t.Errorf("%s has %d values after two Sign calls", k, len(q2[k]))
		}
	}
	for _, k := range []string{"Signature", "SignatureNonce", "Timestamp"} {
		if q1.Get(k) == q2.Get(k) {
			t.Errorf("%s was not replaced", k)
		}
	}
	if v1.Nonce == v2.Nonce || !signtestHex32.MatchString(v2.Nonce) {
		t.Errorf("nonces %q, %q", v1.Nonce, v2.Nonce)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("V1 kept an Authorization header")
	}
	if q2.Get("Format") != "JSON" || q2.Get("SignatureMethod") != "HMAC-SHA1" || q2.Get("SignatureVersion") != "1.0" || q2.Get("Timestamp") != "2024-04-09T02:00:02Z" {
		t.Errorf("common params: %v", q2)
	}
	if _, ok := q2["SecurityToken"]; ok {
		t.Error("SecurityToken sent without a token")
	}
	if len(v2.Params) != 6 {
		t.Errorf("Verified.Params = %v, want the 6 operation params", v2.Params)
	}
}

func TestSignSecurityToken(t *testing.T) {
	for _, ver := range []Version{V3, V1} {
		t.Run(ver.String(), func(t *testing.T) {
			req := signtestRequest(t, http.MethodPost)
			s := &Signer{Version: ver, APIVersion: "2016-11-01"}
			token := func() (string, int) {
				if ver == V3 {
					return req.Header.Get("X-Acs-Security-Token"), len(req.Header.Values("X-Acs-Security-Token"))
				}
				q := req.URL.Query()
				return q.Get("SecurityToken"), len(q["SecurityToken"])
			}
			if err := s.Sign(req, "ListRtcMPUTaskDetail", nil, signtestSTS()); err != nil {
				t.Fatal(err)
			}
			if tok, n := token(); tok != signtestToken || n != 1 {
				t.Errorf("with STS: token %q (%d values)", tok, n)
			}
			v := signtestVerifyOK(t, req, nil, ver)
			if v.SecurityToken != signtestToken {
				t.Errorf("Verified.SecurityToken = %q", v.SecurityToken)
			}
			if ver == V3 && !strings.Contains(req.Header.Get("Authorization"), "x-acs-security-token") {
				t.Error("token header not signed")
			}
			// Re-signing with long-term keys removes the token.
			if err := s.Sign(req, "ListRtcMPUTaskDetail", nil, signtestCreds); err != nil {
				t.Fatal(err)
			}
			if tok, n := token(); tok != "" || n != 0 {
				t.Errorf("without STS: token %q (%d values)", tok, n)
			}
			if v := signtestVerifyOK(t, req, nil, ver); v.SecurityToken != "" {
				t.Errorf("Verified.SecurityToken = %q", v.SecurityToken)
			}
		})
	}
}

func TestSignV1QueryRoundTrip(t *testing.T) {
	op := url.Values{
		"AppId":    {"a b~c*d+e/f=g&h%i"},
		"TaskId":   {"直播-é😀"},
		"Empty":    {""},
		"Tag.1":    {"z", "y"}, // repeated
		"Zz":       {"last"},
		"AAA":      {"first"},
		"RegionId": {"cn-shanghai"},
	}
	stale := url.Values{"Signature": {"old"}, "Timestamp": {"2000-01-01T00:00:00Z"}, "SignatureNonce": {"n"},
		"SecurityToken": {"old-token"}, "Format": {"XML"}, "Action": {"Other"}}
	raw := op.Encode() + "&" + stale.Encode()
	req, err := http.NewRequest(http.MethodGet, "https://live.aliyuncs.com/?"+raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &Signer{Version: V1, APIVersion: "2016-11-01", Nonce: func() string { return "fixed-nonce" }}
	if err := s.Sign(req, "ListRtcMPUTaskDetail", nil, signtestCreds); err != nil {
		t.Fatal(err)
	}
	// The raw query is sorted, percent-encoded (%20, never +) and in order.
	var keys []string
	for _, kv := range strings.Split(req.URL.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		keys = append(keys, k)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("query keys not sorted: %v", keys)
	}
	if strings.Contains(req.URL.RawQuery, "+") {
		t.Errorf("raw query uses '+': %s", req.URL.RawQuery)
	}
	got, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range op {
		g := slices.Clone(got[k])
		w := slices.Clone(vs)
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("param %s = %q, want %q", k, g, w)
		}
	}
	if got.Get("Action") != "ListRtcMPUTaskDetail" || got.Get("Format") != "JSON" || got.Get("SignatureNonce") != "fixed-nonce" ||
		len(got["Signature"]) != 1 || got.Get("Signature") == "old" || got.Has("SecurityToken") {
		t.Errorf("common params not replaced: %v", got)
	}
	if len(got) != len(op)+9 {
		t.Errorf("%d params after Sign, want %d: %v", len(got), len(op)+9, got)
	}
	v := signtestVerifyOK(t, req, nil, V1)
	// RegionId is a common parameter, not an operation one.
	if len(v.Params) != 7 || slices.ContainsFunc(v.Params, func(p acsauth.Param) bool { return p.Key == "RegionId" }) {
		t.Errorf("Verified.Params = %v", v.Params)
	}
}

func TestSignV1FormBody(t *testing.T) {
	body := []byte("PageNo=3&PageSize=50&SubId=Sub+1%2F2%2A3~4%2B5")
	req, err := http.NewRequest(http.MethodPost, "https://live.aliyuncs.com/?AppId=x", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	s := &Signer{Version: V1, APIVersion: "2016-11-01"}
	if err := s.Sign(req, "ListRtcMPUEventSubRecord", body, signtestCreds); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(req.URL.RawQuery, "PageNo") {
		t.Error("form params were copied into the query")
	}
	v := signtestVerifyOK(t, req, body, V1)
	if len(v.Params) != 4 {
		t.Errorf("Params = %v", v.Params)
	}
	// The form body is signed: changing it breaks the signature.
	if _, err := acsauth.Verify(req, []byte("PageNo=4&PageSize=50&SubId=Sub+1%2F2%2A3~4%2B5"), signtestSecrets); !errors.Is(err, acsauth.ErrSignatureMismatch) {
		t.Errorf("changed form body: %v", err)
	}
	// Without the form content type the body is not a parameter source.
	req.Header.Set("Content-Type", "application/json")
	if _, err := acsauth.Verify(req, body, signtestSecrets); !errors.Is(err, acsauth.ErrSignatureMismatch) {
		t.Errorf("body not treated as form: %v", err)
	}
}

func TestSignV3BodyAndHost(t *testing.T) {
	body := []byte(`{"a":1}`)
	req, err := http.NewRequest(http.MethodPost, "https://10.0.0.1:8443/?AppId=x", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "live.aliyuncs.com"
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Acs-Custom", "  v  ")
	req.Header.Set("Accept", "application/json")
	s := &Signer{APIVersion: "2016-11-01"}
	if err := s.Sign(req, "ListRtcMPUTaskDetail", body, signtestCreds); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("X-Acs-Content-Sha256"); got != acsauth.HashPayload(body) {
		t.Errorf("x-acs-content-sha256 = %q", got)
	}
	_, sh, _, err := acsauth.ParseAuthorizationV3(req.Header.Get("Authorization"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "content-type;host;x-acs-action;x-acs-content-sha256;x-acs-custom;x-acs-date;x-acs-signature-nonce;x-acs-version"; sh != want {
		t.Errorf("SignedHeaders = %q, want %q", sh, want)
	}
	signtestVerifyOK(t, req, body, V3)
	// The signed host is req.Host, not the URL's.
	r2 := req.Clone(req.Context())
	r2.Host = ""
	if _, err := acsauth.Verify(r2, body, signtestSecrets); !errors.Is(err, acsauth.ErrSignatureMismatch) {
		t.Errorf("other host: %v", err)
	}
	if _, err := acsauth.Verify(req, []byte(`{"a":2}`), signtestSecrets); !errors.Is(err, acsauth.ErrSignatureMismatch) {
		t.Errorf("changed body: %v", err)
	}
}

func TestSignErrors(t *testing.T) {
	good := &Signer{APIVersion: "2016-11-01"}
	newReq := func() *http.Request { return signtestRequest(t, http.MethodPost) }
	tests := []struct {
		name   string
		s      *Signer
		req    *http.Request
		action string
		creds  Credentials
		is     error
	}{
		{"no secret", good, newReq(), "A", Credentials{AccessKeyID: signtestID, SecurityToken: signtestToken}, ErrMissingCredentials},
		{"no id", good, newReq(), "A", Credentials{AccessKeySecret: signtestSecret, SecurityToken: signtestToken}, ErrMissingCredentials},
		{"bad version", &Signer{Version: 7, APIVersion: "x"}, newReq(), "A", signtestSTS(), nil},
		{"empty action", good, newReq(), "", signtestSTS(), nil},
		{"empty API version", &Signer{}, newReq(), "A", signtestSTS(), nil},
		{"nil signer", nil, newReq(), "A", signtestSTS(), nil},
		{"nil request", good, nil, "A", signtestSTS(), nil},
		{"empty nonce", &Signer{APIVersion: "x", Nonce: func() string { return "" }}, newReq(), "A", signtestSTS(), nil},
		{"no host", good, &http.Request{Method: "GET", URL: &url.URL{RawQuery: "a=b"}}, "A", signtestSTS(), nil},
		{"bad query V3", good, &http.Request{Method: "GET", URL: &url.URL{Host: "h", RawQuery: "SecurityToken=" + signtestSecret + "%zz"}}, "A", signtestSTS(), nil},
		{"bad query V1", &Signer{Version: V1, APIVersion: "x"}, &http.Request{Method: "GET", URL: &url.URL{Host: "h", RawQuery: "a=" + signtestSecret + "%"}}, "A", signtestSTS(), nil},
		{"semicolon", good, &http.Request{Method: "GET", URL: &url.URL{Host: "h", RawQuery: "a=1;" + signtestSecret}}, "A", signtestSTS(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before string
			if tt.req != nil && tt.req.URL != nil {
				before = tt.req.URL.RawQuery
			}
			err := tt.s.Sign(tt.req, tt.action, nil, tt.creds)
			if err == nil {
				t.Fatal("Sign succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want %v", err, tt.is)
			}
			if strings.Contains(err.Error(), signtestSecret) || strings.Contains(err.Error(), signtestToken) {
				t.Errorf("error reveals a secret: %v", err)
			}
			if tt.req != nil && tt.req.URL != nil {
				if tt.req.URL.RawQuery != before || tt.req.Header.Get("Authorization") != "" {
					t.Error("failed Sign modified the request")
				}
			}
		})
	}
}

func TestSignConcurrent(t *testing.T) {
	s := &Signer{APIVersion: "2016-11-01"}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ver := Version(i % 2)
			sg := *s
			sg.Version = ver
			for range 50 {
				req := signtestRequest(t, http.MethodPost)
				if err := sg.Sign(req, "ListRtcMPUEventSubRecord", []byte("x"), signtestSTS()); err != nil {
					t.Error(err)
					return
				}
				if _, err := acsauth.Verify(req, []byte("x"), signtestSecrets); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSignV3NonCanonicalHeaderKeys(t *testing.T) {
	// Headers put into the map without canonicalization are still found
	// and signed, and Verify sees them the same way.
	req := signtestRequest(t, http.MethodPost)
	req.Header["x-acs-custom"] = []string{"a"}
	req.Header["content-type"] = []string{"application/json"}
	s := &Signer{APIVersion: "2016-11-01"}
	if err := s.Sign(req, "ListRtcMPUTaskDetail", []byte("{}"), signtestCreds); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(req.Header.Get("Authorization"), "SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-custom;") {
		t.Errorf("Authorization = %q", req.Header.Get("Authorization"))
	}
	signtestVerifyOK(t, req, []byte("{}"), V3)
}
