package otellivempu_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/otellivempu"
	"github.com/livempu/livempu-go/pager"
)

const taskAction = livempu.ActionListRtcMPUTaskDetail

// instrumented starts a livetest server with generated data and a client
// of it instrumented with tel, on the default (shared) limiter of a fresh
// AccessKey ID and fast retries.
func instrumented(t *testing.T, tel *telemetry, opts ...livempu.Option) (*livetest.Server, *livempu.Client) {
	t.Helper()
	srv := livetest.NewServer(t, livetest.WithAccount(freshKeyID(), "otel-test-secret", ""), livetest.WithGenerated(30, 260, 1))
	c := srv.Client(append([]livempu.Option{tel.option(), livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)...)
	return srv, c
}

// callTasks calls ListRtcMPUTaskDetail under a parent span and returns it.
func callTasks(t *testing.T, tel *telemetry, c *livempu.Client) (*livempu.ListRtcMPUTaskDetailResponse, trace.SpanContext, error) {
	t.Helper()
	ctx, parent := tel.tp.Tracer("test").Start(context.Background(), "parent")
	defer parent.End()
	resp, err := c.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1})
	return resp, parent.SpanContext(), err
}

// oneSpan returns the one span of the action, a client span under parent
// with the RPC attributes.
func oneSpan(t *testing.T, tel *telemetry, action string, parent trace.SpanContext) sdktrace.ReadOnlySpan {
	t.Helper()
	spans := tel.ended(action)
	if len(spans) != 1 {
		t.Fatalf("%d spans live/%s, want 1", len(spans), action)
	}
	s := spans[0]
	if s.SpanKind() != trace.SpanKindClient {
		t.Errorf("span kind %v, want client", s.SpanKind())
	}
	if s.Parent().SpanID() != parent.SpanID() || s.SpanContext().TraceID() != parent.TraceID() {
		t.Errorf("span's parent %v, want the caller's span %v", s.Parent().SpanID(), parent.SpanID())
	}
	a := attrs(s.Attributes())
	for k, want := range map[string]string{"rpc.system": "alibaba_cloud", "rpc.service": "live", "rpc.method": action} {
		if a[k] != want {
			t.Errorf("span attribute %s = %q, want %q", k, a[k], want)
		}
	}
	if s.InstrumentationScope().Name != "github.com/livempu/livempu-go/otellivempu" {
		t.Errorf("scope %q", s.InstrumentationScope().Name)
	}
	return s
}

