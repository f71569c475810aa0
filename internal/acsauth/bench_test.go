package acsauth

import (
	"net/http"
	"testing"
)

func BenchmarkNewNonce(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		_ = NewNonce()
	}
}

// BenchmarkVerify verifies a realistic request signed as signer.Signer.Sign
// signs it, the work of livetest's server per request.
func BenchmarkVerify(b *testing.B) {
	for _, ver := range []Version{V3, V1} {
		b.Run(ver.String(), func(b *testing.B) {
			req := signtestRequest(b, http.MethodPost)
			signtestSign(b, req, ver, nil, "")
			b.ReportAllocs()
			for range b.N {
				if _, err := Verify(req, nil, signtestSecrets); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
