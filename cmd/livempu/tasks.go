package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/pager"
)

// tasksHelp is the help of the tasks command, printed before its flags.
const tasksHelp = `Usage: livempu tasks --app-id ID [--task-id ID] [flags]

Lists every mixed-stream relay task of an application (ListRtcMPUTaskDetail,
walking all pages, newest update first), or the one task --task-id names.

Each task is written as it arrives: in NDJSON and JSON with every field of the
SDK's livempu.MPUTask, typed (numbers and booleans as JSON numbers and
booleans; MaxIdleTime in seconds, SEI intervals in milliseconds, as the API
counts them); in CSV one row per task with the main fields; in a table the ID,
channel, mode, region, output, relays, idle time and stream URL (without its
query string, which usually holds an auth key).

Examples:
  livempu tasks --app-id myapp | jq -r 'select(.MixMode == 1) | .TaskId'
  livempu tasks --app-id myapp --task-id mpu-task-1 --output json
  livempu tasks --app-id myapp --output csv > tasks.csv
  livempu tasks --demo --output table
`

// tasksOptions are the flags of the tasks command.
type tasksOptions struct {
	commonOptions
	taskID string
}

// newTasksFlags defines the flags of the tasks command.
func newTasksFlags(getenv func(string) string) (*flag.FlagSet, *tasksOptions) {
	fs := flag.NewFlagSet("tasks", flag.ContinueOnError)
	o := new(tasksOptions)
	o.register(fs, getenv)
	fs.StringVar(&o.taskID, "task-id", "", "list only this task `ID`")
	return fs, o
}

// tasks runs "livempu tasks".
func (e *env) tasks(ctx context.Context, args []string) int {
	fs, o := newTasksFlags(e.getenv)
	if code, done := e.parseFlags(fs, tasksHelp, args); done {
		return code
	}
	if msg := o.check(fs, e.stdoutTTY); msg != "" {
		return e.commandUsageError(fs, msg)
	}
	req := &livempu.ListRtcMPUTaskDetailRequest{AppID: o.appID, TaskID: o.taskID, PageSize: o.pageSize, PageNo: 1}
	if err := req.Validate(); err != nil {
		return e.commandUsageError(fs, flagError(err))
	}
	api, release, code, ok := e.connectOrExit(ctx, fs, &o.commonOptions)
	if !ok {
		return code
	}
	defer release()
	return walk(ctx, e, &o.commonOptions, walkSpec[livempu.MPUTask]{
		command: "tasks",
		noun:    "tasks",
		items: func(ctx context.Context, opts ...pager.Option) iter.Seq2[livempu.MPUTask, error] {
			return livempu.MPUTasks(ctx, api, req, opts...)
		},
		out: newOutput(e.stdout, o.output, taskSchema),
	})
}

// flagError rewords an SDK validation error in terms of the flags.
func flagError(err error) string {
	var ve *livempu.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	names := map[string]string{
		"AppID": "--app-id", "TaskID": "--task-id", "SubID": "--sub-id",
		"PageSize": "--page-size", "StartTime": "--start/--since", "EndTime": "--end",
	}
	name, ok := names[ve.Field]
	if !ok {
		name = ve.Field
	}
	return name + ": " + ve.Reason
}

// taskSchema writes tasks.
var taskSchema = schema[livempu.MPUTask]{
	appendJSON: func(dst []byte, t livempu.MPUTask) ([]byte, error) {
		b, err := json.Marshal(t)
		return append(dst, b...), err
	},
	csvHeader: []string{
		"AppId", "ChannelId", "TaskId", "MixMode", "Region", "StreamURL", "MultiStreamURL", "MaxIdleTimeSeconds",
		"SingleUserId", "SingleStreamType", "SingleSourceType",
		"AudioOnly", "VideoCodec", "VideoWidth", "VideoHeight", "VideoFramerate", "VideoBitrate",
		"AudioBitrate", "AudioSampleRate", "AudioChannels", "Panes", "UserInfos",
	},
	csvRow:      taskCSVRow,
	tableHeader: []string{"TASK ID", "CHANNEL", "MODE", "REGION", "OUTPUT", "RELAYS", "IDLE", "STREAM URL"},
	tableRow:    taskTableRow,
}

// taskCSVRow returns the CSV cells of a task, in the order of the header.
func taskCSVRow(t livempu.MPUTask) []string {
	relays := make([]string, len(t.MultiStreamURL))
	for i, r := range t.MultiStreamURL {
		relays[i] = r.URL
	}
	users := make([]string, len(t.TranscodeParams.UserInfos))
	for i, u := range t.TranscodeParams.UserInfos {
		users[i] = u.UserID
	}
	ep := t.TranscodeParams.EncodeParams
	itoa := strconv.Itoa
	var single [3]string
	if t.MixMode == livempu.MixModeSingle {
		s := t.SingleSubParams
		single = [3]string{s.UserID, s.StreamType.String(), s.SourceType.String()}
	}
	return []string{
		t.AppID, t.ChannelID, t.TaskID, t.MixMode.String(), t.Region.String(), t.StreamURL,
		strings.Join(relays, " "), strconv.FormatFloat(t.MaxIdleTime.Seconds(), 'f', -1, 64),
		single[0], single[1], single[2],
		strconv.FormatBool(ep.AudioOnly), ep.VideoCodec, itoa(ep.VideoWidth), itoa(ep.VideoHeight),
		itoa(ep.VideoFramerate), itoa(ep.VideoBitrate),
		itoa(ep.AudioBitrate), itoa(ep.AudioSampleRate), itoa(ep.AudioChannels),
		itoa(len(t.TranscodeParams.Layout.UserPanes)), strings.Join(users, " "),
	}
}

// taskTableRow returns the table cells of a task.
func taskTableRow(t livempu.MPUTask) []string {
	idle := "-"
	if t.MaxIdleTime > 0 {
		idle = t.MaxIdleTime.String()
	}
	return []string{
		t.TaskID, t.ChannelID, t.MixMode.String(), t.Region.String(), taskOutput(t),
		strconv.Itoa(len(t.MultiStreamURL)), idle, withoutQuery(t.StreamURL),
	}
}

// taskOutput summarizes what a task relays: the user and stream type of a
// single-stream relay, or the mixed output's video (or audio) parameters.
func taskOutput(t livempu.MPUTask) string {
	if t.MixMode == livempu.MixModeSingle {
		return t.SingleSubParams.UserID + " " + t.SingleSubParams.StreamType.String()
	}
	ep := t.TranscodeParams.EncodeParams
	if ep.AudioOnly || ep.VideoWidth == 0 {
		return fmt.Sprintf("audio %dk", ep.AudioBitrate)
	}
	s := fmt.Sprintf("%dx%d %dfps %dk", ep.VideoWidth, ep.VideoHeight, ep.VideoFramerate, ep.VideoBitrate)
	if ep.VideoCodec != "" {
		s += " " + ep.VideoCodec
	}
	return s
}

// withoutQuery drops a URL's query string and fragment, which for an ingest
// URL usually hold an auth key, and which make a table too wide.
func withoutQuery(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			return s[:i]
		}
		return s
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.ForceQuery = false
	return u.String()
}
