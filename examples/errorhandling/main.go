// Command errorhandling shows how to tell the SDK's errors apart with
// errors.Is and errors.As: a request rejected before sending, an error code
// from the service, and the details an *APIError carries. Against the demo
// server it injects the errors itself.
//
//	go run ./examples/errorhandling
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/examples/internal/demo"
	"github.com/livempu/livempu-go/livetest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "errorhandling:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	s, err := demo.Connect(ctx, w, livempu.WithMaxRetries(1))
	if err != nil {
		return err
	}
	defer s.Close()

	// 1. Validation: nothing is sent.
	_, err = s.Client.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: s.AppID, PageSize: 500, PageNo: 1})
	var ve *livempu.ValidationError
	if errors.Is(err, livempu.ErrInvalidRequest) && errors.As(err, &ve) {
		fmt.Fprintf(w, "rejected before sending: field %s %s\n", ve.Field, ve.Reason)
	}

	// 2. A code from the service, matched by sentinel; the demo server is
	// told to answer the next call with 403 Forbidden.RAM (never retried).
	if s.Server != nil {
		s.Server.Inject(livetest.Fail(403, "Forbidden.RAM"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
	}
	_, err = s.Client.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: s.AppID, PageSize: 10, PageNo: 1})
	describe(w, err)

	// 3. Throttling is retried (here once, WithMaxRetries(1)); when the
	// retries run out the error says how many attempts were made.
	if s.Server != nil {
		s.Server.Inject(livetest.Fail(400, "Throttling.User"), 2, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
	}
	_, err = s.Client.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: s.AppID, PageSize: 10, PageNo: 1})
	describe(w, err)
	return nil
}

// describe prints what a program usually wants to know about an error.
func describe(w io.Writer, err error) {
	var apiErr *livempu.APIError
	var opErr *livempu.OperationError
	switch {
	case err == nil:
		fmt.Fprintln(w, "success")
		return
	case errors.Is(err, livempu.ErrThrottled):
		fmt.Fprint(w, "throttled: slow down or share a budget (WithRateLimiter); ")
	case errors.Is(err, livempu.ErrForbidden), errors.Is(err, livempu.ErrOperationDenied):
		fmt.Fprint(w, "permission problem: check the RAM policy; ")
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprint(w, "timed out; ")
	}
	if errors.As(err, &opErr) {
		fmt.Fprintf(w, "%d attempt(s); ", opErr.Attempts)
	}
	if errors.As(err, &apiErr) {
		fmt.Fprintf(w, "code %s, HTTP %d, request id %s\n", apiErr.Code, apiErr.StatusCode, apiErr.RequestID)
		return
	}
	fmt.Fprintln(w, err)
}
