package redislimit_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExampleProgramRuns builds examples/sharedbudget-redis and runs it
// against the test Redis, so that it cannot rot.
func TestExampleProgramRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example program")
	}
	needRedis(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not on PATH: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "sharedbudget-redis")
	if out, err := exec.Command(goBin, "build", "-o", exe, "./examples/sharedbudget-redis").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, exe, "-redis", sharedRedis, "-duration", "1s").CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	for _, want := range []string{" per second (budget 97 per second shared by every process of the account); 0 failed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
