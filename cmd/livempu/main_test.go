package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// binary is the path of the livempu binary TestMain builds.
var binary string

// TestMain builds the command once into a temporary directory, so that the
// tests can run it as a script would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "livempu-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "livempu")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building livempu:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// result is what a run of the binary produced.
type result struct {
	stdout, stderr string
	code           int
}

// baseEnv returns the process environment without any credential or
// profile variable, with HOME in an empty directory (so that no real
// profile file is read), plus extra.
func baseEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "ALIBABA"), strings.HasPrefix(name, "ALICLOUD"),
			name == "HOME", name == "USERPROFILE", name == endpointEnv:
			continue
		}
		env = append(env, kv)
	}
	home := t.TempDir()
	env = append(env, "HOME="+home, "USERPROFILE="+home)
	return append(env, extra...)
}

// demoCreds are the environment variables holding livetest's demo account.
var demoCreds = []string{
	"ALIBABA_CLOUD_ACCESS_KEY_ID=" + livetest.DemoAccessKeyID,
	"ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + livetest.DemoAccessKeySecret,
}

// runBinary runs the binary with args and env, and waits for it.
func runBinary(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running livempu %v: %v", args, err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// runAgainst runs the binary against srv with the demo credentials.
func runAgainst(t *testing.T, srv *livetest.Server, args ...string) result {
	t.Helper()
	return runBinary(t, baseEnv(t, demoCreds...), append(args, "--endpoint", srv.URL())...)
}

// wantCode fails the test unless r ended with code.
func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstderr:\n%s\nstdout (start):\n%.2000s", r.code, code, r.stderr, r.stdout)
	}
}

// ndjsonLines splits NDJSON output into its lines, failing on a line that
// is not a JSON object.
func ndjsonLines(t *testing.T, out string) []string {
	t.Helper()
	if out == "" {
		return nil
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("NDJSON output does not end with a newline: ...%q", out[max(0, len(out)-80):])
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%.300s", i+1, err, l)
		}
	}
	return lines
}

// decodeTasks decodes NDJSON task lines.
func decodeTasks(t *testing.T, lines []string) []livempu.MPUTask {
	t.Helper()
	tasks := make([]livempu.MPUTask, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &tasks[i]); err != nil {
			t.Fatalf("task line %d: %v", i+1, err)
		}
	}
	return tasks
}

// eventLine is the part of an events NDJSON line beyond the record.
type eventLine struct {
	Event      *livempu.MPUEvent
	EventError *string
}

// decodeRecords decodes NDJSON record lines, checking that each has an
// Event or an EventError that agrees with the record's Data.
func decodeRecords(t *testing.T, lines []string) []livempu.EventSubRecord {
	t.Helper()
	recs := make([]livempu.EventSubRecord, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &recs[i]); err != nil {
			t.Fatalf("record line %d: %v", i+1, err)
		}
		var extra eventLine
		if err := json.Unmarshal([]byte(l), &extra); err != nil {
			t.Fatalf("record line %d: %v", i+1, err)
		}
		want, err := recs[i].Event()
		switch {
		case err != nil && extra.EventError == nil:
			t.Fatalf("record line %d: no EventError for undecodable Data", i+1)
		case err == nil && (extra.Event == nil || extra.Event.MsgID != want.MsgID || extra.Event.Failed() != want.Failed()):
			t.Fatalf("record line %d: Event %+v, want %+v", i+1, extra.Event, want)
		}
	}
	return recs
}

