package acsauth

import (
	"regexp"
	"testing"
)

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
