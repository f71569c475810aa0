package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/pager"
)

// noEnv is a getenv with nothing set.
func noEnv(string) string { return "" }

// runIn calls run in-process and returns its streams and status.
func runIn(ctx context.Context, getenv func(string) string, args ...string) result {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr, getenv)
	return result{stdout.String(), stderr.String(), code}
}

// briefUsageError reports whether stderr is a usage error as the tool
// prints it: one line with the reason and one saying how to get the help,
// not the help itself (which would bury the reason).
func briefUsageError(stderr, reason string) bool {
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	return len(lines) == 2 && strings.HasPrefix(lines[0], "livempu") && strings.Contains(lines[0], reason) &&
		strings.HasPrefix(lines[1], `Run "livempu `) && strings.HasSuffix(lines[1], `" for usage.`)
}

// TestRunUsageErrors checks that bad command lines end with status 2, the
// reason and a line saying how to get help on stderr (not the whole help),
// and nothing on stdout.
func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	if r := runIn(context.Background(), noEnv); r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("livempu without a command: status %d, stdout %q, stderr (want the help):\n%s", r.code, r.stdout, r.stderr)
	}
	for _, tc := range []struct {
		args []string
		want string // the reason, on stderr's first line
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--output", "json", "tasks"}, "flags go after it"},
		{[]string{"help", "nope"}, `unknown command "nope"`},
		{[]string{"help", "tasks", "events"}, "at most one command"},
		{[]string{"tasks"}, "--app-id is required"},
		{[]string{"tasks", "--app-id"}, "flag needs an argument"},
		{[]string{"tasks", "--app-id", "a", "-o", "yaml"}, `--output "yaml"`},
		{[]string{"tasks", "--app-id", "a", "--page-size", "0"}, "--page-size 0"},
		{[]string{"tasks", "--app-id", "a", "--max-items", "-1"}, "--max-items -1"},
		{[]string{"tasks", "--app-id", "a", "--prefetch", "17"}, "--prefetch 17"},
		{[]string{"tasks", "--app-id", "a", "--timeout", "-1s"}, "--timeout"},
		{[]string{"tasks", "--app-id", "a", "--timeout", "soon"}, "invalid value"},
		{[]string{"tasks", "--app-id", "a", "--signature-version", "v4"}, "--signature-version"},
		{[]string{"tasks", "--app-id", "a", "--endpoint", "http://example.com"}, "--endpoint: "},
		{[]string{"tasks", "--app-id", "a", "stray"}, `unexpected argument "stray"`},
		{[]string{"tasks", "--app-id", "x/y"}, "--app-id: "},
		{[]string{"tasks", "--app-id", "a", "--task-id", strings.Repeat("t", 56)}, "--task-id: "},
		{[]string{"tasks", "--demo", "--endpoint", "https://live.aliyuncs.com"}, "cannot be combined"},
		{[]string{"tasks", "--demo", "--insecure-http"}, "cannot be combined"},
		{[]string{"tasks", "--demo", "--app-id", "myapp"}, `--app-id "myapp": the demo has only the application ` + livetest.DemoAppID},
		{[]string{"events", "--demo", "--app-id", "myapp", "--since", "1h"}, `--app-id "myapp": the demo has only the application ` + livetest.DemoAppID},
		{[]string{"events", "--app-id", "a"}, "give the time window"},
		{[]string{"events", "--app-id", "a", "--end", "now"}, "give the time window"},
		{[]string{"events", "--app-id", "a", "--since", "6h", "--end", "now"}, "cannot be combined"},
		{[]string{"events", "--app-id", "a", "--since", "0h"}, "must be positive"},
		{[]string{"events", "--app-id", "a", "--since", "7d1s"}, "7 days"},
		{[]string{"events", "--app-id", "a", "--start", "yesterday"}, "--start"},
		{[]string{"events", "--app-id", "a", "--start", "now", "--end", "2000-01-01"}, "is after --end"},
		{[]string{"events", "--app-id", "a", "--start", "2000-01-01"}, "more than 7 days ago"},
		{[]string{"events", "--app-id", "a", "--since", "1h", "--sub-id", "bad\x01id"}, "--sub-id: "},
		{[]string{"version", "now"}, `unexpected argument "now"`},
	} {
		r := runIn(context.Background(), noEnv, tc.args...)
		if r.code != exitUsage || r.stdout != "" || !briefUsageError(r.stderr, tc.want) {
			t.Errorf("livempu %q: status %d, stdout %q, stderr (want %q):\n%s", tc.args, r.code, r.stdout, tc.want, r.stderr)
		}
	}
}