// TestTasksFormats runs "tasks" against livetest in each output format and
// parses the output: NDJSON lines, a JSON array, CSV rows, table lines.
func TestTasksFormats(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t, livetest.WithGenerated(250, 0, 1))
	want := srv.Tasks()
	app := livetest.DemoAppID

	t.Run("ndjson by default on a pipe", func(t *testing.T) {
		r := runAgainst(t, srv, "tasks", "--app-id", app)
		wantCode(t, r, exitOK)
		got := decodeTasks(t, ndjsonLines(t, r.stdout))
		if len(got) != len(want) {
			t.Fatalf("%d tasks, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].TaskID != want[i].TaskID || got[i].TranscodeParams.EncodeParams != want[i].TranscodeParams.EncodeParams {
				t.Fatalf("task %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		if r.stderr != "" {
			t.Errorf("stderr not empty on a pipe: %q", r.stderr)
		}
	})
	t.Run("json", func(t *testing.T) {
		r := runAgainst(t, srv, "tasks", "--app-id", app, "--output", "json")
		wantCode(t, r, exitOK)
		var got []livempu.MPUTask
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("not a JSON array: %v", err)
		}
		if len(got) != len(want) || got[0].TaskID != want[0].TaskID {
			t.Fatalf("%d tasks, want %d", len(got), len(want))
		}
	})
	t.Run("csv", func(t *testing.T) {
		r := runAgainst(t, srv, "tasks", "--app-id", app, "-o", "csv")
		wantCode(t, r, exitOK)
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(want)+1 || rows[0][2] != "TaskId" || rows[1][2] != want[0].TaskID {
			t.Fatalf("%d rows (first %q), want a header and %d rows", len(rows), rows[0], len(want))
		}
	})
	t.Run("table", func(t *testing.T) {
		r := runAgainst(t, srv, "tasks", "--app-id", app, "-o", "table")
		wantCode(t, r, exitOK)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != len(want)+1 || !strings.HasPrefix(lines[0], "TASK ID") || !strings.HasPrefix(lines[1], want[0].TaskID) {
			t.Fatalf("%d lines, first %q", len(lines), lines[0])
		}
		// Columns line up across pages: the CHANNEL column starts at the
		// same offset on every line.
		col := strings.Index(lines[0], "CHANNEL")
		for i, l := range lines[1:] {
			if l[col-1] != ' ' || l[col] == ' ' {
				t.Fatalf("line %d misaligned: %q", i+2, l)
			}
		}
	})
	t.Run("one task", func(t *testing.T) {
		r := runAgainst(t, srv, "tasks", "--app-id", app, "--task-id", want[42].TaskID)
		wantCode(t, r, exitOK)
		got := decodeTasks(t, ndjsonLines(t, r.stdout))
		if len(got) != 1 || got[0].TaskID != want[42].TaskID {
			t.Fatalf("got %d tasks, want %s", len(got), want[42].TaskID)
		}
	})
	t.Run("max items", func(t *testing.T) {
		r := runAgainst(t, srv, "tasks", "--app-id", app, "--max-items", "7", "--page-size", "3", "--prefetch", "2")
		wantCode(t, r, exitOK)
		if n := len(ndjsonLines(t, r.stdout)); n != 7 {
			t.Fatalf("%d lines, want 7", n)
		}
	})
}

// TestEventsFormats runs "events" in each output format, and checks that a
// window older than 7 days is refused.
func TestEventsFormats(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t, livetest.WithGenerated(20, 1200, 2))
	want := srv.Records()
	app := livetest.DemoAppID

	t.Run("ndjson over 7 days", func(t *testing.T) {
		r := runAgainst(t, srv, "events", "--app-id", app, "--since", "7d")
		wantCode(t, r, exitOK)
		got := decodeRecords(t, ndjsonLines(t, r.stdout))
		if len(got) != len(want) {
			t.Fatalf("%d records, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].MsgID != want[i].MsgID || !got[i].Time.Equal(want[i].Time) || got[i].HTTPCode != want[i].HTTPCode || got[i].Cost != want[i].Cost {
				t.Fatalf("record %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		if !strings.Contains(r.stderr, "warning") {
			t.Errorf("no warning about the moved window start: %q", r.stderr)
		}
	})
	t.Run("json", func(t *testing.T) {
		r := runAgainst(t, srv, "events", "--app-id", app, "--since", "3d", "-o", "json")
		wantCode(t, r, exitOK)
		var got []json.RawMessage
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("not a JSON array: %v", err)
		}
		lines := make([]string, len(got))
		for i, raw := range got {
			lines[i] = string(raw)
		}
		recs := decodeRecords(t, lines)
		if len(recs) < 400 || len(recs) > 600 {
			t.Fatalf("%d records in 3 of 7 days of %d", len(recs), len(want))
		}
	})
	t.Run("csv", func(t *testing.T) {
		r := runAgainst(t, srv, "events", "--app-id", app, "--sub-id", secondSubID, "--since", "7d", "-o", "csv")
		wantCode(t, r, exitOK)
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, rec := range want {
			if rec.SubID == secondSubID {
				n++
			}
		}
		if len(rows) != n+1 || rows[0][0] != "Time" {
			t.Fatalf("%d rows, want a header and %d", len(rows), n)
		}
		for _, row := range rows[1:] {
			if row[2] != secondSubID {
				t.Fatalf("row of subscription %q", row[2])
			}
		}
	})
	t.Run("table", func(t *testing.T) {
		r := runAgainst(t, srv, "events", "--app-id", app, "--since", "1d", "-o", "table")
		wantCode(t, r, exitOK)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "TIME (UTC)") {
			t.Fatalf("no header: %q", lines[0])
		}
	})
	t.Run("window refused", func(t *testing.T) {
		r := runAgainst(t, srv, "events", "--app-id", app, "--since", "8d")
		wantCode(t, r, exitUsage)
		if !strings.Contains(r.stderr, "7 days") || r.stdout != "" {
			t.Fatalf("stderr %q, stdout %q", r.stderr, r.stdout)
		}
	})
}

