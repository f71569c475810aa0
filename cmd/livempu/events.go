package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/pager"
)

// eventsHelp is the help of the events command, printed before its flags.
const eventsHelp = `Usage: livempu events --app-id ID (--since DURATION | --start TIME [--end TIME]) [flags]

Lists the callback records of an application's subscriptions to mixed-stream
relay events (ListRtcMPUEventSubRecord, walking all pages, oldest first) within
a time window, optionally only the failed ones.

The window is --since DURATION back from now (6h, 90m, 2d, 1d12h), or --start
to --end (default now). Times are RFC 3339 (2024-05-01T08:00:00Z or with an
offset, +08:00), "2024-05-01 08:00:00" or "2024-05-01" (both UTC), or "now".
The service keeps the last 7 days of records only: a window starting earlier
is refused (exit status 2). A window starting within 5 minutes of that limit
(--since 7d) is shortened to start 5 minutes after it, with a warning, so that
the service does not refuse a long walk halfway as the limit moves on. An
--end after now means now.

--failed keeps the records whose callback was not answered with a 2xx status
(HTTPCode) or whose event carries an error code (Payload.ErrorCode != 0).

Each record is written as it arrives: in NDJSON and JSON with the fields of
the SDK's livempu.EventSubRecord (Time in RFC 3339, Cost in milliseconds,
HTTPCode a number) plus "Event", the decoded callback event (CallbackTs and
EventTs in epoch milliseconds), or "EventError" when Data does not decode; in
CSV one row per record with the event's fields; in a table the time, the
subscription, the HTTP status, the cost, the event type and code, the task and
the error.

Examples:
  livempu events --app-id myapp --since 6h --failed | jq -r '[.Time, .HTTPCode, .Event.TaskId] | @tsv'
  livempu events --app-id myapp --sub-id sub-1 --start 2024-05-01 --end 2024-05-02 --output csv > events.csv
  livempu events --demo --since 1d --failed --output table
`

// retentionSlack is how much earlier than the service's retention limit
// (livempu.RecordRetention before now) a window may start and still be
// shortened rather than refused: the time between computing "7 days ago" and
// parsing the flags.
const retentionSlack = time.Minute

// eventsOptions are the flags of the events command.
type eventsOptions struct {
	commonOptions
	subID  string
	since  string
	start  string
	end    string
	failed bool
}

// newEventsFlags defines the flags of the events command.
func newEventsFlags(getenv func(string) string) (*flag.FlagSet, *eventsOptions) {
	fs := flag.NewFlagSet("events", flag.ContinueOnError)
	o := new(eventsOptions)
	o.register(fs, getenv)
	fs.StringVar(&o.subID, "sub-id", "", "list only this subscription's records")
	fs.StringVar(&o.since, "since", "", "window: the last `duration`, e.g. 6h, 90m, 2d (7d at most)")
	fs.StringVar(&o.start, "start", "", "window start `time` (RFC 3339, or a UTC date and time), with --end")
	fs.StringVar(&o.end, "end", "", "window end `time` (default now)")
	fs.BoolVar(&o.failed, "failed", false, "keep only failed records: HTTPCode not 2xx, or an event ErrorCode other than 0")
	return fs, o
}

// events runs "livempu events".
func (e *env) events(ctx context.Context, args []string) int {
	fs, o := newEventsFlags(e.getenv)
	if code, done := e.parseFlags(fs, eventsHelp, args); done {
		return code
	}
	if msg := o.check(fs, e.stdoutTTY); msg != "" {
		return e.commandUsageError(fs, msg)
	}
	start, end, warning, err := o.window(e.now())
	if err != nil {
		return e.commandUsageError(fs, err.Error())
	}
	if warning != "" {
		fmt.Fprintf(e.stderr, "livempu events: warning: %s\n", warning)
	}
	req := &livempu.ListRtcMPUEventSubRecordRequest{
		AppID: o.appID, SubID: o.subID, StartTime: start, EndTime: end, PageSize: o.pageSize, PageNo: 1,
	}
	if err := req.Validate(); err != nil {
		return e.commandUsageError(fs, flagError(err))
	}
	api, release, code, ok := e.connectOrExit(ctx, fs, &o.commonOptions)
	if !ok {
		return code
	}
	defer release()
	spec := walkSpec[eventItem]{
		command: "events",
		noun:    "records",
		items: func(ctx context.Context, opts ...pager.Option) iter.Seq2[eventItem, error] {
			return eventItems(livempu.EventSubRecords(ctx, api, req, opts...))
		},
		out: newOutput(e.stdout, o.output, eventSchema),
	}
	if o.failed {
		spec.keep = eventItem.failed
	}
	return walk(ctx, e, &o.commonOptions, spec)
}

