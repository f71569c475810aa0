// Command sharedbudget shows how clients share the per-account QPS budget.
// Clients of one process that use the same AccessKey ID share the default
// buckets automatically; to share across processes use the redislimit
// module. Here two clients get one explicit limiter for ListRtcMPUTaskDetail
// at half the documented rate, leaving the rest of the budget to another job.
//
//	go run ./examples/sharedbudget
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/examples/internal/demo"
	"golang.org/x/time/rate"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sharedbudget:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	half := rate.NewLimiter(25, 1) // half of the documented 50 QPS
	opt := livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, half)
	a, err := demo.Connect(ctx, w, opt)
	if err != nil {
		return err
	}
	defer a.Close()
	// A second client with the same limiter, for example in another
	// component of the same service.
	var b *livempu.Client
	if a.Server != nil {
		b = a.Server.Client(opt)
	} else {
		b, err = livempu.NewClient(opt)
	}
	if err != nil {
		return err
	}

	const calls = 25
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 2*calls)
	for _, c := range []*livempu.Client{a.Client, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				if _, err := c.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: a.AppID, PageSize: 1, PageNo: 1}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(w, "%d calls from two clients sharing a %v QPS limiter took %v (%.1f calls/s).\n",
		2*calls, half.Limit(), d.Round(10*time.Millisecond), float64(2*calls)/d.Seconds())
	return nil
}
