// Package examples_test builds and runs the example programs of the
// otellivempu module, so none of them can rot.
package examples_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExamplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every example")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not on PATH: %v", err)
	}
	examples := map[string][]string{
		"observability": {
			"walked", `"Name":"live/ListRtcMPUEventSubRecord"`, `"Name":"walk a day of records"`, `"SpanKind":3`,
			`"Key":"rpc.system"`, `"alibaba_cloud"`, `"Name":"livempu.attempt"`, `"Throttling.User"`, `"Key":"livempu.retry.wait"`,
			`"Name":"livempu.client.operation.duration"`, `"Name":"livempu.client.attempts"`, `"throttled"`,
			`"Name":"livempu.client.limiter.wait"`, `"Name":"livempu.client.limiter.rate"`,
		},
	}
	bin := t.TempDir()
	for name, wants := range examples {
		t.Run(name, func(t *testing.T) {
			exe := filepath.Join(bin, name)
			if out, err := exec.Command(goBin, "build", "-o", exe, "./"+name).CombinedOutput(); err != nil {
				t.Fatalf("build: %v\n%s", err, out)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe)
			cmd.Env = []string{"HOME=" + t.TempDir()}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out)
			}
			for _, want := range wants {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %s", want)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}