// TestEventsFailed compares "events --failed" with the failed records the
// SDK lists from the same server and window.
func TestEventsFailed(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t, livetest.WithGenerated(30, 2000, 3))
	now := srv.Now().UTC().Truncate(time.Second)
	start, end := now.Add(-5*24*time.Hour), now.Add(-time.Hour)

	// The expected records, listed with the SDK.
	var want []livempu.EventSubRecord
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: livetest.DemoAppID, StartTime: start, EndTime: end}
	total := 0
	for rec, err := range livempu.EventSubRecords(context.Background(), srv.Client(), req) {
		if err != nil {
			t.Fatal(err)
		}
		total++
		ev, evErr := rec.Event()
		if !rec.Delivered() || (evErr == nil && ev.Failed()) {
			want = append(want, rec)
		}
	}
	if len(want) == 0 || len(want) == total {
		t.Fatalf("%d failed records of %d: the test needs some of each", len(want), total)
	}

	r := runAgainst(t, srv, "events", "--app-id", livetest.DemoAppID, "--failed",
		"--start", start.Format(time.RFC3339), "--end", end.Format(time.RFC3339))
	wantCode(t, r, exitOK)
	got := decodeRecords(t, ndjsonLines(t, r.stdout))
	if len(got) != len(want) {
		t.Fatalf("%d failed records, want %d (of %d)", len(got), len(want), total)
	}
	for i := range got {
		if got[i].MsgID != want[i].MsgID {
			t.Fatalf("record %d is %s, want %s", i, got[i].MsgID, want[i].MsgID)
		}
	}

	// --max-items counts the records written, not those listed.
	r = runAgainst(t, srv, "events", "--app-id", livetest.DemoAppID, "--failed", "--max-items", "5",
		"--start", start.Format(time.RFC3339), "--end", end.Format(time.RFC3339), "-o", "csv")
	wantCode(t, r, exitOK)
	if rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll(); err != nil || len(rows) != 6 || rows[1][3] != want[0].MsgID {
		t.Fatalf("%d rows (%v), want a header and 5", len(rows), err)
	}
}

