package acsauth

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// encRefReplacer turns url.QueryEscape output into the documented Alibaba
// encoding (protocol.md §1.2): + → %20, * → %2A, %7E → ~.
var encRefReplacer = strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~")

func encRef(s string) string { return encRefReplacer.Replace(url.QueryEscape(s)) }

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" ", "%20"},
		{"~", "~"},
		{"*", "%2A"},
		{"+", "%2B"},
		{"/", "%2F"},
		{"a b", "a%20b"},
		{"AZaz09-_.~", "AZaz09-_.~"},
		{"=&%", "%3D%26%25"},
		{"!'()", "%21%27%28%29"},
		{"é", "%C3%A9"},
		{"中文", "%E4%B8%AD%E6%96%87"},
		{"😀", "%F0%9F%98%80"},
		{"2024-04-09T10:00:00Z", "2024-04-09T10%3A00%3A00Z"},
		{"\x00\xff", "%00%FF"},
	}
	for _, tt := range tests {
		if got := PercentEncode(tt.in); got != tt.want {
			t.Errorf("PercentEncode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(AppendPercentEncode([]byte("x"), tt.in)); got != "x"+tt.want {
			t.Errorf("AppendPercentEncode(%q) = %q, want %q", tt.in, got, "x"+tt.want)
		}
		if got := encRef(tt.in); got != tt.want {
			t.Errorf("reference(%q) = %q, want %q (test table is wrong)", tt.in, got, tt.want)
		}
	}
}

func TestPercentEncodeASCII(t *testing.T) {
	var all strings.Builder
	for c := 0; c < 128; c++ {
		s := string(rune(c))
		if got, want := PercentEncode(s), encRef(s); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", s, got, want)
		}
		all.WriteString(s)
	}
	if got, want := PercentEncode(all.String()), encRef(all.String()); got != want {
		t.Errorf("PercentEncode(all ASCII) = %q, want %q", got, want)
	}
	for c := 128; c < 256; c++ {
		s := string([]byte{byte(c)})
		if got, want := PercentEncode(s), encRef(s); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestPercentEncodeNoAlloc(t *testing.T) {
	s := "Sub-9799B2C45009799B2C4500_x.y~z"
	if n := testing.AllocsPerRun(100, func() { _ = PercentEncode(s) }); n != 0 {
		t.Errorf("PercentEncode allocated %v times on a string needing no escapes", n)
	}
	if PercentEncode(s) != s {
		t.Error("fast path changed the string")
	}
	if n := testing.AllocsPerRun(100, func() { _ = PercentEncode("a b") }); n != 1 {
		t.Errorf("PercentEncode allocated %v times, want 1", n)
	}
}

func TestParseQuery(t *testing.T) {
	for _, q := range []string{
		"", "a=1", "a=1&b=2&a=0", "a", "a=", "=v", "&&a=1&&", "k=a+b%20c%2B%2F~",
		"%E4%B8%AD=%F0%9F%98%80", "a=b=c", "x=%41%62",
	} {
		got, err := ParseQuery(nil, q)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", q, err)
			continue
		}
		want, err := url.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		gotV := url.Values{}
		for _, p := range got {
			gotV[p.Key] = append(gotV[p.Key], p.Value)
		}
		if !reflect.DeepEqual(gotV, want) {
			t.Errorf("ParseQuery(%q) = %v, url.ParseQuery = %v", q, gotV, want)
		}
	}
	for _, q := range []string{"a=%", "a=%4", "a=%zz", "%g1=1", "a=1;b=2"} {
		if _, err := ParseQuery(nil, q); err == nil {
			t.Errorf("ParseQuery(%q) succeeded, want error", q)
		} else if strings.Contains(err.Error(), q) {
			t.Errorf("ParseQuery error quotes its input: %v", err)
		}
		if _, err := url.ParseQuery(q); err == nil {
			t.Errorf("url.ParseQuery(%q) succeeded (test table is wrong)", q)
		}
	}
	raw := "AppId=yourAppId&PageNo=1&PageSize=100&SubId=Sub-9799B2C45009799B2C4500"
	buf := make([]Param, 0, 8)
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseQuery(buf[:0], raw) }); n != 0 {
		t.Errorf("ParseQuery allocated %v times on an unescaped query", n)
	}
}