func TestSpanAndMetricsOfASuccessfulCall(t *testing.T) {
	tel := newTelemetry(t)
	_, c := instrumented(t, tel)
	resp, parent, err := callTasks(t, tel, c)
	if err != nil {
		t.Fatal(err)
	}
	s := oneSpan(t, tel, taskAction, parent)
	a := attrs(s.Attributes())
	if a["livempu.attempts"] != "1" || a["livempu.request_id"] != resp.RequestID || resp.RequestID == "" {
		t.Errorf("span attributes %v, want 1 attempt and request id %q", a, resp.RequestID)
	}
	if _, ok := a["error.type"]; ok || s.Status().Code != codes.Unset {
		t.Errorf("a successful call has status %v and attributes %v", s.Status(), a)
	}
	if len(s.Events()) != 1 || s.Events()[0].Name != "livempu.attempt" {
		t.Fatalf("events %v, want one livempu.attempt", s.Events())
	}
	ev := attrs(s.Events()[0].Attributes)
	for k, want := range map[string]string{"livempu.attempt": "1", "livempu.outcome": "ok", "http.response.status_code": "200", "livempu.request_id": resp.RequestID} {
		if ev[k] != want {
			t.Errorf("event attribute %s = %q, want %q (%v)", k, ev[k], want, ev)
		}
	}
	for _, k := range []string{"livempu.error_code", "error.type", "livempu.retry.wait"} {
		if _, ok := ev[k]; ok {
			t.Errorf("event of a successful attempt has %s: %v", k, ev)
		}
	}
	if _, ok := ev["livempu.limiter.wait"]; !ok {
		t.Errorf("event lacks livempu.limiter.wait: %v", ev)
	}

	rm := tel.metrics(t)
	if got := histCounts(t, metric(t, rm, otellivempu.MetricOperationDuration)); got["rpc.method="+taskAction] != 1 || len(got) != 1 {
		t.Errorf("duration points %v, want one call by rpc.method", got)
	}
	if got := counts(t, metric(t, rm, otellivempu.MetricAttempts)); got["livempu.outcome=ok,rpc.method="+taskAction] != 1 || len(got) != 1 {
		t.Errorf("attempt counts %v", got)
	}
	if got := histCounts(t, metric(t, rm, otellivempu.MetricLimiterWait)); got["rpc.method="+taskAction] != 1 || len(got) != 1 {
		t.Errorf("limiter wait points %v", got)
	}
	m := metric(t, rm, otellivempu.MetricLimiterRate)
	// 48/s: the default limiter's pace for the documented 50 QPS.
	if got := gauge(t, m); got["rpc.method="+taskAction] != 48 || len(got) != 1 {
		t.Errorf("limiter rate %v, want 48 for %s", got, taskAction)
	}
	units := map[string]string{otellivempu.MetricOperationDuration: "s", otellivempu.MetricLimiterWait: "s", otellivempu.MetricLimiterRate: "{request}/s", otellivempu.MetricAttempts: "{attempt}"}
	for name, unit := range units {
		if got := metric(t, rm, name).Unit; got != unit {
			t.Errorf("%s unit %q, want %q", name, got, unit)
		}
	}
}

func TestThrottledThenSuccessful(t *testing.T) {
	tel := newTelemetry(t)
	srv, c := instrumented(t, tel)
	srv.Inject(livetest.Fail(400, "Throttling.User"), 2, livetest.ForAction(taskAction))
	resp, parent, err := callTasks(t, tel, c)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 3 {
		t.Errorf("Attempts = %d, want 3", resp.Attempts)
	}
	s := oneSpan(t, tel, taskAction, parent)
	if a := attrs(s.Attributes()); a["livempu.attempts"] != "3" || a["livempu.request_id"] != resp.RequestID {
		t.Errorf("span attributes %v", a)
	}
	if s.Status().Code != codes.Unset {
		t.Errorf("status %v, want unset", s.Status())
	}
	events := s.Events()
	if len(events) != 3 {
		t.Fatalf("%d events, want 3", len(events))
	}
	for i, e := range events[:2] {
		ev := attrs(e.Attributes)
		want := map[string]string{"livempu.attempt": string(rune('1' + i)), "livempu.outcome": "throttled", "http.response.status_code": "400",
			"livempu.error_code": "Throttling.User", "error.type": "Throttling.User"}
		for k, w := range want {
			if ev[k] != w {
				t.Errorf("event %d: %s = %q, want %q (%v)", i+1, k, ev[k], w, ev)
			}
		}
		if ev["livempu.retry.wait"] == "" || ev["livempu.request_id"] == "" {
			t.Errorf("event %d lacks the retry wait or the request id: %v", i+1, ev)
		}
	}
	if ev := attrs(events[2].Attributes); ev["livempu.attempt"] != "3" || ev["livempu.outcome"] != "ok" {
		t.Errorf("last event %v", ev)
	}
	got := counts(t, metric(t, tel.metrics(t), otellivempu.MetricAttempts))
	if got["livempu.outcome=throttled,rpc.method="+taskAction] != 2 || got["livempu.outcome=ok,rpc.method="+taskAction] != 1 {
		t.Errorf("attempt counts %v, want 2 throttled and 1 ok", got)
	}
}

