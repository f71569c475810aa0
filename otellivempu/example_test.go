package otellivempu_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/otellivempu"
)

// Instrument traces each call as a client span named after the action,
// with an event per attempt. Here the spans are kept in memory; a service
// gives its own providers (or sets the global ones).
func ExampleInstrument() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	srv := livetest.NewServer(nil, livetest.WithGenerated(3, 0, 1))
	defer srv.Close()
	srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
	client := srv.Client(otellivempu.Instrument(otellivempu.WithTracerProvider(tp)))
	if _, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1}); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.SpanKind())
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				if kv.Key == "livempu.outcome" {
					fmt.Println(" ", e.Name, kv.Value.AsString())
				}
			}
		}
	}
	// Output:
	// live/ListRtcMPUTaskDetail client
	//   livempu.attempt server_error
	//   livempu.attempt ok
}
