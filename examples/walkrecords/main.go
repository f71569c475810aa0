// Command walkrecords walks seven days of callback records with four pages
// fetched ahead (through the client's rate limiter), reports progress after
// each page, and prints the failed callbacks.
//
//	go run ./examples/walkrecords
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/examples/internal/demo"
	"github.com/livempu/livempu-go/pager"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "walkrecords:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, progress io.Writer) error {
	s, err := demo.Connect(ctx, progress)
	if err != nil {
		return err
	}
	defer s.Close()

	// Everything the service keeps, with a margin for the walk's duration.
	from, to := livempu.RecordWindow(time.Now(), livempu.RecordRetention)
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: s.AppID, StartTime: from, EndTime: to}
	start := time.Now()
	onPage := pager.WithOnPage(func(p pager.PageInfo) {
		fmt.Fprintf(progress, "\rpage %d: %d records (%.0f/s)", p.PageNo, p.ItemsSoFar, float64(p.ItemsSoFar)/time.Since(start).Seconds())
	})
	failed := 0
	for rec, err := range livempu.EventSubRecords(ctx, s.Client, req, pager.WithPrefetch(4), onPage) {
		if err != nil {
			return err
		}
		ev, evErr := rec.Event()
		if rec.Delivered() && evErr == nil && !ev.Failed() {
			continue
		}
		failed++
		if failed <= 10 {
			fmt.Fprintf(out, "%s  HTTP %d  %-24s error %d %q\n", rec.Time.Format(time.RFC3339), rec.HTTPCode, ev.TaskID, ev.Payload.ErrorCode, ev.Payload.ErrorMessage)
		}
	}
	fmt.Fprintf(progress, "\n")
	fmt.Fprintf(out, "%d failed callbacks in the last seven days.\n", failed)
	return nil
}