func TestFailedCall(t *testing.T) {
	for _, tc := range []struct {
		name      string
		inject    func(*livetest.Server)
		attempts  int
		errorType string
		outcomes  map[string]int64
	}{
		{"forbidden", func(s *livetest.Server) {
			s.Inject(livetest.Fail(403, "Forbidden.RAM"), 1, livetest.ForAction(taskAction))
		}, 1, "Forbidden.RAM",
			map[string]int64{"client_error": 1}},
		{"503-until-retries-run-out", func(s *livetest.Server) {
			s.Inject(livetest.Fail(503, "ServiceUnavailable"), 4, livetest.ForAction(taskAction))
		}, 4, "ServiceUnavailable",
			map[string]int64{"server_error": 4}},
		{"connection-reset", func(s *livetest.Server) { s.Inject(livetest.Cut(), 4, livetest.ForAction(taskAction)) }, 4, "",
			map[string]int64{"network": 4}},
		{"truncated-json", func(s *livetest.Server) { s.Inject(livetest.Break(), 1, livetest.ForAction(taskAction)) }, 1, "malformed_response",
			map[string]int64{"server_error": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tel := newTelemetry(t)
			srv, c := instrumented(t, tel)
			tc.inject(srv)
			_, parent, err := callTasks(t, tel, c)
			if err == nil {
				t.Fatal("want an error")
			}
			s := oneSpan(t, tel, taskAction, parent)
			a := attrs(s.Attributes())
			if s.Status().Code != codes.Error || s.Status().Description == "" {
				t.Errorf("status %v, want Error with a description", s.Status())
			}
			if tc.errorType != "" && a["error.type"] != tc.errorType || a["error.type"] == "" || a["error.type"] == "_OTHER" {
				t.Errorf("error.type %q, want %q", a["error.type"], tc.errorType)
			}
			if a["livempu.attempts"] != string(rune('0'+tc.attempts)) || len(s.Events()) != tc.attempts {
				t.Errorf("attempts %s and %d events, want %d", a["livempu.attempts"], len(s.Events()), tc.attempts)
			}
			if want := livempu.RequestID(err); a["livempu.request_id"] != want {
				t.Errorf("request id %q, want %q (livempu.RequestID)", a["livempu.request_id"], want)
			}
			last := attrs(s.Events()[len(s.Events())-1].Attributes)
			if _, ok := last["livempu.retry.wait"]; ok {
				t.Errorf("the last attempt announces a retry: %v", last)
			}
			rm := tel.metrics(t)
			if got := histCounts(t, metric(t, rm, otellivempu.MetricOperationDuration)); got["error.type="+a["error.type"]+",rpc.method="+taskAction] != 1 || len(got) != 1 {
				t.Errorf("duration points %v, want one by rpc.method and error.type %s", got, a["error.type"])
			}
			got := counts(t, metric(t, rm, otellivempu.MetricAttempts))
			for outcome, n := range tc.outcomes {
				if got["livempu.outcome="+outcome+",rpc.method="+taskAction] != n {
					t.Errorf("attempt counts %v, want %d %s", got, n, outcome)
				}
			}
			t.Logf("error.type=%s: %v", a["error.type"], err)
		})
	}
}

