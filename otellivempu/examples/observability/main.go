// Command observability walks a day of callback records from an in-process
// livetest server through a client instrumented with otellivempu, and prints
// the traces and metrics with OpenTelemetry's stdout exporters: one span
// per page call under the walk's span, an event per attempt (the first page
// is throttled once, so its span shows a retry), and the client metrics.
//
//	go run ./examples/observability
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/otellivempu"
	"github.com/livempu/livempu-go/pager"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "observability:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	// Providers exporting to out. In a service, use the OTLP exporters
	// (or the Prometheus one) and keep the rest.
	spans, err := stdouttrace.New(stdouttrace.WithWriter(out))
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer func() { _ = tp.Shutdown(ctx) }()
	metrics, err := stdoutmetric.New(stdoutmetric.WithWriter(out))
	if err != nil {
		return err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))

	srv := livetest.NewServer(nil, livetest.WithGenerated(5, 300, 1))
	defer srv.Close()
	srv.Inject(livetest.Fail(400, "Throttling.User"), 1, livetest.ForAction(livempu.ActionListRtcMPUEventSubRecord))

	client, err := livempu.NewClient(livempu.WithEndpoint(srv.URL()),
		livempu.WithStaticCredentials(livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret, ""),
		otellivempu.Instrument(otellivempu.WithTracerProvider(tp), otellivempu.WithMeterProvider(mp)))
	if err != nil {
		return err
	}

	ctx, walk := tp.Tracer("observability-example").Start(ctx, "walk a day of records")
	end := srv.Now()
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: livetest.DemoAppID, StartTime: end.Add(-24 * time.Hour), EndTime: end, PageSize: 20}
	n := 0
	for _, err := range livempu.EventSubRecords(ctx, client, req, pager.WithPrefetch(2)) {
		if err != nil {
			walk.End()
			return err
		}
		n++
	}
	walk.End()
	fmt.Fprintf(out, "walked %d records; spans above, metrics below\n", n)
	// Shutting the meter provider down exports the metrics once more.
	return mp.Shutdown(ctx)
}
