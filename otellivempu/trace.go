package otellivempu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	livempu "github.com/livempu/livempu-go"
)

// spanName is "live/" and the action, built once per known action.
func spanName(action string) string {
	switch action {
	case livempu.ActionListRtcMPUTaskDetail:
		return "live/" + livempu.ActionListRtcMPUTaskDetail
	case livempu.ActionListRtcMPUEventSubRecord:
		return "live/" + livempu.ActionListRtcMPUEventSubRecord
	}
	return "live/" + action
}

// operationStart opens the call's client span.
func (t *telemetry) operationStart(ctx context.Context, op livempu.Operation) context.Context {
	ctx, span := t.tracer.Start(ctx, spanName(op.Action), spanOptions(op.Action)...)
	if op.Region != "" && span.IsRecording() {
		span.SetAttributes(keyRegion.String(op.Region))
	}
	return ctx
}

// attempt adds the attempt's event to the span and records its metrics.
func (t *telemetry) attempt(ctx context.Context, a livempu.Attempt) {
	t.attempts.Add(ctx, 1, byOutcome(a.Action, a.Outcome)...)
	t.limiterWait.Record(ctx, a.LimiterWait.Seconds(), byMethod(a.Action)...)
	if a.LimiterRate > 0 {
		t.setRate(a.Action, a.LimiterRate)
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs,
		keyAttempt.Int(a.Number),
		keyOutcome.String(string(a.Outcome)),
		keyLimitWait.Float64(a.LimiterWait.Seconds()))
	if a.StatusCode != 0 {
		attrs = append(attrs, keyStatusCode.Int(a.StatusCode))
	}
	if a.Code != "" {
		attrs = append(attrs, keyErrorCode.String(a.Code))
	}
	if a.RequestID != "" {
		attrs = append(attrs, keyRequestID.String(a.RequestID))
	}
	if a.Outcome != livempu.OutcomeOK {
		attrs = append(attrs, keyErrorType.String(attemptErrorType(a)))
	}
	if a.Retry {
		attrs = append(attrs, keyRetryWait.Float64(a.RetryWait.Seconds()))
	}
	span.AddEvent("livempu.attempt", trace.WithAttributes(attrs...))
}

// operationEnd closes the span and records the call's duration.
func (t *telemetry) operationEnd(ctx context.Context, r livempu.Operation) {
	span := trace.SpanFromContext(ctx)
	defer span.End()
	if r.Err == nil {
		t.duration.Record(ctx, r.Duration.Seconds(), byMethod(r.Action)...)
		if span.IsRecording() {
			span.SetAttributes(keyAttempts.Int(r.Attempts), keyRequestID.String(r.RequestID))
		}
		return
	}
	typ := errorType(r.Err)
	t.duration.Record(ctx, r.Duration.Seconds(), metric.WithAttributes(keyRPCMethod.String(r.Action), keyErrorType.String(typ)))
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(keyAttempts.Int(r.Attempts), keyErrorType.String(typ))
	if r.RequestID != "" {
		span.SetAttributes(keyRequestID.String(r.RequestID))
	}
	span.SetStatus(codes.Error, statusDescription(r.Err))
}

// errorType names an error for error.type: the service's error code, or
// the kind of Go error (a context's end, a malformed answer, the end of a
// stream, or the exported type of the first error in the chain that is not
// a mere wrapper, such as *net.OpError); "_OTHER" when none says more.
func errorType(err error) string {
	var ae *livempu.APIError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae) && ae.Code != "":
		return ae.Code
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, io.ErrUnexpectedEOF): // also a body cut short
		return "io.ErrUnexpectedEOF"
	case errors.Is(err, io.EOF):
		return "io.EOF"
	case errors.Is(err, livempu.ErrMalformedResponse):
		return "malformed_response"
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, ok := e.(*livempu.OperationError); ok {
			continue
		}
		name := fmt.Sprintf("%T", e)
		if exported(name) {
			return name
		}
	}
	return "_OTHER"
}

// exported reports whether a type name such as *net.OpError names an
// exported type (fmt's and the SDK's own wrappers are not).
func exported(typeName string) bool {
	i := strings.LastIndexByte(typeName, '.')
	if i < 0 || i+1 >= len(typeName) {
		return false
	}
	return unicode.IsUpper(rune(typeName[i+1]))
}

// attemptErrorType is the error.type of a failed attempt: its error code,
// else the kind of its error, else its HTTP status.
func attemptErrorType(a livempu.Attempt) string {
	switch {
	case a.Code != "":
		return a.Code
	case a.Err != nil:
		return errorType(a.Err)
	case a.StatusCode != 0:
		return strconv.Itoa(a.StatusCode)
	}
	return "_OTHER"
}

// statusDescription is the span status of a failed call: the error's
// message, except for an answer that could not be decoded, whose message
// quotes the start of the body (a proxy's page may echo the signed request
// back).
func statusDescription(err error) string {
	var re *livempu.ResponseError
	if errors.As(err, &re) {
		s := "livempu: malformed response (HTTP " + strconv.Itoa(re.StatusCode) + ")"
		if re.RequestID != "" {
			s += " [request id " + re.RequestID + "]"
		}
		return s
	}
	return err.Error()
}
