package signer

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/livempu/livempu-go/internal/acsauth"
)

// This file holds an independent verifier for both signature versions,
// written the straightforward way (url.ParseQuery, url.QueryEscape with the
// documented replacements, sort.Strings, crypto/hmac) without calling any of
// the package's canonicalization code, and a fuzz test that checks Sign
// against it.

func indepEnc(s string) string {
	s = url.QueryEscape(s)
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	s = strings.ReplaceAll(s, "%7E", "~")
	return s
}

// indepParams decodes the query and, for a form content type, the body.
func indepParams(req *http.Request, body []byte) (query, form url.Values, ok bool) {
	query, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return nil, nil, false
	}
	form = url.Values{}
	ct := strings.ToLower(req.Header.Get("Content-Type"))
	if len(body) > 0 && strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		if form, err = url.ParseQuery(string(body)); err != nil {
			return nil, nil, false
		}
	}
	return query, form, true
}

func indepMethod(req *http.Request) string {
	if req.Method == "" {
		return "GET"
	}
	return req.Method
}

// indepVerifyV3 reports whether req carries a valid ACS3-HMAC-SHA256
// signature by id/secret.
func indepVerifyV3(req *http.Request, body []byte, id, secret string) bool {
	auth := req.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "ACS3-HMAC-SHA256 ") {
		return false
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, "ACS3-HMAC-SHA256 "), ",") {
		kv := strings.SplitN(part, "=", 2)
		if len(kv) != 2 {
			return false
		}
		fields[kv[0]] = kv[1]
	}
	if fields["Credential"] != id {
		return false
	}

	query, _, ok := indepParams(req, body)
	if !ok {
		return false
	}
	var keys []string
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vals := append([]string(nil), query[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			pairs = append(pairs, k+"="+indepEnc(v))
		}
	}
	canonicalQuery := strings.Join(pairs, "&")

	headers := map[string][]string{}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	headers["host"] = []string{strings.TrimSpace(host)}
	for k, vs := range req.Header {
		lk := strings.ToLower(k)
		if lk == "host" || !(lk == "content-type" || strings.HasPrefix(lk, "x-acs-")) {
			continue
		}
		for _, v := range vs {
			headers[lk] = append(headers[lk], strings.TrimSpace(v))
		}
	}
	var names []string
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonicalHeaders string
	for _, n := range names {
		vals := headers[n]
		sort.Strings(vals)
		canonicalHeaders += n + ":" + strings.Join(vals, ",") + "\n"
	}
	signedHeaders := strings.Join(names, ";")
	if fields["SignedHeaders"] != signedHeaders {
		return false
	}

	bodySum := sha256.Sum256(body)
	payload := hex.EncodeToString(bodySum[:])
	if req.Header.Get("x-acs-content-sha256") != payload {
		return false
	}
	path := req.URL.Path
	if path == "" {
		path = "/"
	}
	canonicalRequest := indepMethod(req) + "\n" + path + "\n" + canonicalQuery + "\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + payload
	crSum := sha256.Sum256([]byte(canonicalRequest))
	stringToSign := "ACS3-HMAC-SHA256\n" + hex.EncodeToString(crSum[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(fields["Signature"]))
}

// indepVerifyV1 reports whether req carries a valid HMAC-SHA1 signature by
// id/secret.
func indepVerifyV1(req *http.Request, body []byte, id, secret string) bool {
	query, form, ok := indepParams(req, body)
	if !ok || len(query["Signature"]) != 1 || query.Get("AccessKeyId") != id {
		return false
	}
	signature := query.Get("Signature")
	type kv struct{ k, v string }
	var all []kv
	for _, vs := range []url.Values{query, form} {
		for k, vals := range vs {
			if k == "Signature" {
				continue
			}
			for _, v := range vals {
				all = append(all, kv{k, v})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].k != all[j].k {
			return all[i].k < all[j].k
		}
		return all[i].v < all[j].v
	})
	var pairs []string
	for _, p := range all {
		pairs = append(pairs, indepEnc(p.k)+"="+indepEnc(p.v))
	}
	stringToSign := indepMethod(req) + "&" + indepEnc("/") + "&" + indepEnc(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	return hmac.Equal([]byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))), []byte(signature))
}

// fuzzSpec turns fuzz input into query and form parameters: one "key=value"
// per line; lines starting with '@' are form-body parameters (their names
// get a "Form." prefix so they never collide with V1 common parameters).
func fuzzSpec(spec string) (query, form url.Values) {
	query, form = url.Values{}, url.Values{}
	for i, line := range strings.Split(spec, "\n") {
		if i >= 24 {
			break
		}
		dst := query
		if rest, ok := strings.CutPrefix(line, "@"); ok {
			dst, line = form, "Form."+rest
		}
		k, v, _ := strings.Cut(line, "=")
		dst.Add(k, v)
	}
	return query, form
}

// fuzzTarget is one signed value that a flip can change: a query or form
// parameter value, or the signature.
type fuzzTarget struct {
	where string // "query", "form", "sig"
	key   string
	index int
}

func fuzzFlip(s string, pos uint8) string {
	if s == "" {
		return "x"
	}
	b := []byte(s)
	b[int(pos)%len(b)] ^= 0x01
	return string(b)
}