// window computes the time window from the flags at now: start and end,
// a warning when the start was moved, or a usage error.
func (o *eventsOptions) window(now time.Time) (start, end time.Time, warning string, err error) {
	now = now.UTC()
	var requested time.Time // the start asked for, before clipping
	switch {
	case o.since != "" && (o.start != "" || o.end != ""):
		return start, end, "", errors.New("--since cannot be combined with --start or --end")
	case o.since == "" && o.start == "":
		return start, end, "", errors.New("give the time window: --since DURATION (e.g. --since 6h), or --start TIME [--end TIME]")
	case o.since != "":
		d, err := parseAge(o.since)
		if err != nil {
			return start, end, "", fmt.Errorf("--since %q: %v", o.since, err)
		}
		if d > livempu.RecordRetention {
			return start, end, "", fmt.Errorf("--since %s: the service keeps only the last 7 days of callback records (--since 7d at most)", o.since)
		}
		start, end = livempu.RecordWindow(now, d)
		requested = end.Add(-d)
	default:
		if start, err = parseTimeFlag(o.start, now); err != nil {
			return start, end, "", fmt.Errorf("--start %q: %v", o.start, err)
		}
		end = now
		if o.end != "" {
			if end, err = parseTimeFlag(o.end, now); err != nil {
				return start, end, "", fmt.Errorf("--end %q: %v", o.end, err)
			}
		}
		if start.After(end) {
			return start, end, "", fmt.Errorf("--start %s is after --end %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
		}
		requested = start
	}
	if end.After(now) {
		end = now
	}
	limit := now.Add(-livempu.RecordRetention)
	if requested.Before(limit.Add(-retentionSlack)) {
		return start, end, "", fmt.Errorf("the window starts at %s, more than 7 days ago: the service keeps only the last 7 days of callback records (since %s)",
			requested.Format(time.RFC3339), limit.Format(time.RFC3339))
	}
	// The earliest start the SDK considers safe for a walk: a little after
	// the limit, which moves on while the walk runs.
	if earliest, _ := livempu.RecordWindow(now, livempu.RecordRetention); requested.Before(earliest) {
		if earliest.After(end) {
			return start, end, "", fmt.Errorf("the window ends at %s, too close to the 7-day retention limit (%s)", end.Format(time.RFC3339), limit.Format(time.RFC3339))
		}
		warning = fmt.Sprintf("the window starts at %s instead of %s: the service keeps 7 days of records, and a start %v after that limit keeps a long walk within it",
			earliest.Format(time.RFC3339), requested.Format(time.RFC3339), earliest.Sub(limit).Round(time.Second))
		start = earliest
	}
	return start, end, warning, nil
}

// parseAge parses a --since duration: a Go duration (6h, 90m, 1h30m), or a
// number of days followed by an optional Go duration (7d, 1d12h).
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		days, err := strconv.Atoi(s[:i])
		if err != nil || days < 0 || days > 366 {
			return 0, errors.New("want a duration such as 6h, 90m, 2d or 1d12h")
		}
		d, s = time.Duration(days)*24*time.Hour, s[i+1:]
	}
	if s != "" {
		rest, err := time.ParseDuration(s)
		if err != nil {
			return 0, errors.New("want a duration such as 6h, 90m, 2d or 1d12h")
		}
		d += rest
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d, nil
}

// timeLayouts are the accepted --start and --end forms after RFC 3339; they
// have no zone and mean UTC.
var timeLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTimeFlag parses a --start or --end value: "now", RFC 3339, or one of
// timeLayouts in UTC.
func parseTimeFlag(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "now") {
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New(`want RFC 3339 (2024-05-01T08:00:00Z), "2024-05-01 08:00:00" (UTC), "2024-05-01" or "now"`)
}

// eventItem is a callback record with its event decoded once, for the
// filter and the output.
type eventItem struct {
	rec   livempu.EventSubRecord
	ev    livempu.MPUEvent
	evErr error
}