// TestRunHelpAndVersion checks the help texts and the version line.
func TestRunHelpAndVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"--help"}, {"help", "help"}} {
		r := runIn(context.Background(), noEnv, args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Commands:") || r.stderr != "" {
			t.Errorf("livempu %q: %d %q %q", args, r.code, r.stdout, r.stderr)
		}
	}
	for _, cmd := range []string{"tasks", "events"} {
		a := runIn(context.Background(), noEnv, cmd, "--help")
		b := runIn(context.Background(), noEnv, "help", cmd)
		if a.code != exitOK || a.stdout != b.stdout || !strings.Contains(a.stdout, "Examples:") || !strings.Contains(a.stdout, "-page-size") {
			t.Errorf("%s --help and help %s differ or lack examples and flags:\n%s", cmd, cmd, a.stdout)
		}
	}
	r := runIn(context.Background(), func(k string) string {
		if k == endpointEnv {
			return "live.ap-southeast-1.aliyuncs.com"
		}
		return ""
	}, "help", "tasks")
	if !strings.Contains(r.stdout, "live.ap-southeast-1.aliyuncs.com") {
		t.Errorf("the help does not show $%s as the default endpoint", endpointEnv)
	}
	r = runIn(context.Background(), noEnv, "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "livempu "+version+" (go") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
}

// TestWindow checks how --since, --start and --end make the time window.
func TestWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	limit := now.Add(-livempu.RecordRetention)
	const retentionMargin = 5 * time.Minute // as the help says
	for _, tc := range []struct {
		since, start, end  string
		wantStart, wantEnd time.Time
		warn               bool
		errText            string
	}{
		{since: "6h", wantStart: now.Add(-6 * time.Hour), wantEnd: now},
		{since: "1d12h", wantStart: now.Add(-36 * time.Hour), wantEnd: now},
		{since: "7d", wantStart: limit.Add(retentionMargin), wantEnd: now, warn: true},
		{since: "6d23h58m", wantStart: limit.Add(retentionMargin), wantEnd: now, warn: true},
		{since: "6d23h50m", wantStart: now.Add(-(6*24*time.Hour + 23*time.Hour + 50*time.Minute)), wantEnd: now},
		{since: "8d", errText: "7d at most"},
		{since: "-1h", errText: "must be positive"},
		{start: "2024-05-10T08:00:00+08:00", wantStart: time.Date(2024, 5, 10, 0, 0, 0, 0, time.UTC), wantEnd: now},
		{start: "2024-05-09", end: "2024-05-09 18:30:00", wantStart: time.Date(2024, 5, 9, 0, 0, 0, 0, time.UTC), wantEnd: time.Date(2024, 5, 9, 18, 30, 0, 0, time.UTC)},
		{start: "2024-05-09T10:00", end: "2024-06-01", wantStart: time.Date(2024, 5, 9, 10, 0, 0, 0, time.UTC), wantEnd: now},
		{start: "2024-05-03T11:59:30Z", wantStart: limit.Add(retentionMargin), wantEnd: now, warn: true},
		{start: "2024-05-03T11:58:00Z", errText: "more than 7 days ago"},
		{start: "2024-05-03T11:59:30Z", end: "2024-05-03T12:01:00Z", errText: "too close"},
		{start: "now", end: "2024-05-01", errText: "is after --end"},
		{start: "2024-13-01", errText: "want RFC 3339"},
		{since: "1h", start: "now", errText: "cannot be combined"},
		{errText: "give the time window"},
	} {
		o := &eventsOptions{since: tc.since, start: tc.start, end: tc.end}
		start, end, warning, err := o.window(now)
		name := fmt.Sprintf("since=%q start=%q end=%q", tc.since, tc.start, tc.end)
		switch {
		case tc.errText != "":
			if err == nil || !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("%s: error %v, want %q", name, err, tc.errText)
			}
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case !start.Equal(tc.wantStart) || !end.Equal(tc.wantEnd) || (warning != "") != tc.warn:
			t.Errorf("%s: [%v, %v] warning %q, want [%v, %v] warning %v", name, start, end, warning, tc.wantStart, tc.wantEnd, tc.warn)
		}
	}
}

