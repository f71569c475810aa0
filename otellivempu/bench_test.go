package otellivempu_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/servicejson"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/otellivempu"
)

// fixedTransport answers every request with the same page, in memory, so
// that the benchmark measures the client alone.
type fixedTransport struct{ body []byte }

func (f fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-Acs-Request-Id": {"6C2F8A3B-0E1A-586A-AC29-742247C2B1A4"}},
		Body: io.NopCloser(bytes.NewReader(f.body)), ContentLength: int64(len(f.body)), Request: r}, nil
}

// discardExporter is a span exporter that drops every span.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

// BenchmarkOverhead is one call of ListRtcMPUTaskDetail (a page of 10
// tasks, no rate limiter, an in-memory transport) without instrumentation,
// with otellivempu on the OpenTelemetry SDK exporting to nowhere (a batch
// span processor on a discarding exporter, a meter provider with a reader),
// and with otellivempu on the global providers left unset (no-op).
func BenchmarkOverhead(b *testing.B) {
	tasks, _ := livetest.Generate(10, 0, 1, time.Now())
	page := livempu.ListRtcMPUTaskDetailResponse{RequestID: "6C2F8A3B-0E1A-586A-AC29-742247C2B1A4", MPUTasks: tasks}
	body := servicejson.Append(nil, &page)

	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardExporter{}))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	for _, bc := range []struct {
		name string
		opts []livempu.Option
	}{
		{"bare", nil},
		{"otel-sdk-discard", []livempu.Option{otellivempu.Instrument(otellivempu.WithTracerProvider(tp), otellivempu.WithMeterProvider(mp))}},
		{"otel-global-noop", []livempu.Option{otellivempu.Instrument()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := livempu.NewClient(append([]livempu.Option{
				livempu.WithStaticCredentials("LTAI5tBenchmarkKey", "benchmark-secret", ""),
				livempu.WithHTTPClient(&http.Client{Transport: fixedTransport{body}}),
				livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
			}, bc.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			req := &livempu.ListRtcMPUTaskDetailRequest{AppID: "app-1", PageSize: 100, PageNo: 1}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.ListRtcMPUTaskDetail(ctx, req)
				if err != nil || len(resp.MPUTasks) != 10 {
					b.Fatalf("err=%v", err)
				}
			}
		})
	}
}
