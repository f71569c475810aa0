package signer

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
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

var signtestHex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestNewNonce(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		n := NewNonce()
		if !signtestHex32.MatchString(n) {
			t.Fatalf("NewNonce() = %q", n)
		}
		if seen[n] {
			t.Fatalf("NewNonce repeated %q", n)
		}
		seen[n] = true
	}
}

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
	if got := req.Header.Get("X-Acs-Content-Sha256"); got != EmptyPayloadHash {
		t.Errorf("x-acs-content-sha256 = %q", got)
	}
	wantParams := []Param{{"AppId", "yourAppId"}, {"EndTime", "2024-04-09T10:00:00Z"}, {"PageNo", "1"},
		{"PageSize", "100"}, {"StartTime", "2024-04-09T00:00:00Z"}, {"SubId", "Sub-9799B2C45009799B2C4500"}}
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
	if len(v.Params) != 7 || slices.ContainsFunc(v.Params, func(p Param) bool { return p.Key == "RegionId" }) {
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
	if _, err := Verify(req, []byte("PageNo=4&PageSize=50&SubId=Sub+1%2F2%2A3~4%2B5"), signtestSecrets); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("changed form body: %v", err)
	}
	// Without the form content type the body is not a parameter source.
	req.Header.Set("Content-Type", "application/json")
	if _, err := Verify(req, body, signtestSecrets); !errors.Is(err, ErrSignatureMismatch) {
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
	if got := req.Header.Get("X-Acs-Content-Sha256"); got != HashPayload(body) {
		t.Errorf("x-acs-content-sha256 = %q", got)
	}
	_, sh, _, err := ParseAuthorizationV3(req.Header.Get("Authorization"))
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
	if _, err := Verify(r2, body, signtestSecrets); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("other host: %v", err)
	}
	if _, err := Verify(req, []byte(`{"a":2}`), signtestSecrets); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("changed body: %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	type mod struct {
		name string
		f    func(r *http.Request) *http.Request
		want error
	}
	setQuery := func(k, v string) func(*http.Request) *http.Request {
		return func(r *http.Request) *http.Request {
			q := r.URL.Query()
			q.Set(k, v)
			r.URL.RawQuery = q.Encode()
			return r
		}
	}
	setHeader := func(k, v string) func(*http.Request) *http.Request {
		return func(r *http.Request) *http.Request { r.Header.Set(k, v); return r }
	}
	delHeader := func(k string) func(*http.Request) *http.Request {
		return func(r *http.Request) *http.Request { r.Header.Del(k); return r }
	}
	cases := map[Version][]mod{
		V3: {
			{"changed parameter", setQuery("PageNo", "2"), ErrSignatureMismatch},
			{"added parameter", setQuery("Extra", "1"), ErrSignatureMismatch},
			{"changed header", setHeader("X-Acs-Date", "2024-04-09T10:00:09Z"), ErrSignatureMismatch},
			{"changed action", setHeader("X-Acs-Action", "ListRtcMPUTaskDetail"), ErrSignatureMismatch},
			{"changed method", func(r *http.Request) *http.Request { r.Method = http.MethodGet; return r }, ErrSignatureMismatch},
			{"changed signature", func(r *http.Request) *http.Request {
				a := r.Header.Get("Authorization")
				last := a[len(a)-1]
				if last == '0' {
					last = '1'
				} else {
					last = '0'
				}
				r.Header.Set("Authorization", a[:len(a)-1]+string(last))
				return r
			}, ErrSignatureMismatch},
			{"unknown key", func(r *http.Request) *http.Request {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), signtestID, "LTAIother", 1))
				return r
			}, ErrUnknownAccessKey},
			{"missing Authorization", delHeader("Authorization"), ErrIncompleteSignature},
			{"malformed Authorization", setHeader("Authorization", "ACS3-HMAC-SHA256 Credential="+signtestID), ErrIncompleteSignature},
			{"unsigned x-acs header", setHeader("X-Acs-Extra", "1"), ErrIncompleteSignature},
			{"missing signed header", delHeader("X-Acs-Signature-Nonce"), ErrIncompleteSignature},
			{"bad date", setHeader("X-Acs-Date", "yesterday"), ErrIncompleteSignature},
			{"unsorted SignedHeaders", func(r *http.Request) *http.Request {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;x-acs-action", "x-acs-action;host", 1))
				return r
			}, ErrIncompleteSignature},
		},
		V1: {
			{"changed parameter", setQuery("PageNo", "2"), ErrSignatureMismatch},
			{"added parameter", setQuery("Extra", "1"), ErrSignatureMismatch},
			{"changed timestamp", setQuery("Timestamp", "2024-04-09T10:00:09Z"), ErrSignatureMismatch},
			{"changed method", func(r *http.Request) *http.Request { r.Method = http.MethodGet; return r }, ErrSignatureMismatch},
			{"changed signature", setQuery("Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="), ErrSignatureMismatch},
			{"unknown key", setQuery("AccessKeyId", "LTAIother"), ErrUnknownAccessKey},
			{"missing signature", func(r *http.Request) *http.Request {
				q := r.URL.Query()
				q.Del("Signature")
				r.URL.RawQuery = q.Encode()
				return r
			}, ErrIncompleteSignature},
			{"missing nonce", func(r *http.Request) *http.Request {
				q := r.URL.Query()
				q.Del("SignatureNonce")
				r.URL.RawQuery = q.Encode()
				return r
			}, ErrIncompleteSignature},
			{"wrong method", setQuery("SignatureMethod", "HMAC-SHA256"), ErrIncompleteSignature},
			{"repeated timestamp", func(r *http.Request) *http.Request {
				r.URL.RawQuery += "&Timestamp=2024-04-09T10%3A00%3A00Z"
				return r
			}, ErrIncompleteSignature},
		},
	}
	for ver, mods := range cases {
		for _, m := range mods {
			t.Run(ver.String()+"/"+m.name, func(t *testing.T) {
				req := signtestRequest(t, http.MethodPost)
				s := &Signer{Version: ver, APIVersion: "2016-11-01"}
				if err := s.Sign(req, "ListRtcMPUEventSubRecord", nil, signtestSTS()); err != nil {
					t.Fatal(err)
				}
				signtestVerifyOK(t, req, nil, ver)
				_, err := Verify(m.f(req), nil, signtestSecrets)
				if !errors.Is(err, m.want) {
					t.Fatalf("Verify error = %v, want %v", err, m.want)
				}
				signtestNoSecrets(t, err, req)
			})
		}
	}
	// Neither an ACS3 Authorization nor a Signature.
	req := signtestRequest(t, http.MethodPost)
	req.Header.Set("Authorization", "Bearer x")
	if _, err := Verify(req, nil, signtestSecrets); !errors.Is(err, ErrIncompleteSignature) {
		t.Errorf("unsigned request: %v", err)
	}
}

