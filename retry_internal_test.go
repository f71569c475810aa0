package livempu

import (
	"net/http"
	"testing"
	"time"
)

func TestServerWaitIsCappedBeforeItCanOverflow(t *testing.T) {
	for _, h := range []http.Header{
		{"Retry-After": {"10000000000"}},
		{"X-Ratelimit-User-Api": {"Limit:1,Remain:0,TimeLeft:9223372036854775807,Reset:1"}},
	} {
		d, ok := serverWait(h)
		if !ok || d != maxServerWait {
			t.Errorf("%v: wait %v, want %v", h, d, maxServerWait)
		}
	}
	if d, ok := serverWait(http.Header{"Retry-After": {"2"}}); !ok || d != 2*time.Second {
		t.Errorf("Retry-After 2: %v", d)
	}
}