// TestParseAge checks the --since durations, days included.
func TestParseAge(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"6h": 6 * time.Hour, "90m": 90 * time.Minute, "2d": 48 * time.Hour, "1d12h": 36 * time.Hour,
		" 30s ": 30 * time.Second, "0d1h": time.Hour,
	} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "1.5d", "-1d", "x", "1dd", "0", "0d", "6"} {
		if got, err := parseAge(in); err == nil {
			t.Errorf("parseAge(%q) = %v, want an error", in, got)
		}
	}
}

// demoRun runs a command with --demo in-process and checks it succeeded
// and said on stderr that the data are demo data.
func demoRun(t *testing.T, args ...string) result {
	t.Helper()
	r := runIn(context.Background(), noEnv, append(args, "--demo")...)
	if r.code != exitOK {
		t.Fatalf("livempu %q: status %d\n%s", args, r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "DEMO DATA") {
		t.Fatalf("no demo notice: %q", r.stderr)
	}
	return r
}

// TestRunFormats runs both commands with --demo in-process in each format.
func TestRunFormats(t *testing.T) {
	t.Parallel()
	tasks, _ := livetest.Generate(demoTasks, 0, demoSeed, time.Now())

	r := demoRun(t, "tasks", "--max-items", "120")
	if lines := ndjsonLines(t, r.stdout); len(lines) != 120 {
		t.Fatalf("%d lines", len(lines))
	} else if got := decodeTasks(t, lines); got[0].TaskID != tasks[0].TaskID || got[119].TaskID != tasks[119].TaskID {
		t.Fatalf("tasks %s..%s", got[0].TaskID, got[119].TaskID)
	}

	r = demoRun(t, "tasks", "--output", "JSON", "--page-size", "50")
	var arr []livempu.MPUTask
	if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != demoTasks {
		t.Fatalf("%d tasks, %v", len(arr), err)
	}

	r = demoRun(t, "tasks", "-o", "csv", "--max-items", "5")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 6 || len(rows[0]) != len(taskSchema.csvHeader) {
		t.Fatalf("%d rows, %v", len(rows), err)
	}

	r = demoRun(t, "events", "--since", "2d", "-o", "jsonl", "--failed", "--prefetch", "3")
	for _, rec := range decodeRecords(t, ndjsonLines(t, r.stdout)) {
		ev, err := rec.Event()
		if rec.Delivered() && (err != nil || !ev.Failed()) {
			t.Fatalf("--failed wrote a successful record: %+v", rec)
		}
	}

	r = demoRun(t, "events", "--since", "12h", "-o", "table")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) < 10 || !strings.HasPrefix(lines[0], "TIME (UTC)") {
		t.Fatalf("table:\n%s", r.stdout)
	}
}

// TestRunDefaultFormatOnTerminal checks that the default output is a table
// on a terminal and NDJSON otherwise.
func TestRunDefaultFormatOnTerminal(t *testing.T) {
	t.Parallel()
	for _, tty := range []bool{false, true} {
		var stdout, stderr bytes.Buffer
		e := &env{stdout: &stdout, stderr: &stderr, getenv: noEnv, stdoutTTY: tty, now: time.Now}
		if code := e.main(context.Background(), []string{"tasks", "--demo", "--max-items", "3"}); code != exitOK {
			t.Fatalf("status %d: %s", code, stderr.String())
		}
		isTable := strings.HasPrefix(stdout.String(), "TASK ID")
		if isTable != tty {
			t.Errorf("stdout a terminal: %v; output:\n%s", tty, stdout.String())
		}
	}
}