// TestExitCodes checks the exit status of usage errors (2), API errors with
// and without retries (1, naming the code and request id), missing
// credentials (1) and success (0).
func TestExitCodes(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t, livetest.WithGenerated(10, 10, 4))

	usage := [][]string{
		{"bogus"},
		{"--demo", "tasks"},
		{"tasks"},
		{"tasks", "--app-id", "a", "--output", "xml"},
		{"tasks", "--app-id", "a", "--page-size", "101"},
		{"tasks", "--app-id", "a", "--nope"},
		{"tasks", "--app-id", "a", "extra"},
		{"tasks", "--app-id", "bad app id"},
		{"tasks", "--app-id", "a", "--signature-version", "v2"},
		{"tasks", "--app-id", "a", "--endpoint", "ftp://example.com"},
		{"tasks", "--demo", "--profile", "p"},
		{"events", "--app-id", "a"},
		{"events", "--app-id", "a", "--since", "6h", "--start", "2024-01-01"},
		{"events", "--app-id", "a", "--since", "soon"},
		{"events", "--app-id", "a", "--start", "2024-01-01", "--end", "2023-01-01"},
		{"version", "extra"},
	}
	for _, args := range usage {
		r := runBinary(t, baseEnv(t, demoCreds...), args...)
		if r.code != exitUsage || r.stdout != "" || !briefUsageError(r.stderr, "") {
			t.Errorf("livempu %q: exit %d, stdout %q, stderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
	}

	t.Run("API error", func(t *testing.T) {
		srv.Inject(livetest.Fail(403, "Forbidden"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
		r := runAgainst(t, srv, "tasks", "--app-id", livetest.DemoAppID)
		wantCode(t, r, exitFailure)
		reqs := srv.Requests()
		id := reqs[len(reqs)-1].RequestID
		if id == "" || !strings.Contains(r.stderr, id) || !strings.Contains(r.stderr, "Forbidden") || !strings.Contains(r.stderr, "403") {
			t.Fatalf("stderr does not name the code and request id %q:\n%s", id, r.stderr)
		}
		if r.stdout != "" {
			t.Fatalf("stdout: %q", r.stdout)
		}
	})
	t.Run("API error after retries", func(t *testing.T) {
		srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 4, livetest.ForAction(livempu.ActionListRtcMPUEventSubRecord))
		r := runAgainst(t, srv, "events", "--app-id", livetest.DemoAppID, "--since", "7d", "-o", "json")
		wantCode(t, r, exitFailure)
		if !strings.Contains(r.stderr, "ServiceUnavailable") || !strings.Contains(r.stderr, "4 attempts") || !strings.Contains(r.stderr, "request id") {
			t.Fatalf("stderr:\n%s", r.stderr)
		}
		var arr []json.RawMessage
		if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != 0 {
			t.Fatalf("stdout is not an empty JSON array: %q", r.stdout)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		r := runBinary(t, baseEnv(t), "tasks", "--app-id", "a", "--endpoint", srv.URL())
		wantCode(t, r, exitFailure)
		if !strings.Contains(r.stderr, "no credentials") || !strings.Contains(r.stderr, "--demo") {
			t.Fatalf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("success", func(t *testing.T) {
		wantCode(t, runAgainst(t, srv, "tasks", "--app-id", livetest.DemoAppID), exitOK)
	})
}

// TestCredentialOptions checks --profile, --signature-version v1, --debug
// and the endpoint from the environment.
func TestCredentialOptions(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t, livetest.WithGenerated(5, 0, 5))

	t.Run("profile", func(t *testing.T) {
		env := baseEnv(t, "ALIBABA_CLOUD_ACCESS_KEY_ID=wrong", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=wrong")
		var home string
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, "HOME="); ok {
				home = v
			}
		}
		cfg := fmt.Sprintf(`{"current":"other","profiles":[{"name":"other","mode":"AK","access_key_id":"x","access_key_secret":"y"},`+
			`{"name":"live","mode":"AK","access_key_id":%q,"access_key_secret":%q}]}`, livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret)
		if err := os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runBinary(t, env, "tasks", "--app-id", livetest.DemoAppID, "--endpoint", srv.URL(), "--profile", "live")
		wantCode(t, r, exitOK)
		if n := len(ndjsonLines(t, r.stdout)); n != 5 {
			t.Fatalf("%d tasks", n)
		}
		// Without --profile, the environment's (wrong) key wins.
		r = runBinary(t, env, "tasks", "--app-id", livetest.DemoAppID, "--endpoint", srv.URL())
		wantCode(t, r, exitFailure)
		if !strings.Contains(r.stderr, "InvalidAccessKeyId") {
			t.Fatalf("stderr:\n%s", r.stderr)
		}
	})
	t.Run("signature v1 and debug", func(t *testing.T) {
		srv.ResetRequests()
		r := runAgainst(t, srv, "tasks", "--app-id", livetest.DemoAppID, "--signature-version", "v1", "--debug")
		wantCode(t, r, exitOK)
		for _, req := range srv.Requests() {
			if req.SignatureVersion != signer.V1 {
				t.Fatalf("request signed with %v", req.SignatureVersion)
			}
		}
		if !strings.Contains(r.stderr, "livempu attempt") || !strings.Contains(r.stderr, "request_id=") {
			t.Fatalf("no request log on stderr:\n%s", r.stderr)
		}
		if strings.Contains(r.stderr, livetest.DemoAccessKeySecret) || strings.Contains(r.stderr, "Signature=") {
			t.Fatalf("a secret in the debug log:\n%s", r.stderr)
		}
		if len(ndjsonLines(t, r.stdout)) != 5 {
			t.Fatal("debug output on stdout")
		}
	})
	t.Run("endpoint from the environment", func(t *testing.T) {
		r := runBinary(t, baseEnv(t, append(demoCreds, endpointEnv+"="+srv.URL())...), "tasks", "--app-id", livetest.DemoAppID)
		wantCode(t, r, exitOK)
	})
}

// TestInterrupt sends SIGINT in the middle of a slow walk: the binary must
// exit 130 having written only whole lines (and, for JSON, a closed array).
func TestInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("os.Interrupt cannot be sent to a process on Windows")
	}
	t.Parallel()
	srv := livetest.NewServer(t, livetest.WithGenerated(0, 3000, 6))
	srv.SetLatency(livempu.ActionListRtcMPUEventSubRecord, 100*time.Millisecond)

	for _, format := range []string{formatNDJSON, formatJSON} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(binary, "events", "--app-id", livetest.DemoAppID, "--since", "7d",
				"--page-size", "10", "--endpoint", srv.URL(), "-o", format)
			cmd.Env = baseEnv(t, demoCreds...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			timer := time.AfterFunc(20*time.Second, func() { _ = cmd.Process.Kill() })
			defer timer.Stop()

			var out bytes.Buffer
			br := bufio.NewReader(io.TeeReader(stdout, &out))
			for range 15 { // the first page and a half
				if _, err := br.ReadString('\n'); err != nil {
					t.Fatalf("reading the first lines: %v\nstderr:\n%s", err, stderr.String())
				}
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, br); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want status %d\nstderr:\n%s", err, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr:\n%s", stderr.String())
			}
			var n int
			if format == formatNDJSON {
				n = len(decodeRecords(t, ndjsonLines(t, out.String())))
			} else {
				var arr []json.RawMessage
				if err := json.Unmarshal(out.Bytes(), &arr); err != nil {
					t.Fatalf("not a JSON array after the interrupt: %v\n...%s", err, out.String()[max(0, out.Len()-200):])
				}
				n = len(arr)
			}
			if n < 15 || n >= 3000 {
				t.Fatalf("%d records written", n)
			}
			if n%10 != 0 {
				t.Errorf("%d records: not a whole number of pages", n)
			}
		})
	}
}

