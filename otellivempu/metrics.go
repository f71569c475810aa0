package otellivempu

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	livempu "github.com/livempu/livempu-go"
)

// Attribute keys of the spans, events and metrics.
const (
	keyRPCSystem  = attribute.Key("rpc.system")
	keyRPCService = attribute.Key("rpc.service")
	keyRPCMethod  = attribute.Key("rpc.method")
	keyErrorType  = attribute.Key("error.type")
	keyRegion     = attribute.Key("cloud.region")
	keyStatusCode = attribute.Key("http.response.status_code")
	keyAttempts   = attribute.Key("livempu.attempts")
	keyAttempt    = attribute.Key("livempu.attempt")
	keyRequestID  = attribute.Key("livempu.request_id")
	keyErrorCode  = attribute.Key("livempu.error_code")
	keyOutcome    = attribute.Key("livempu.outcome")
	keyLimitWait  = attribute.Key("livempu.limiter.wait")
	keyRetryWait  = attribute.Key("livempu.retry.wait")
)

// Bucket boundaries in seconds: a call takes tens of milliseconds to
// seconds with retries; a limiter wait is usually under 20 ms.
var (
	durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}
	waitBuckets     = []float64{0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// newInstruments creates the metric instruments on m. An instrument the
// meter refuses is reported to the global error handler and replaced by a
// no-op one, so that a call is never affected.
func (t *telemetry) newInstruments(m metric.Meter) {
	var err error
	none := noop.Meter{}
	if t.duration, err = m.Float64Histogram(MetricOperationDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of livempu operation calls, retries included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		otel.Handle(err)
		t.duration, _ = none.Float64Histogram(MetricOperationDuration)
	}
	if t.attempts, err = m.Int64Counter(MetricAttempts, metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts of livempu operation calls, by outcome.")); err != nil {
		otel.Handle(err)
		t.attempts, _ = none.Int64Counter(MetricAttempts)
	}
	if t.limiterWait, err = m.Float64Histogram(MetricLimiterWait, metric.WithUnit("s"),
		metric.WithDescription("Wait of each attempt on the client-side rate limiter."),
		metric.WithExplicitBucketBoundaries(waitBuckets...)); err != nil {
		otel.Handle(err)
		t.limiterWait, _ = none.Float64Histogram(MetricLimiterWait)
	}
	if _, err = m.Float64ObservableGauge(MetricLimiterRate, metric.WithUnit("{request}/s"),
		metric.WithDescription("Current rate of the client-side rate limiter of each action."),
		metric.WithFloat64Callback(t.observeRates)); err != nil {
		otel.Handle(err)
	}
}

// Options of the known actions and outcomes, built once so that starting a
// span and recording a measurement allocate no attribute set, option or
// option slice.
var (
	startOptions   = map[string][]trace.SpanStartOption{}
	methodOptions  = map[string][]metric.RecordOption{}
	outcomeOptions = map[[2]string][]metric.AddOption{}
)

func init() {
	outcomes := []livempu.Outcome{livempu.OutcomeOK, livempu.OutcomeThrottled, livempu.OutcomeServerError, livempu.OutcomeClientError, livempu.OutcomeNetwork}
	for _, action := range []string{livempu.ActionListRtcMPUTaskDetail, livempu.ActionListRtcMPUEventSubRecord} {
		startOptions[action] = newStartOptions(action)
		methodOptions[action] = []metric.RecordOption{metric.WithAttributeSet(methodSet(action))}
		for _, o := range outcomes {
			outcomeOptions[[2]string{action, string(o)}] = []metric.AddOption{metric.WithAttributeSet(outcomeSet(action, o))}
		}
	}
}

// newStartOptions are the options of an action's span: kind client, and
// the RPC attributes.
func newStartOptions(action string) []trace.SpanStartOption {
	return []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			keyRPCSystem.String("alibaba_cloud"),
			keyRPCService.String("live"),
			keyRPCMethod.String(action)),
	}
}

// spanOptions returns the start options of an action's span.
func spanOptions(action string) []trace.SpanStartOption {
	if o, ok := startOptions[action]; ok {
		return o
	}
	return newStartOptions(action)
}

// methodSet is {rpc.method: action}.
func methodSet(action string) attribute.Set {
	return attribute.NewSet(keyRPCMethod.String(action))
}

// outcomeSet is {rpc.method: action, livempu.outcome: outcome}.
func outcomeSet(action string, o livempu.Outcome) attribute.Set {
	return attribute.NewSet(keyRPCMethod.String(action), keyOutcome.String(string(o)))
}

// byMethod is the measurement option {rpc.method: action}.
func byMethod(action string) []metric.RecordOption {
	if o, ok := methodOptions[action]; ok {
		return o
	}
	return []metric.RecordOption{metric.WithAttributeSet(methodSet(action))}
}

// byOutcome is the measurement option {rpc.method, livempu.outcome}.
func byOutcome(action string, o livempu.Outcome) []metric.AddOption {
	if opt, ok := outcomeOptions[[2]string{action, string(o)}]; ok {
		return opt
	}
	return []metric.AddOption{metric.WithAttributeSet(outcomeSet(action, o))}
}
