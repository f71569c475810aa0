// Command listtasks prints every mixed-stream relay task of an application
// as a table, walking the pages with the MPUTasks iterator, then looks one
// task up by its ID.
//
//	go run ./examples/listtasks
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/examples/internal/demo"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "listtasks:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	s, err := demo.Connect(ctx, w)
	if err != nil {
		return err
	}
	defer s.Close()

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tMODE\tREGION\tIDLE\tSTREAM TYPE\tOUTPUT")
	var first string
	for task, err := range livempu.MPUTasks(ctx, s.Client, &livempu.ListRtcMPUTaskDetailRequest{AppID: s.AppID, PageSize: 50}) {
		if err != nil {
			return err
		}
		if first == "" {
			first = task.TaskID
		}
		enc := task.TranscodeParams.EncodeParams
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%dx%d %s\n", task.TaskID, task.MixMode, task.Region, task.MaxIdleTime,
			task.SingleSubParams.StreamType, enc.VideoWidth, enc.VideoHeight, enc.EnhancedParam.Profile)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if first == "" {
		return nil
	}
	// One task by ID: no paging fields needed.
	page, err := s.Client.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: s.AppID, TaskID: first})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nLookup of %s (request %s): %d task(s).\n", first, page.RequestID, len(page.MPUTasks))
	return nil
}