// TestDemo runs both commands with --demo and no credentials.
func TestDemo(t *testing.T) {
	t.Parallel()
	env := baseEnv(t) // no credentials needed
	r := runBinary(t, env, "tasks", "--demo")
	wantCode(t, r, exitOK)
	if n := len(decodeTasks(t, ndjsonLines(t, r.stdout))); n != demoTasks {
		t.Fatalf("%d demo tasks", n)
	}
	if !strings.Contains(r.stderr, "DEMO DATA") {
		t.Fatalf("stderr does not say the data are demo data: %q", r.stderr)
	}

	r = runBinary(t, env, "events", "--demo", "--since", "1d", "--failed", "-o", "csv")
	wantCode(t, r, exitOK)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for _, row := range rows[1:] {
		if row[7] == "true" && (row[13] == "0" || row[13] == "") {
			t.Fatalf("a delivered record without an event error: %q", row)
		}
	}

	// The demo has one application: another is a usage error, not an
	// empty listing.
	for _, args := range [][]string{
		{"tasks", "--demo", "--app-id", "myapp"},
		{"events", "--demo", "--app-id", "myapp", "--since", "1d"},
	} {
		r = runBinary(t, env, args...)
		wantCode(t, r, exitUsage)
		if r.stdout != "" || !briefUsageError(r.stderr, livetest.DemoAppID) || !strings.Contains(r.stderr, `"myapp"`) {
			t.Errorf("livempu %q: stdout %q, stderr:\n%s", args, r.stdout, r.stderr)
		}
	}
	r = runBinary(t, env, "tasks", "--demo", "--app-id", livetest.DemoAppID, "--max-items", "3")
	wantCode(t, r, exitOK)
	if n := len(ndjsonLines(t, r.stdout)); n != 3 {
		t.Errorf("--demo --app-id %s: %d tasks, want 3", livetest.DemoAppID, n)
	}
}

