// Package otellivempu instruments a livempu.Client with OpenTelemetry
// traces and metrics:
//
//	client, err := livempu.NewClient(otellivempu.Instrument(
//		otellivempu.WithTracerProvider(tp), otellivempu.WithMeterProvider(mp)))
//
// Each operation call is one client span named "live/<Action>" (a walk of
// an iterator is one span per page call), a child of the span in the
// caller's context, with attributes rpc.system ("alibaba_cloud"),
// rpc.service ("live"), rpc.method (the action), livempu.attempts,
// livempu.request_id and, for a client given livempu.WithRegion,
// cloud.region, and one "livempu.attempt" event per HTTP attempt. A
// failed call has the status Error and error.type set to the service's
// error code (or the kind of Go error). The metrics are listed with the
// constants below; their names are part of this package's API.
//
// It is built on livempu.Hook, which never sees credentials, a signature,
// a signed URL, a query string or a header, so no attribute, event or label
// can carry one. An HTTP transport that traces (otelhttp in
// livempu.WithHTTPClient) does see the signed request, and under signature
// V1 records the Signature and the STS token in url.full: use this package
// instead.
package otellivempu

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	livempu "github.com/livempu/livempu-go"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/livempu/livempu-go/otellivempu"

// Metric names.
const (
	// MetricOperationDuration is the duration of an operation call in
	// seconds (histogram), by rpc.method and, for a failed call, error.type.
	MetricOperationDuration = "livempu.client.operation.duration"
	// MetricAttempts counts HTTP attempts (counter), by rpc.method and
	// livempu.outcome: ok, throttled, server_error, client_error, network.
	MetricAttempts = "livempu.client.attempts"
	// MetricLimiterWait is the wait of each attempt on the client-side rate
	// limiter in seconds (histogram), by rpc.method.
	MetricLimiterWait = "livempu.client.limiter.wait"
	// MetricLimiterRate is the current rate of each action's client-side
	// limiter in requests per second (observable gauge), by rpc.method: the
	// rate last seen by an attempt of this client.
	MetricLimiterRate = "livempu.client.limiter.rate"
)

// Option configures Instrument.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider sets the tracer provider; the default is the global
// one (otel.GetTracerProvider), read when Instrument is called.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider sets the meter provider; the default is the global one
// (otel.GetMeterProvider), read when Instrument is called.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// Instrument returns a livempu.Option that traces and measures every call
// of the Client it is given to. Give each Client its own Instrument: the
// limiter-rate gauge registers one callback per Instrument, for as long as
// the meter provider lives.
func Instrument(opts ...Option) livempu.Option {
	cfg := config{}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	t := &telemetry{
		tracer: cfg.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(livempu.SDKVersion)),
		rates:  make(map[string]float64),
	}
	t.newInstruments(cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(livempu.SDKVersion)))
	return livempu.WithHook(livempu.Hook{
		OperationStart: t.operationStart,
		Attempt:        t.attempt,
		OperationEnd:   t.operationEnd,
	})
}

// telemetry holds one Instrument's tracer, instruments and the last limiter
// rate seen per action.
type telemetry struct {
	tracer      trace.Tracer
	duration    metric.Float64Histogram
	attempts    metric.Int64Counter
	limiterWait metric.Float64Histogram

	mu    sync.Mutex
	rates map[string]float64 // action -> requests per second
}

// setRate keeps the limiter rate an attempt saw, for the gauge.
func (t *telemetry) setRate(action string, rate float64) {
	t.mu.Lock()
	t.rates[action] = rate
	t.mu.Unlock()
}

// observeRates reports the last rate of each action.
func (t *telemetry) observeRates(_ context.Context, o metric.Float64Observer) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for action, rate := range t.rates {
		o.Observe(rate, metric.WithAttributeSet(methodSet(action)))
	}
	return nil
}