// signtestNoSecrets fails if err's text contains the secret, the token or
// the request's signature.
func signtestNoSecrets(t *testing.T, err error, req *http.Request) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	bad := []string{signtestSecret, signtestToken, url.QueryEscape(signtestToken)}
	if _, _, sig, e := ParseAuthorizationV3(req.Header.Get("Authorization")); e == nil {
		bad = append(bad, sig)
	}
	if sig := req.URL.Query().Get("Signature"); sig != "" {
		bad = append(bad, sig)
	}
	for _, b := range bad {
		if strings.Contains(msg, b) {
			t.Errorf("error %q reveals a secret value", msg)
		}
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
				if _, err := Verify(req, []byte("x"), signtestSecrets); err != nil {
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

func TestAppendQueryWithSignature(t *testing.T) {
	sig := []byte("a+b/c=")
	for _, tt := range []struct {
		keys []string
		want string
	}{
		{nil, "Signature=a%2Bb%2Fc%3D"},
		{[]string{"A"}, "A=v&Signature=a%2Bb%2Fc%3D"},
		{[]string{"Z"}, "Signature=a%2Bb%2Fc%3D&Z=v"},
		{[]string{"A", "SignatureNonce", "Timestamp"}, "A=v&Signature=a%2Bb%2Fc%3D&SignatureNonce=v&Timestamp=v"},
		{[]string{"SecurityToken", "a"}, "SecurityToken=v&Signature=a%2Bb%2Fc%3D&a=v"},
	} {
		var ps []qparam
		for _, k := range tt.keys {
			ps = append(ps, qparam{key: k, val: "v"})
		}
		if got := string(appendQueryWithSignature([]byte("prefix"), ps, sig)); got != "prefix"+tt.want {
			t.Errorf("keys %v: got %q, want %q", tt.keys, got, "prefix"+tt.want)
		}
	}
}

func TestVerifiedNeverPrintsTheToken(t *testing.T) {
	v := Verified{Version: V3, AccessKeyID: "id", SecurityToken: "tok-must-not-print", Action: "A", Nonce: "n"}
	var logs strings.Builder
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "v", v)
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v), fmt.Sprintf("%v", &v), logs.String()} {
		if strings.Contains(s, "tok-must-not-print") || !strings.Contains(s, "id") {
			t.Errorf("output %q", s)
		}
	}
}
