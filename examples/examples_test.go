// Package examples_test builds and runs every example program, so none of
// them can rot: each must exit 0 against the demo server and print what it
// promises.
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
	// The programs run with an empty environment and a fresh home: no
	// credentials and no profile files, so they use the demo server.
	home := t.TempDir()
	examples := map[string][]string{
		"quickstart":    {"in-process livetest server", "relay tasks", "Callbacks in the last 24 hours", "Slowest callback"},
		"listtasks":     {"TASK", "MODE", "Lookup of"},
		"walkrecords":   {"failed callbacks in the last seven days"},
		"errorhandling": {"rejected before sending: field PageSize", "code Forbidden.RAM", "code Throttling.User"},
		"sharedbudget":  {"calls from two clients sharing a 25 QPS limiter"},
	}
	bin := t.TempDir()
	for name, wants := range examples {
		t.Run(name, func(t *testing.T) {
			exe := filepath.Join(bin, name)
			build := exec.Command(goBin, "build", "-o", exe, "./"+name)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("build: %v\n%s", err, out)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe)
			cmd.Env = []string{"HOME=" + home}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out)
			}
			for _, want := range wants {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestQuickstartFailsFast checks that the quickstart checks credentials at
// start-up: a broken configuration (a secret without its ID) or an unknown
// region ends it with the reason before any call, and no secret is printed.
func TestQuickstartFailsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the quickstart")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not on PATH: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "quickstart")
	if out, err := exec.Command(goBin, "build", "-o", exe, "./quickstart").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	const secret = "quickstart-secret-never-printed"
	for name, tc := range map[string]struct {
		env  []string
		want []string
	}{
		"secret without ID": {[]string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + secret},
			[]string{"livempu: credentials:", "ALIBABA_CLOUD_ACCESS_KEY_ID"}},
		"unknown region": {[]string{"ALIBABA_CLOUD_ACCESS_KEY_ID=id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + secret, "LIVEMPU_APP_ID=app", "LIVEMPU_REGION=ap-southeast-9"},
			[]string{`unknown region ID "ap-southeast-9"`, "ap-southeast-1"}},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe)
			cmd.Env = append([]string{"HOME=" + t.TempDir()}, tc.env...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("quickstart succeeded:\n%s", out)
			}
			for _, want := range tc.want {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(string(out), secret) || strings.Contains(string(out), "livetest server") {
				t.Errorf("output shows the secret or fell back to the demo server:\n%s", out)
			}
		})
	}
}