func TestHMACMatchesStdlib(t *testing.T) {
	msg := "GET&%2F&AccessKeyId%3Dtestid"
	for _, n := range []int{0, 1, 31, 62, 63, 64, 65, 100, 200} {
		key := strings.Repeat("k", n)
		buf := append(make([]byte, hmacBlockSize), msg...)

		m1 := hmac.New(sha1.New, []byte(key+"&"))
		m1.Write([]byte(msg))
		got1 := hmacSHA1(key, "&", buf)
		if !hmac.Equal(got1[:], m1.Sum(nil)) {
			t.Errorf("hmacSHA1 with a %d-byte key differs from crypto/hmac", n+1)
		}

		m2 := hmac.New(sha256.New, []byte(key))
		m2.Write([]byte(msg))
		got2 := hmacSHA256(key, buf)
		if !hmac.Equal(got2[:], m2.Sum(nil)) {
			t.Errorf("hmacSHA256 with a %d-byte key differs from crypto/hmac", n)
		}
	}
}

func TestCanonicalQueryRepeatedKeys(t *testing.T) {
	ps := []Param{{"b", "2"}, {"a", "z"}, {"a", "y"}, {"Signature", "s"}, {"A", ""}}
	orig := append([]Param(nil), ps...)
	if got, want := CanonicalQueryV1(ps), "A=&a=y&a=z&b=2"; got != want {
		t.Errorf("CanonicalQueryV1 = %q, want %q", got, want)
	}
	if got, want := CanonicalQueryV3(ps), "A=&Signature=s&a=y&a=z&b=2"; got != want {
		t.Errorf("CanonicalQueryV3 = %q, want %q", got, want)
	}
	if !reflect.DeepEqual(ps, orig) {
		t.Error("caller's slice was modified")
	}
	// V3 does not encode names; V1 does.
	if got, want := CanonicalQueryV3([]Param{{"a b", "c d"}}), "a b=c%20d"; got != want {
		t.Errorf("CanonicalQueryV3 = %q, want %q", got, want)
	}
	if got, want := CanonicalQueryV1([]Param{{"a b", "c d"}}), "a%20b=c%20d"; got != want {
		t.Errorf("CanonicalQueryV1 = %q, want %q", got, want)
	}
}

func TestCanonicalHeadersV3(t *testing.T) {
	ch, sh := CanonicalHeadersV3([]Param{
		{"X-Acs-B", " 2 "}, {"x-acs-b", "1"}, {"Host", "h"}, {"Accept", "x"}, {"User-Agent", "u"},
		{"Content-Type", "application/json"}, {"x-acs-a", ""}, {"X-Sdk-Client", "c"},
	})
	if want := "content-type:application/json\nhost:h\nx-acs-a:\nx-acs-b:1,2\n"; ch != want {
		t.Errorf("canonical headers = %q, want %q", ch, want)
	}
	if want := "content-type;host;x-acs-a;x-acs-b"; sh != want {
		t.Errorf("signed headers = %q, want %q", sh, want)
	}
}