// TestRunCancelled checks that a cancelled context (SIGINT) ends with
// status 130 and a valid, closed JSON array.
func TestRunCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runIn(ctx, noEnv, "events", "--demo", "--since", "1d", "-o", "json")
	if r.code != exitInterrupted || r.stdout != "[]\n" || !strings.Contains(r.stderr, "interrupted") {
		t.Fatalf("status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// setCredentials puts the livetest demo account in the process environment
// (which the credentials chain reads) and hides any real profile file.
func setCredentials(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("USERPROFILE", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_PROFILE", "")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", livetest.DemoAccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", livetest.DemoAccessKeySecret)
}

// TestRunTimeout needs the process environment for credentials, so it
// does not run in parallel.
func TestRunTimeout(t *testing.T) {
	setCredentials(t)
	srv := livetest.NewServer(t, livetest.WithGenerated(150, 0, 7))
	srv.SetLatency(livempu.ActionListRtcMPUTaskDetail, 2*time.Second)
	start := time.Now()
	r := runIn(context.Background(), noEnv, "tasks", "--app-id", livetest.DemoAppID, "--endpoint", srv.URL(), "--timeout", "200ms", "-o", "csv")
	if r.code != exitFailure || !strings.Contains(r.stderr, "timed out after 200ms") || time.Since(start) > 1500*time.Millisecond {
		t.Fatalf("status %d after %v, stderr %q", r.code, time.Since(start), r.stderr)
	}
	if r.stdout != strings.Join(taskSchema.csvHeader, ",")+"\n" {
		t.Fatalf("stdout %q, want the CSV header", r.stdout)
	}
}

// TestRunThrottleBeyondTimeout: a throttle asking for a wait longer than
// --timeout ends the command at once, and stderr says it stopped early (not
// that it timed out) and names the throttle and its request id.
func TestRunThrottleBeyondTimeout(t *testing.T) {
	setCredentials(t)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(429)
		_, _ = w.Write([]byte(`{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"throttle-req"}`))
	}))
	defer front.Close()
	start := time.Now()
	r := runIn(context.Background(), noEnv, "tasks", "--app-id", livetest.DemoAppID, "--endpoint", front.URL, "--timeout", "30s", "-o", "csv")
	if r.code != exitFailure || time.Since(start) > 15*time.Second {
		t.Fatalf("status %d after %v, stderr %q", r.code, time.Since(start), r.stderr)
	}
	for _, want := range []string{"stopped early", "within --timeout (30s)", "Throttling.User", "throttle-req"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.stderr)
		}
	}
	// It ended at once: saying it timed out after 30s would be untrue.
	if strings.Contains(r.stderr, "timed out") {
		t.Errorf("stderr says the command timed out: %s", r.stderr)
	}
}

// TestRunErrorMidWalk fails the second page: the first page's tasks are
// written, the JSON array is closed, and stderr names the code, the request
// id and the page.
func TestRunErrorMidWalk(t *testing.T) {
	setCredentials(t)
	srv := livetest.NewServer(t, livetest.WithGenerated(150, 0, 8))
	var n atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 2 {
			srv.Inject(livetest.Fail(403, "Forbidden.RAM"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
		}
		srv.ServeHTTP(w, r)
	}))
	defer front.Close()

	r := runIn(context.Background(), noEnv, "tasks", "--app-id", livetest.DemoAppID, "--endpoint", front.URL, "-o", "json")
	if r.code != exitFailure {
		t.Fatalf("status %d: %s", r.code, r.stderr)
	}
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != 100 {
		t.Fatalf("%d tasks before the error, %v", len(arr), err)
	}
	reqs := srv.Requests()
	for _, want := range []string{"Forbidden.RAM", "(HTTP 403)", "[request id " + reqs[len(reqs)-1].RequestID + "]", "(page 2)", "hint:", "100 tasks were written"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	// --max-items stops before the next page is requested.
	srv.ResetRequests()
	r = runIn(context.Background(), noEnv, "tasks", "--app-id", livetest.DemoAppID, "--endpoint", srv.URL(), "--max-items", "100")
	if r.code != exitOK || len(srv.Requests()) != 1 {
		t.Fatalf("status %d with %d requests: %s", r.code, len(srv.Requests()), r.stderr)
	}
}

