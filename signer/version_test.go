package signer

import (
	"testing"

	"github.com/livempu/livempu-go/internal/acsauth"
)

// TestVersionMatchesVerifiedVersion checks that a Version converts to and
// from the version that acsauth.Verify reports (livetest converts one into
// the other), value for value and name for name.
func TestVersionMatchesVerifiedVersion(t *testing.T) {
	if Version(acsauth.V3) != V3 || Version(acsauth.V1) != V1 {
		t.Fatalf("acsauth.V3, acsauth.V1 = %d, %d; want %d, %d", acsauth.V3, acsauth.V1, V3, V1)
	}
	for _, v := range []Version{V3, V1, 7} {
		if got, want := acsauth.Version(v).String(), v.String(); got != want {
			t.Errorf("acsauth.Version(%d) is %q, signer.Version(%d) is %q", v, got, v, want)
		}
	}
}
