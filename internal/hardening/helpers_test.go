// Package hardening_test proves, through the public API only, that the SDK
// never panics, leaks a goroutine, hangs past its context or prints a
// secret, whatever the service (livetest, or a hostile handler in front of
// it) does: a fault matrix, a load test and secret-hygiene tests. It holds
// tests only; the fuzz targets live beside the code they fuzz.
package hardening_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// Recognisable credentials. They use only characters that percent-encoding
// leaves alone, so that one substring search finds them in any encoding.
const (
	hSecret = "HardeningSecret-d0-n0t-print-7f3a"
	hToken  = "HardeningToken-d0-n0t-print-91c2"
)

var keySeq atomic.Int64

// freshKeyID returns an AccessKey ID no other test uses, so that the
// process-wide default rate limiters of one test never slow another.
func freshKeyID() string {
	return fmt.Sprintf("LTAI5tHardening%04d", keySeq.Add(1))
}

// forbiddenEverywhere may appear in no output at all.
var forbiddenEverywhere = []string{hSecret, hToken}

// forbiddenInLogs may not appear in a log line either: the SDK logs no URL
// and no header, so neither a signature nor an Authorization header. (The
// error code SignatureDoesNotMatch is logged, as every attempt's code is.)
var forbiddenInLogs = []string{hSecret, hToken, "Signature=", "signature=", "Signature%3D", "ACS3-HMAC-SHA256 ", "Authorization", "authorization", "AccessKeyId=", "x-acs-"}

// noSecret fails t if s holds the secret or the token.
func noSecret(t testing.TB, what, s string) {
	t.Helper()
	for _, bad := range forbiddenEverywhere {
		if strings.Contains(s, bad) {
			t.Errorf("%s contains %q:\n%s", what, bad, s)
		}
	}
}

// formatted returns v printed with every fmt verb a caller might use.
func formatted(v any) string {
	return fmt.Sprintf("%v\n%+v\n%#v\n%s\n%q", v, v, v, v, v)
}

// logCapture is a debug-level slog logger writing to a buffer.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logCapture) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// checkLogs fails t if the captured log holds anything of forbiddenInLogs.
func checkLogs(t testing.TB, logs string) {
	t.Helper()
	for _, bad := range forbiddenInLogs {
		if strings.Contains(logs, bad) {
			t.Errorf("debug log contains %q:\n%s", bad, logs)
		}
	}
}

// operation is one of the two API operations, called with a request that
// the livetest server accepts.
type operation struct {
	action string
	call   func(ctx context.Context, c *livempu.Client, now time.Time) (any, error)
}

var operations = []operation{
	{livempu.ActionListRtcMPUTaskDetail, func(ctx context.Context, c *livempu.Client, _ time.Time) (any, error) {
		resp, err := c.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1})
		if resp == nil {
			return nil, err // not a typed nil in an interface
		}
		return resp, err
	}},
	{livempu.ActionListRtcMPUEventSubRecord, func(ctx context.Context, c *livempu.Client, now time.Time) (any, error) {
		resp, err := c.ListRtcMPUEventSubRecord(ctx, &livempu.ListRtcMPUEventSubRecordRequest{
			AppID: livetest.DemoAppID, StartTime: now.Add(-24 * time.Hour), EndTime: now, PageSize: 10, PageNo: 1})
		if resp == nil {
			return nil, err
		}
		return resp, err
	}},
}

var versions = []signer.Version{signer.V3, signer.V1}

// safeCall runs call, turning a panic into a test failure whose message is
// itself checked for secrets (a panic must not print one either).
func safeCall(t testing.TB, call func() (any, error)) (resp any, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			msg := fmt.Sprint(p)
			noSecret(t, "panic message", msg)
			t.Errorf("the SDK panicked: %s", msg)
			resp, err = nil, fmt.Errorf("panic: %s", msg)
		}
	}()
	return call()
}

// hookCapture is a livempu.Hook that prints everything it is given, with
// every verb, for the secret checks of the log.
type hookCapture struct{ logCapture }

func (h *hookCapture) hook() livempu.Hook {
	return livempu.Hook{
		OperationStart: func(ctx context.Context, op livempu.Operation) context.Context {
			fmt.Fprintf(h, "start %s\n", formatted(op))
			return ctx
		},
		Attempt: func(_ context.Context, a livempu.Attempt) {
			fmt.Fprintf(h, "attempt %s\n", formatted(a))
		},
		OperationEnd: func(_ context.Context, r livempu.Operation) {
			fmt.Fprintf(h, "end %s\n", formatted(r))
		},
	}
}