// TestOutputEmpty checks what each format writes for no items.
func TestOutputEmpty(t *testing.T) {
	t.Parallel()
	for format, want := range map[string]string{
		formatNDJSON: "",
		formatJSON:   "[]\n",
		formatCSV:    strings.Join(eventSchema.csvHeader, ",") + "\n",
		formatTable:  strings.Join(eventSchema.tableHeader[:len(eventSchema.tableHeader)-1], "  ") + "  ERROR\n",
	} {
		var buf bytes.Buffer
		out := newOutput(&buf, format, eventSchema)
		if err := out.close(); err != nil {
			t.Fatal(err)
		}
		if err := out.close(); err != nil {
			t.Fatal(err)
		}
		got := buf.String()
		if format == formatTable {
			got = strings.Join(strings.Fields(got), "  ") + "\n"
			want = strings.Join(strings.Fields(want), "  ") + "\n"
		}
		if got != want {
			t.Errorf("%s: %q, want %q", format, got, want)
		}
	}
}

// failWriter fails every write.
type failWriter struct{ n int }

// Write counts the call and fails.
func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

// TestOutputWriteError checks that a failed write to stdout is reported
// and sticks.
func TestOutputWriteError(t *testing.T) {
	t.Parallel()
	w := &failWriter{}
	out := newOutput(w, formatNDJSON, taskSchema)
	if err := out.write(livempu.MPUTask{TaskID: "t"}); err != nil {
		t.Fatal(err) // buffered
	}
	if err := out.flush(); err == nil {
		t.Fatal("flush: no error")
	}
	if err := out.write(livempu.MPUTask{TaskID: "u"}); err == nil {
		t.Fatal("write after a failed flush: no error")
	}
	if err := out.close(); err == nil || w.n != 1 {
		t.Fatalf("close: %v after %d writes", err, w.n)
	}
}