// failed reports whether the callback was not delivered (HTTPCode not 2xx)
// or its event carries an error code.
func (it eventItem) failed() bool {
	return !it.rec.Delivered() || (it.evErr == nil && it.ev.Failed())
}

// eventItems decodes the event of each record of seq.
func eventItems(seq iter.Seq2[livempu.EventSubRecord, error]) iter.Seq2[eventItem, error] {
	return func(yield func(eventItem, error) bool) {
		for rec, err := range seq {
			if err != nil {
				yield(eventItem{}, err)
				return
			}
			ev, evErr := rec.Event()
			if !yield(eventItem{rec: rec, ev: ev, evErr: evErr}, nil) {
				return
			}
		}
	}
}

// eventSchema writes callback records.
var eventSchema = schema[eventItem]{
	appendJSON: appendEventJSON,
	csvHeader: []string{
		"Time", "AppId", "SubId", "MsgId", "CallbackUrl", "HTTPCode", "CostMs", "Delivered",
		"EventType", "EventCode", "TaskId", "DstUrl", "EventTs", "ErrorCode", "ErrorMessage", "EventError", "Data",
	},
	csvRow:      eventCSVRow,
	tableHeader: []string{"TIME (UTC)", "SUB ID", "HTTP", "COST", "TYPE", "CODE", "TASK ID", "ERROR"},
	tableRow:    eventTableRow,
}

// appendEventJSON appends a record's JSON object (json.Marshal of the
// livempu.EventSubRecord) with one more member: "Event", the decoded event,
// or "EventError", why it did not decode.
func appendEventJSON(dst []byte, it eventItem) ([]byte, error) {
	rec, err := json.Marshal(it.rec)
	if err != nil {
		return dst, err
	}
	if len(rec) < 2 || rec[len(rec)-1] != '}' {
		return dst, fmt.Errorf("record encodes as %.20q, not an object", rec)
	}
	dst = append(dst, rec[:len(rec)-1]...)
	if len(rec) > 2 {
		dst = append(dst, ',')
	}
	if it.evErr != nil {
		msg, _ := json.Marshal(it.evErr.Error())
		dst = append(dst, `"EventError":`...)
		dst = append(dst, msg...)
	} else {
		ev, err := json.Marshal(it.ev)
		if err != nil {
			return dst, err
		}
		dst = append(dst, `"Event":`...)
		dst = append(dst, ev...)
	}
	return append(dst, '}'), nil
}

// eventCSVRow returns the CSV cells of a record, in the order of the header.
func eventCSVRow(it eventItem) []string {
	r := it.rec
	row := []string{
		r.Time.UTC().Format(time.RFC3339), r.AppID, r.SubID, r.MsgID, r.CallbackURL,
		strconv.Itoa(r.HTTPCode), strconv.FormatInt(r.Cost.Milliseconds(), 10), strconv.FormatBool(r.Delivered()),
	}
	if it.evErr != nil {
		row = append(row, "", "", "", "", "", "", "", it.evErr.Error())
	} else {
		ev := it.ev
		eventTs := ""
		if !ev.Payload.EventTs.IsZero() {
			eventTs = ev.Payload.EventTs.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
		row = append(row,
			strconv.Itoa(int(ev.EventType)), strconv.Itoa(int(ev.Payload.EventCode)), ev.TaskID, ev.Payload.DstURL,
			eventTs, strconv.Itoa(ev.Payload.ErrorCode), ev.Payload.ErrorMessage, "")
	}
	return append(row, r.Data)
}

// eventTableRow returns the table cells of a record.
func eventTableRow(it eventItem) []string {
	r := it.rec
	row := []string{r.Time.UTC().Format(time.DateTime), r.SubID, strconv.Itoa(r.HTTPCode), r.Cost.String()}
	switch {
	case it.evErr != nil:
		return append(row, "", "", "", "undecodable event")
	case it.ev.Failed():
		return append(row, strconv.Itoa(int(it.ev.EventType)), strconv.Itoa(int(it.ev.Payload.EventCode)), it.ev.TaskID,
			strconv.Itoa(it.ev.Payload.ErrorCode)+" "+it.ev.Payload.ErrorMessage)
	default:
		return append(row, strconv.Itoa(int(it.ev.EventType)), strconv.Itoa(int(it.ev.Payload.EventCode)), it.ev.TaskID, "")
	}
}
