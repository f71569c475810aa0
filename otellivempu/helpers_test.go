package otellivempu_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/otellivempu"
)

// telemetry is an in-memory span recorder and a manual metric reader.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t testing.TB) *telemetry {
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

// option is otellivempu.Instrument on the test providers.
func (tel *telemetry) option() livempu.Option {
	return otellivempu.Instrument(otellivempu.WithTracerProvider(tel.tp), otellivempu.WithMeterProvider(tel.mp))
}

// ended returns the ended spans named after an action.
func (tel *telemetry) ended(action string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() == "live/"+action {
			out = append(out, s)
		}
	}
	return out
}

// metrics collects the metrics once.
func (tel *telemetry) metrics(t testing.TB) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	return rm
}

// metric finds a metric by name.
func metric(t testing.TB, rm metricdata.ResourceMetrics, name string) metricdata.Metrics {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				if sm.Scope.Name != otellivempu.ScopeName {
					t.Errorf("metric %s in scope %q", name, sm.Scope.Name)
				}
				return m
			}
		}
	}
	t.Fatalf("no metric %s in %+v", name, rm)
	return metricdata.Metrics{}
}

// attrs renders an attribute set as "k=v" strings, sorted.
func attrs(kvs []attribute.KeyValue) map[string]string {
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		out[string(kv.Key)] = kv.Value.String()
	}
	return out
}

// setString renders a set as "k=v,k=v" (sorted by key).
func setString(s attribute.Set) string {
	var b []string
	for _, kv := range s.ToSlice() {
		b = append(b, string(kv.Key)+"="+kv.Value.String())
	}
	return strings.Join(b, ",")
}

// counts returns the counter's points by attribute set.
func counts(t testing.TB, m metricdata.Metrics) map[string]int64 {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok || !sum.IsMonotonic {
		t.Fatalf("%s is %T, want a monotonic int64 sum", m.Name, m.Data)
	}
	out := map[string]int64{}
	for _, p := range sum.DataPoints {
		out[setString(p.Attributes)] = p.Value
	}
	return out
}

// histCounts returns the histogram's counts by attribute set.
func histCounts(t testing.TB, m metricdata.Metrics) map[string]uint64 {
	t.Helper()
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s is %T, want a float64 histogram", m.Name, m.Data)
	}
	out := map[string]uint64{}
	for _, p := range h.DataPoints {
		out[setString(p.Attributes)] = p.Count
	}
	return out
}

// gauge returns the gauge's values by attribute set.
func gauge(t testing.TB, m metricdata.Metrics) map[string]float64 {
	t.Helper()
	g, ok := m.Data.(metricdata.Gauge[float64])
	if !ok {
		t.Fatalf("%s is %T, want a float64 gauge", m.Name, m.Data)
	}
	out := map[string]float64{}
	for _, p := range g.DataPoints {
		out[setString(p.Attributes)] = p.Value
	}
	return out
}

var keySeq atomic.Int64

// freshKeyID returns an AccessKey ID no other test uses, so that the
// process-wide default limiters of one test never slow another.
func freshKeyID() string {
	return fmt.Sprintf("LTAI5tOtel%04d-%d", keySeq.Add(1), time.Now().UnixNano()%1e6)
}

// dump renders every span (name, attributes, events, status) and every
// metric (name, attributes of every point) as text, for secret checks.
func (tel *telemetry) dump(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, s := range tel.spans.Ended() {
		fmt.Fprintf(&b, "span %s %v status=%v %q\n", s.Name(), attrs(s.Attributes()), s.Status().Code, s.Status().Description)
		for _, e := range s.Events() {
			fmt.Fprintf(&b, "  event %s %v\n", e.Name, attrs(e.Attributes))
		}
		for _, l := range s.Links() {
			fmt.Fprintf(&b, "  link %v\n", attrs(l.Attributes))
		}
		fmt.Fprintf(&b, "  resource %v\n", attrs(s.Resource().Attributes()))
	}
	rm := tel.metrics(t)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			fmt.Fprintf(&b, "metric %s %s %s\n", m.Name, m.Unit, m.Description)
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					fmt.Fprintf(&b, "  %s\n", setString(p.Attributes))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					fmt.Fprintf(&b, "  %s\n", setString(p.Attributes))
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					fmt.Fprintf(&b, "  %s\n", setString(p.Attributes))
				}
			default:
				t.Errorf("metric %s of unexpected type %T", m.Name, m.Data)
			}
		}
	}
	return b.String()
}

// setGlobal makes tel's providers the global ones until restore, which
// installs no-op providers (the global delegates cannot be put back).
func setGlobal(tel *telemetry) (restore func()) {
	otel.SetTracerProvider(tel.tp)
	otel.SetMeterProvider(tel.mp)
	return func() {
		otel.SetTracerProvider(tracenoop.NewTracerProvider())
		otel.SetMeterProvider(metricnoop.NewMeterProvider())
	}
}