func FuzzSignVerify(f *testing.F) {
	f.Add("AppId=yourAppId\nPageNo=1\nPageSize=100\nSubId=Sub-9799B2C45009799B2C4500", uint8(0), uint8(0), true)
	f.Add("AppId=a b*c~d+e/f=g&h%i\nEmpty=\nTaskId=直播-é😀", uint8(1), uint8(3), false)
	f.Add("Tag.1=z\nTag.1=y\nTag.1=\n=noname\nnovalue", uint8(2), uint8(1), true)
	f.Add("Signature=forged\nTimestamp=2000-01-01T00:00:00Z\nSecurityToken=x\nFormat=XML\nRegionId=cn-shanghai", uint8(5), uint8(7), false)
	f.Add("AppId=x\n@PageNo=3\n@SubId=Sub 1/2*3~4+5\n@Note=x=1&y=2 100%", uint8(2), uint8(0), true)
	f.Add("k=\x00\x01\xff\xfe;:,\r\t\"'<>", uint8(0), uint8(4), true)
	f.Add("", uint8(0), uint8(0), false)
	f.Add("a%zz=%\n+=+\n%20= ", uint8(9), uint8(9), true)
	// Repeated name whose values take different parser paths (found by
	// fuzzing a deliberately broken value comparison).
	f.Add("%=!\n%=!0 ", uint8('\t'), uint8('.'), true)

	creds := Credentials{AccessKeyID: "LTAI5tFuzzKey", AccessKeySecret: "fuzz/Secret+=~*", SecurityToken: "tok+/="}
	secrets := func(id string) (string, bool) {
		if id == creds.AccessKeyID {
			return creds.AccessKeySecret, true
		}
		return "", false
	}
	now := time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, spec string, pick, pos uint8, post bool) {
		if len(spec) > 4096 {
			t.Skip()
		}
		query, form := fuzzSpec(spec)
		method := http.MethodGet
		var body []byte
		if post {
			method = http.MethodPost
			if len(form) > 0 {
				body = []byte(form.Encode())
			}
		}
		withToken := creds
		if pick%2 == 0 {
			withToken.SecurityToken = ""
		}
		for _, ver := range []Version{V3, V1} {
			req, err := http.NewRequest(method, "https://live.aliyuncs.com/?"+fuzzWireQuery(query.Encode(), pos), bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			s := &Signer{Version: ver, APIVersion: "2016-11-01", Now: func() time.Time { return now }}
			if err := s.Sign(req, "ListRtcMPUEventSubRecord", body, withToken); err != nil {
				t.Fatalf("%v Sign: %v", ver, err)
			}
			indep := indepVerifyV3
			if ver == V1 {
				indep = indepVerifyV1
			}
			if !indep(req, body, creds.AccessKeyID, creds.AccessKeySecret) {
				t.Fatalf("%v: independent verifier rejects Sign's output: %s %s %v", ver, req.Method, req.URL.RawQuery, req.Header)
			}
			if _, err := acsauth.Verify(req, body, secrets); err != nil {
				t.Fatalf("%v: Verify rejects Sign's output: %v", ver, err)
			}

			// Flip one byte of one signed parameter value, or of the
			// signature.
			wireQuery, err := url.ParseQuery(req.URL.RawQuery)
			if err != nil {
				t.Fatal(err)
			}
			var targets []fuzzTarget
			for _, src := range []struct {
				where string
				v     url.Values
			}{{"query", wireQuery}, {"form", form}} {
				if src.where == "form" && body == nil {
					continue
				}
				keys := make([]string, 0, len(src.v))
				for k := range src.v {
					if k != "Signature" {
						keys = append(keys, k)
					}
				}
				sort.Strings(keys)
				for _, k := range keys {
					for i := range src.v[k] {
						targets = append(targets, fuzzTarget{src.where, k, i})
					}
				}
			}
			targets = append(targets, fuzzTarget{where: "sig"})
			tg := targets[int(pick)%len(targets)]
			newBody := body
			switch tg.where {
			case "query":
				q := cloneValues(wireQuery)
				q[tg.key][tg.index] = fuzzFlip(q[tg.key][tg.index], pos)
				req.URL.RawQuery = q.Encode()
			case "form":
				fv := cloneValues(form)
				fv[tg.key][tg.index] = fuzzFlip(fv[tg.key][tg.index], pos)
				newBody = []byte(fv.Encode())
			case "sig":
				if ver == V3 {
					a := req.Header.Get("Authorization")
					i := strings.LastIndex(a, "=") + 1
					req.Header.Set("Authorization", a[:i]+fuzzFlip(a[i:], pos))
				} else {
					q := cloneValues(wireQuery)
					q["Signature"][0] = fuzzFlip(q["Signature"][0], pos)
					req.URL.RawQuery = q.Encode()
				}
			}
			if indep(req, newBody, creds.AccessKeyID, creds.AccessKeySecret) {
				t.Fatalf("%v: independent verifier accepts a request with %s %q flipped", ver, tg.where, tg.key)
			}
			_, err = acsauth.Verify(req, newBody, secrets)
			if err == nil {
				t.Fatalf("%v: Verify accepts a request with %s %q flipped", ver, tg.where, tg.key)
			}
			if !errors.Is(err, acsauth.ErrSignatureMismatch) && !errors.Is(err, acsauth.ErrIncompleteSignature) && !errors.Is(err, acsauth.ErrUnknownAccessKey) {
				t.Fatalf("%v: unexpected error kind: %v", ver, err)
			}
		}
	})
}

// fuzzWireQuery varies how the same parameters are written on the wire, so
// that both the decoding and the pass-through path of the signing parser
// are exercised: '+' or "%20" for spaces, upper- or lower-case hex.
func fuzzWireQuery(enc string, mode uint8) string {
	if mode&1 != 0 {
		enc = strings.ReplaceAll(enc, "+", "%20")
	}
	if mode&2 != 0 {
		b := []byte(enc)
		for i := 0; i+2 < len(b); i++ {
			if b[i] == '%' {
				b[i+1] = strings.ToLower(string(b[i+1]))[0]
				b[i+2] = strings.ToLower(string(b[i+2]))[0]
			}
		}
		enc = string(b)
	}
	return enc
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}