// TestOutputWholeLines checks that every Write to stdout ends at a line
// boundary (for JSON, whose elements are separated by ",\n", at an element
// boundary), and that output is streamed in several writes.
func TestOutputWholeLines(t *testing.T) {
	t.Parallel()
	_, recs := livetest.Generate(10, 300, 9, time.Now())
	for _, format := range []string{formatNDJSON, formatJSON, formatCSV, formatTable} {
		w := &recordingWriter{}
		out := newOutput(w, format, eventSchema)
		for i, rec := range recs {
			ev, err := rec.Event()
			if err := out.write(eventItem{rec: rec, ev: ev, evErr: err}); err != nil {
				t.Fatal(err)
			}
			if i%37 == 0 {
				if err := out.flush(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := out.close(); err != nil {
			t.Fatal(err)
		}
		for i, chunk := range w.writes {
			end := []byte("\n")
			if format == formatJSON && i < len(w.writes)-1 {
				end = []byte("}")
			}
			if !bytes.HasSuffix(chunk, end) {
				t.Fatalf("%s: write %d does not end a line: ...%q", format, i, chunk[max(0, len(chunk)-40):])
			}
		}
		if len(w.writes) < 8 {
			t.Errorf("%s: %d writes: not streamed", format, len(w.writes))
		}
	}
}

// recordingWriter keeps each Write separately.
type recordingWriter struct{ writes [][]byte }

// Write records p as one write.
func (w *recordingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

// TestTableAlignsAcrossFlushes checks that table pages line up and that
// cells are cleaned.
func TestTableAlignsAcrossFlushes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	tw := newTableWriter(&buf)
	tw.row([]string{"ID", "NAME", "NOTE"})
	tw.row([]string{"a-long-id", "x", "first\tpage"})
	if err := tw.flush(); err != nil {
		t.Fatal(err)
	}
	tw.row([]string{"b", "", "second page"})
	if err := tw.flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := []string{
		"ID         NAME  NOTE",
		"a-long-id  x     first page",
		"b          -     second page",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("table:\n%s\nwant:\n%s", buf.String(), strings.Join(want, "\n"))
	}
	if got := tableCell(strings.Repeat("é", 100)); len([]rune(got)) != maxCellRunes {
		t.Errorf("long cell has %d runes", len([]rune(got)))
	}
}

// TestEventJSON checks the EventError member and the --failed rule.
func TestEventJSON(t *testing.T) {
	t.Parallel()
	rec := livempu.EventSubRecord{AppID: "a", MsgID: "m", Data: "not json", HTTPCode: 500, Time: time.Unix(1700000000, 0).UTC()}
	ev, evErr := rec.Event()
	b, err := appendEventJSON(nil, eventItem{rec: rec, ev: ev, evErr: evErr})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		MsgID      string `json:"MsgId"`
		HTTPCode   int
		Time       string
		Event      *json.RawMessage
		EventError string
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if got.MsgID != "m" || got.HTTPCode != 500 || got.Time != "2023-11-14T22:13:20Z" || got.Event != nil || !strings.Contains(got.EventError, "malformed") {
		t.Fatalf("%s", b)
	}
	if !(eventItem{rec: rec, evErr: evErr}).failed() {
		t.Error("a 500 record is not failed")
	}
	rec.HTTPCode = 204
	if (eventItem{rec: rec, evErr: evErr}).failed() {
		t.Error("a delivered record with undecodable data is failed")
	}
	ev.Payload.ErrorCode = 1001
	if !(eventItem{rec: rec, ev: ev}).failed() {
		t.Error("a record whose event has an error code is not failed")
	}
}

// TestProgress checks the progress line and summary, and that nothing is
// drawn when stderr is not a terminal.
func TestProgress(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := time.Unix(0, 0)
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	p := newProgress(&buf, true, "records", now)
	p.page(pager.PageInfo{PageNo: 1, Items: 100, PagesSoFar: 1, ItemsSoFar: 100}, 7, true)
	p.page(pager.PageInfo{PageNo: 2, Items: 100, PagesSoFar: 2, ItemsSoFar: 200}, 9, true)
	p.clear()
	p.done(9, 230)
	out := buf.String()
	for _, want := range []string{"\r\033[K1 pages, 100 records, 7 kept, 100/s", "\r\033[K2 pages, 200 records, 9 kept, 100/s", "9 records written (230 listed, 3 pages"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q: %q", want, out)
		}
	}

	buf.Reset()
	p = newProgress(&buf, false, "tasks", time.Now)
	p.page(pager.PageInfo{PagesSoFar: 1, ItemsSoFar: 1}, 1, false)
	p.clear()
	p.done(1, 1)
	if buf.Len() != 0 {
		t.Errorf("disabled progress wrote %q", buf.String())
	}
}

// TestIsTerminal checks that buffers, files and the null device are not
// terminals.
func TestIsTerminal(t *testing.T) {
	t.Parallel()
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Error("the null device is a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a file is a terminal")
	}
}

// TestDescribeError checks the one-line error report and the hints.
func TestDescribeError(t *testing.T) {
	t.Parallel()
	api := &livempu.APIError{StatusCode: 403, Code: "Forbidden.RAM", Message: "no", RequestID: "RID-1", Action: livempu.ActionListRtcMPUTaskDetail}
	err := &pager.PageError{PageNo: 3, Err: &livempu.OperationError{Action: api.Action, Attempts: 1, Err: api}}
	got := describeError(err)
	want := "ListRtcMPUTaskDetail: Forbidden.RAM (HTTP 403): no [request id RID-1] (page 3)"
	if got != want {
		t.Errorf("describeError = %q, want %q", got, want)
	}
	if errorHint(err) == "" {
		t.Error("no hint for Forbidden")
	}
	if errorHint(errors.New("other")) != "" {
		t.Error("a hint for an unknown error")
	}
}
