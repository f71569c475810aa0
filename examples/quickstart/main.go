// Command quickstart lists an application's mixed-stream relay tasks, walks
// the last day of callback records, decodes each callback event and prints
// a summary. With no Alibaba Cloud credentials configured it runs against an
// in-process livetest server with demo data; with credentials (environment
// or profile files) and LIVEMPU_APP_ID set, it calls the real service, at
// LIVEMPU_REGION's endpoint if set (e.g. ap-southeast-1). It checks at
// start-up that credentials can be found (Client.CheckCredentials, in
// demo.Connect), so a broken configuration fails before any call.
//
//	go run ./examples/quickstart
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/examples/internal/demo"
	"github.com/livempu/livempu-go/pager"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	s, err := demo.Connect(ctx, w)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := summarizeTasks(ctx, w, s); err != nil {
		return err
	}
	return summarizeRecords(ctx, w, s)
}

// summarizeTasks walks every task and counts them by mode and region.
func summarizeTasks(ctx context.Context, w io.Writer, s *demo.Session) error {
	byMode := map[livempu.MixMode]int{}
	byRegion := map[livempu.Region]int{}
	var newest []livempu.MPUTask
	for task, err := range livempu.MPUTasks(ctx, s.Client, &livempu.ListRtcMPUTaskDetailRequest{AppID: s.AppID}) {
		if err != nil {
			return fmt.Errorf("listing tasks: %w", err)
		}
		byMode[task.MixMode]++
		byRegion[task.Region]++
		if len(newest) < 3 {
			newest = append(newest, task)
		}
	}
	total := 0
	for _, n := range byMode {
		total += n
	}
	fmt.Fprintf(w, "Application %s has %d relay tasks: %d mixed, %d single-stream.\n", s.AppID, total, byMode[livempu.MixModeMixed], byMode[livempu.MixModeSingle])
	for _, r := range slices.Sorted(maps.Keys(byRegion)) {
		fmt.Fprintf(w, "  %-14s %d\n", r, byRegion[r])
	}
	fmt.Fprintln(w, "Most recently updated:")
	for _, t := range newest {
		enc := t.TranscodeParams.EncodeParams
		fmt.Fprintf(w, "  %-24s %-6s %dx%d@%dfps %dkbps, %d panes, relays to %s\n", t.TaskID, t.MixMode, enc.VideoWidth, enc.VideoHeight,
			enc.VideoFramerate, enc.VideoBitrate, len(t.TranscodeParams.Layout.UserPanes), t.StreamURL)
	}
	return nil
}

// summarizeRecords walks the last day of callback records with prefetch and
// decodes each event.
func summarizeRecords(ctx context.Context, w io.Writer, s *demo.Session) error {
	end := time.Now().UTC()
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: s.AppID, StartTime: end.Add(-24 * time.Hour), EndTime: end}
	var total, undelivered, eventErrors, undecodable int
	var slowest livempu.EventSubRecord
	byType := map[livempu.EventType]int{}
	for rec, err := range livempu.EventSubRecords(ctx, s.Client, req, pager.WithPrefetch(4)) {
		if err != nil {
			return fmt.Errorf("walking callback records: %w", err)
		}
		total++
		if !rec.Delivered() {
			undelivered++
		}
		if rec.Cost > slowest.Cost {
			slowest = rec
		}
		ev, err := rec.Event()
		if err != nil {
			undecodable++
			continue
		}
		byType[ev.EventType]++
		if ev.Failed() {
			eventErrors++
		}
	}
	fmt.Fprintf(w, "\nCallbacks in the last 24 hours: %d (%d not delivered with a 2xx, %d events carrying an error code, %d undecodable).\n",
		total, undelivered, eventErrors, undecodable)
	for _, t := range slices.SortedFunc(maps.Keys(byType), func(a, b livempu.EventType) int { return cmp.Compare(a, b) }) {
		fmt.Fprintf(w, "  %-14s %d\n", t, byType[t])
	}
	if total > 0 {
		fmt.Fprintf(w, "Slowest callback: %v to %s at %s (HTTP %d).\n", slowest.Cost, slowest.CallbackURL, slowest.Time.Format(time.RFC3339), slowest.HTTPCode)
	}
	return nil
}