// TestHelp checks every way to ask for help, and version.
func TestHelp(t *testing.T) {
	t.Parallel()
	env := baseEnv(t)
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"help", "tasks"}, {"help", "events"}, {"help", "version"},
		{"tasks", "--help"}, {"events", "-h"}, {"version", "--help"},
	} {
		r := runBinary(t, env, args...)
		if r.code != exitOK || r.stderr != "" || !strings.Contains(r.stdout, "Usage") || !strings.Contains(r.stdout, "Example") {
			t.Errorf("livempu %q: exit %d, stderr %q, stdout:\n%s", args, r.code, r.stderr, r.stdout)
		}
	}
	r := runBinary(t, env, "tasks", "--help")
	for _, flag := range []string{"-app-id", "-task-id", "-output", "-max-items", "-page-size", "-prefetch", "-endpoint", "-profile", "-signature-version", "-timeout", "-debug", "-demo", "-insecure-http"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("tasks --help does not list %s", flag)
		}
	}
	if r := runBinary(t, env, "help"); !strings.Contains(r.stdout, "In CSV, a cell that begins with =, +, -, @, a\ntab or a carriage return gets a leading '") {
		t.Errorf("the help does not say how CSV cells are neutralised:\n%s", r.stdout)
	}
	r = runBinary(t, env, "version")
	wantCode(t, r, exitOK)
	if !strings.HasPrefix(r.stdout, "livempu "+livempu.SDKVersion) {
		t.Errorf("version: %q", r.stdout)
	}
}

// TestInsecureHTTP checks --endpoint http:// to a host other than this
// machine: refused without --insecure-http, with a message a CLI user can act
// on (the flag, not the SDK's option); with it, the walk goes through (here
// through an HTTP proxy that forwards to a livetest server) after a warning.
func TestInsecureHTTP(t *testing.T) {
	t.Parallel()
	srv := livetest.NewServer(t, livetest.WithGenerated(12, 0, 5))
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	var hosts sync.Map // Host headers the proxy forwarded
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		hosts.Store(r.In.Host, true)
		r.SetURL(target)
		r.Out.Host = r.In.Host // as signed
	}})
	t.Cleanup(proxy.Close)
	const endpoint = "http://live.example.test"
	env := baseEnv(t, append(demoCreds, "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")...)

	r := runBinary(t, env, "tasks", "--app-id", livetest.DemoAppID, "--endpoint", endpoint)
	wantCode(t, r, exitUsage)
	if !briefUsageError(r.stderr, "--insecure-http") || strings.Contains(r.stderr, "WithInsecureHTTP") || r.stdout != "" {
		t.Errorf("without --insecure-http: stdout %q, stderr:\n%s", r.stdout, r.stderr)
	}
	if _, ok := hosts.Load("live.example.test"); ok {
		t.Fatal("a request was sent although the endpoint was refused")
	}

	r = runBinary(t, env, "tasks", "--app-id", livetest.DemoAppID, "--endpoint", endpoint, "--insecure-http")
	wantCode(t, r, exitOK)
	if got := decodeTasks(t, ndjsonLines(t, r.stdout)); len(got) != 12 {
		t.Errorf("%d tasks, want 12", len(got))
	}
	if !strings.Contains(r.stderr, "warning: --insecure-http") || !strings.Contains(r.stderr, "unencrypted") {
		t.Errorf("no warning on stderr: %q", r.stderr)
	}
	if _, ok := hosts.Load("live.example.test"); !ok {
		t.Error("the requests did not go to the http:// endpoint")
	}
}

// secondSubID is the subscription of about one in four generated records
// (the demo data's other subscription; see livetest.DemoSubID).
const secondSubID = "Sub-livetest-0002"