func TestParseAuthorizationV3(t *testing.T) {
	id, sh, sig, err := ParseAuthorizationV3("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc")
	if err != nil || id != "AK" || sh != "host;x-acs-date" || sig != "abc" {
		t.Errorf("got %q %q %q %v", id, sh, sig, err)
	}
	id, sh, sig, err = ParseAuthorizationV3("ACS3-HMAC-SHA256 Signature=abc, SignedHeaders=host, Credential=STS.x")
	if err != nil || id != "STS.x" || sh != "host" || sig != "abc" {
		t.Errorf("reordered: got %q %q %q %v", id, sh, sig, err)
	}
	for _, h := range []string{
		"",
		"ACS3-HMAC-SHA256",
		"ACS3-HMAC-SHA256 ",
		"HMAC-SHA1 Credential=AK,SignedHeaders=host,Signature=secretsig",
		"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host",
		"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=",
		"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=secretsig,Signature=secretsig",
		"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=secretsig,Extra=1",
		"ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,,Signature=secretsig",
		"ACS3-HMAC-SHA256 Credential AK,SignedHeaders=host,Signature=secretsig",
	} {
		_, _, _, err := ParseAuthorizationV3(h)
		if err == nil {
			t.Errorf("ParseAuthorizationV3(%q) succeeded", h)
			continue
		}
		if !errorsIsIncomplete(err) {
			t.Errorf("ParseAuthorizationV3(%q) error %v does not wrap ErrIncompleteSignature", h, err)
		}
		if strings.Contains(err.Error(), "secretsig") {
			t.Errorf("error quotes the signature: %v", err)
		}
	}
}

func errorsIsIncomplete(err error) bool { return errors.Is(err, ErrIncompleteSignature) }

// TestQParamRaw checks the signing parser's shortcut: values kept in their
// wire encoding must sort, encode and decode exactly like decoded ones.
func TestQParamRaw(t *testing.T) {
	vals := []string{"", "a", "A", "~", " ", "+", "%", "*", "2024-04-09T10:00:00Z", "é", "中文", "😀",
		"a b", "a+b", "\x00", "\xff", "%41", "Sub 1/2*3~4+5", "-", ".", "_", "z", "zz", "z\xff", "\x7f"}
	var raws []string
	for _, v := range vals {
		e := url.QueryEscape(v)
		raws = append(raws, e, strings.ReplaceAll(e, "+", "%20"), strings.ToLower(e), PercentEncode(v))
	}
	raws = append(raws, "%41", "%7E", "%7e", "a%2a", "%2A", "%C3%A9", "%c3%a9", "~", "%20%2B")
	for _, r := range raws {
		dec, ok := queryUnescape(r)
		if !ok {
			t.Fatalf("bad test value %q", r)
		}
		if isCanonicalEncoded(r) != (PercentEncode(dec) == r && !strings.Contains(r, "+")) {
			t.Errorf("isCanonicalEncoded(%q) = %v, PercentEncode(decoded) = %q", r, isCanonicalEncoded(r), PercentEncode(dec))
		}
		qs, err := parseQueryParams(nil, "k="+r, nil)
		if err != nil || len(qs) != 1 {
			t.Fatalf("parseQueryParams(%q) = %v, %v", r, qs, err)
		}
		if got := string(appendQValue(nil, qs[0])); got != PercentEncode(dec) {
			t.Errorf("value %q encodes as %q, want %q", r, got, PercentEncode(dec))
		}
	}
	// cmpQParam on any mix of raw and decoded values agrees with cmpParam.
	sign := func(c int) int { return min(max(c, -1), 1) }
	for _, a := range raws {
		for _, b := range raws {
			qa, _ := parseQueryParams(nil, "k="+a, nil)
			qb, _ := parseQueryParams(nil, "k="+b, nil)
			da, _ := queryUnescape(a)
			db, _ := queryUnescape(b)
			want := sign(cmpParam(Param{"k", da}, Param{"k", db}))
			for _, x := range []qparam{qa[0], {key: "k", val: da}} {
				for _, y := range []qparam{qb[0], {key: "k", val: db}} {
					if got := sign(cmpQParam(x, y)); got != want {
						t.Errorf("cmpQParam(%+v, %+v) = %d, want %d", x, y, got, want)
					}
				}
			}
		}
	}
	// Skipped parameters are not decoded, but still validated.
	qs, err := parseQueryParams(nil, "Signature=a%2Bb&x=1&Timestamp=2024-04-09T10%3A00%3A00Z", isV1SignerParam)
	if err != nil || len(qs) != 1 || qs[0].key != "x" {
		t.Errorf("skip: %v, %v", qs, err)
	}
	if _, err := parseQueryParams(nil, "Signature=%zz", isV1SignerParam); err == nil {
		t.Error("skipped parameter with a bad escape accepted")
	}
}
