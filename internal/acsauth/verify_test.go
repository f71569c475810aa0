package acsauth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

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
				signtestSign(t, req, ver, nil, signtestToken)
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
