package signer

import (
	"net/http"
	"testing"
	"time"
)

// benchSign signs a realistic 6-parameter ListRtcMPUEventSubRecord request
// repeatedly, as every retry attempt does.
func benchSign(b *testing.B, ver Version, creds Credentials) {
	req := signtestRequest(b, http.MethodPost)
	now := time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC)
	s := &Signer{Version: ver, APIVersion: "2016-11-01", Now: func() time.Time { return now }}
	if err := s.Sign(req, "ListRtcMPUEventSubRecord", nil, creds); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := s.Sign(req, "ListRtcMPUEventSubRecord", nil, creds); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignV3(b *testing.B) {
	b.Run("AK", func(b *testing.B) { benchSign(b, V3, signtestCreds) })
	b.Run("STS", func(b *testing.B) { benchSign(b, V3, signtestSTS()) })
}

func BenchmarkSignV1(b *testing.B) {
	b.Run("AK", func(b *testing.B) { benchSign(b, V1, signtestCreds) })
	b.Run("STS", func(b *testing.B) { benchSign(b, V1, signtestSTS()) })
}

// BenchmarkSignFresh includes building a new request each time, the cost
// of a first attempt; its "build-only" case is that request construction
// alone, to subtract.
func BenchmarkSignFresh(b *testing.B) {
	b.Run("build-only", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_ = signtestRequest(b, http.MethodPost)
		}
	})
	for _, ver := range []Version{V3, V1} {
		b.Run(ver.String(), func(b *testing.B) {
			s := &Signer{Version: ver, APIVersion: "2016-11-01"}
			b.ReportAllocs()
			for range b.N {
				req := signtestRequest(b, http.MethodPost)
				if err := s.Sign(req, "ListRtcMPUEventSubRecord", nil, signtestCreds); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