func TestPrefetchingWalkIsOneSpanPerPage(t *testing.T) {
	tel := newTelemetry(t)
	srv, c := instrumented(t, tel)
	ctx, parent := tel.tp.Tracer("test").Start(context.Background(), "walk")
	now := srv.Now()
	req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: livetest.DemoAppID, StartTime: now.Add(-6 * 24 * time.Hour), EndTime: now, PageSize: 50}
	n := 0
	for _, err := range livempu.EventSubRecords(ctx, c, req, pager.WithPrefetch(3)) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	parent.End()
	if n == 0 {
		t.Fatal("walked no record")
	}
	// The records of the window in pages of 50. Prefetched calls beyond
	// the last page may be answered or cancelled when the walk ends; each
	// is a span too.
	pages := (n + 49) / 50
	stats := srv.Stats()
	spans := tel.ended(livempu.ActionListRtcMPUEventSubRecord)
	seen := map[string]bool{}
	served, cancelled := 0, 0
	for _, s := range spans {
		if s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("page span %s is not a child of the walk's span", s.SpanContext().SpanID())
		}
		a := attrs(s.Attributes())
		if s.Status().Code == codes.Error {
			if a["error.type"] != "context.Canceled" {
				t.Errorf("a page span failed: %v %v", s.Status(), a)
			}
			cancelled++
			continue
		}
		served++
		if a["livempu.attempts"] != "1" || a["livempu.request_id"] == "" || seen[a["livempu.request_id"]] {
			t.Errorf("page span attributes %v", a)
		}
		seen[a["livempu.request_id"]] = true
	}
	// Every page call is a span: at least one per page of records, at most
	// three prefetched beyond them; the server saw no call without a span.
	if served < pages || pages < 4 || served+cancelled > pages+3 || stats.Requests > served+cancelled || served > stats.Succeeded {
		t.Errorf("%d spans of served pages and %d cancelled, for %d pages of records (%d records), server %+v", served, cancelled, pages, n, stats)
	}
	if got := histCounts(t, metric(t, tel.metrics(t), otellivempu.MetricOperationDuration)); got["rpc.method="+livempu.ActionListRtcMPUEventSubRecord] != uint64(served) {
		t.Errorf("duration points %v, want %d successful calls", got, served)
	}
}

// TestGlobalProvidersByDefault: without options, Instrument uses the
// global providers.
func TestGlobalProvidersByDefault(t *testing.T) {
	tel := newTelemetry(t)
	restore := setGlobal(tel)
	defer restore()
	srv := livetest.NewServer(t, livetest.WithAccount(freshKeyID(), "otel-test-secret", ""), livetest.WithGenerated(3, 0, 1))
	c := srv.Client(otellivempu.Instrument())
	if _, _, err := callTasks(t, tel, c); err != nil {
		t.Fatal(err)
	}
	if n := len(tel.ended(taskAction)); n != 1 {
		t.Errorf("%d spans through the global tracer provider, want 1", n)
	}
	if got := counts(t, metric(t, tel.metrics(t), otellivempu.MetricAttempts)); got["livempu.outcome=ok,rpc.method="+taskAction] != 1 {
		t.Errorf("attempt counts through the global meter provider %v", got)
	}
}

// TestRegionAttribute: a client given a region reports it as cloud.region;
// one without reports none.
func TestRegionAttribute(t *testing.T) {
	for _, region := range []string{"ap-southeast-1", ""} {
		tel := newTelemetry(t)
		var opts []livempu.Option
		if region != "" {
			opts = append(opts, livempu.WithRegion(region))
		}
		srv := livetest.NewServer(t, livetest.WithAccount(freshKeyID(), "otel-test-secret", ""), livetest.WithGenerated(3, 0, 1))
		// WithEndpoint (set by srv.Client) still overrides the region's host.
		c := srv.Client(append(opts, tel.option())...)
		_, parent, err := callTasks(t, tel, c)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := attrs(oneSpan(t, tel, taskAction, parent).Attributes())["cloud.region"]
		if got != region || ok != (region != "") {
			t.Errorf("cloud.region = %q (set: %t), want %q", got, ok, region)
		}
	}
}

// TestValidationErrorIsNoSpan: nothing is sent for an invalid request, and
// nothing is traced.
func TestValidationErrorIsNoSpan(t *testing.T) {
	tel := newTelemetry(t)
	_, c := instrumented(t, tel)
	_, err := c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 1000, PageNo: 1})
	if !errors.Is(err, livempu.ErrInvalidRequest) {
		t.Fatalf("error %v", err)
	}
	if n := len(tel.spans.Ended()); n != 0 {
		t.Errorf("%d spans for a request that was never sent", n)
	}
}
