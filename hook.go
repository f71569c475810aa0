package livempu

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Hook observes a Client's operation calls and each of their HTTP attempts,
// for logging, tracing and metrics: WithLogger and the otellivempu module
// are built on it. Give one with WithHook; any field may be nil.
//
// The functions run synchronously on the goroutine of the call, so they must
// be quick and, since a Client serves many goroutines, safe for concurrent
// use. Nothing secret ever reaches a Hook: no credentials, signature, signed
// URL, query string or header; only the action, numbers, the service's
// status, error code and request id, and errors as the caller gets them.
//
// A request that fails validation is not seen: nothing is sent for it.
type Hook struct {
	// OperationStart is called when a call starts sending, with the
	// Operation's Action and Region set. The context it
	// returns (derived from ctx; nil means ctx) is the one the call then
	// uses for its attempts and its other hook calls, so it can carry a
	// span that an HTTP transport's own tracing nests under.
	OperationStart func(ctx context.Context, op Operation) context.Context
	// Attempt is called after each attempt that was sent, once its answer
	// has been read and the retry policy has decided what follows.
	Attempt func(ctx context.Context, a Attempt)
	// OperationEnd is called when the call returns, with every field of
	// the Operation set.
	OperationEnd func(ctx context.Context, op Operation)
}

// Operation describes an operation call: OperationStart sees its Action and
// Region, OperationEnd the whole of it.
type Operation struct {
	// Action is the operation, such as ListRtcMPUTaskDetail.
	Action string
	// Region is the client's API region (WithRegion), "" when not known.
	Region string

	// Attempts is how many HTTP attempts were sent.
	Attempts int
	// RequestID is the service's id of the last answer, "" when none came.
	RequestID string
	// Duration is the call's duration, from OperationStart.
	Duration time.Duration
	// Err is the error the call returns, nil on success.
	Err error
}

// Attempt describes one HTTP attempt of an operation call.
type Attempt struct {
	// Action is the operation.
	Action string
	// Number is the attempt's number within the call, from 1.
	Number int
	// LimiterWait is how long the attempt waited on the client-side rate
	// limiter before it was sent.
	LimiterWait time.Duration
	// LimiterRate is the rate of the action's limiter when the attempt was
	// sent, in requests per second, as Client.LimiterRate reads it (for the
	// default limiter, the rate adaptation has settled on); 0 when there is
	// no limiter or its rate cannot be read.
	LimiterRate float64
	// Duration runs from sending to the answer being read (or the attempt
	// failing).
	Duration time.Duration
	// StatusCode is the HTTP status of the answer; 0 when none came.
	StatusCode int
	// Code is the service's error code of an error answer, such as
	// Throttling.User; "" otherwise.
	Code string
	// RequestID is the service's id of the request, from the answer's
	// x-acs-request-id header; "" when none came.
	RequestID string
	// Outcome classifies the attempt.
	Outcome Outcome
	// Err is set when no well-formed answer was read: a network error, an
	// answer that broke off, or one that could not be decoded (then the
	// cause, matching ErrMalformedResponse, without any of the body). An
	// error answer of the service is described by StatusCode and Code
	// instead.
	Err error
	// Retry reports that another attempt follows, after RetryWait.
	Retry bool
	// RetryWait is the wait before the next attempt (the server's
	// Retry-After or TimeLeft, or the backoff); 0 when Retry is false.
	RetryWait time.Duration
}

// Outcome classifies an attempt, as a label for logs and metrics.
type Outcome string

// The outcomes of an attempt.
const (
	// OutcomeOK is a successful answer.
	OutcomeOK Outcome = "ok"
	// OutcomeThrottled is a throttling answer: a Throttling code or
	// HTTP 429.
	OutcomeThrottled Outcome = "throttled"
	// OutcomeServerError is a 5xx answer, or one that could not be decoded.
	OutcomeServerError Outcome = "server_error"
	// OutcomeClientError is any other error answer: a 4xx such as a bad
	// parameter, a signature mismatch or a denied permission.
	OutcomeClientError Outcome = "client_error"
	// OutcomeNetwork means no complete answer was read: the connection
	// failed or broke off, a name did not resolve, or the attempt timed out
	// or was cancelled.
	OutcomeNetwork Outcome = "network"
)

// WithHook adds h to the hooks of the Client; several may be given (and
// WithLogger adds one), each called in the order given.
func WithHook(h Hook) Option {
	return func(o *options) { o.hooks = append(o.hooks, h) }
}

// joinHooks returns one Hook calling each of hooks in order, or nil for none.
func joinHooks(hooks []Hook) *Hook {
	switch len(hooks) {
	case 0:
		return nil
	case 1:
		return &hooks[0]
	}
	return &Hook{
		OperationStart: func(ctx context.Context, op Operation) context.Context {
			for _, h := range hooks {
				if h.OperationStart != nil {
					if next := h.OperationStart(ctx, op); next != nil {
						ctx = next
					}
				}
			}
			return ctx
		},
		Attempt: func(ctx context.Context, a Attempt) {
			for _, h := range hooks {
				if h.Attempt != nil {
					h.Attempt(ctx, a)
				}
			}
		},
		OperationEnd: func(ctx context.Context, op Operation) {
			for _, h := range hooks {
				if h.OperationEnd != nil {
					h.OperationEnd(ctx, op)
				}
			}
		},
	}
}

// reportAttempt reports the attempt just decided on to the hook: err is
// its error, more whether another attempt follows (after cl.retryWait).
func (cl *call) reportAttempt(ctx context.Context, err error, more bool) {
	hook := cl.c.hook
	if hook == nil || hook.Attempt == nil {
		return
	}
	if err != nil {
		var ae *APIError
		if cl.code == "" && errors.As(err, &ae) {
			cl.code = ae.Code // an error document sent with a 2xx status
		}
		err = attemptError(err)
	}
	hook.Attempt(ctx, Attempt{
		Action:      cl.action,
		Number:      cl.attempts,
		LimiterWait: cl.limiterWait,
		LimiterRate: cl.limiterRate,
		Duration:    time.Since(cl.sentAt),
		StatusCode:  cl.status,
		Code:        cl.code,
		RequestID:   cl.requestID,
		Outcome:     outcomeOf(cl.status, cl.code, err),
		Err:         err,
		Retry:       more,
		RetryWait:   cl.retryWait,
	})
}

// attemptError is the Attempt.Err of an attempt that ended in err.
func attemptError(err error) error {
	err = stripURL(err) // the retry loop's own client wraps it with the URL and query
	var perm *permanentError
	if errors.As(err, &perm) {
		err = perm.err
	}
	var ae *APIError
	var re *ResponseError
	switch {
	case errors.As(err, &ae):
		return nil // described by StatusCode and Code
	case errors.As(err, &re):
		// The cause alone: the body may quote the request back.
		return malformedAnswer{re.Err}
	}
	return err
}

// malformedAnswer is the Attempt.Err of an answer that could not be read or
// decoded: the cause, without the *ResponseError's prefix of the body.
type malformedAnswer struct{ err error }

func (e malformedAnswer) Error() string {
	if e.err == nil {
		return "malformed response"
	}
	return "malformed response: " + e.err.Error()
}
func (e malformedAnswer) Unwrap() error { return e.err }

// Is reports whether target is ErrMalformedResponse.
func (e malformedAnswer) Is(target error) bool { return target == ErrMalformedResponse }

// outcomeOf classifies an attempt by its answer's status and error code and
// the error of reading it.
func outcomeOf(status int, code string, err error) Outcome {
	switch {
	case status == 0 || err != nil && isBodyReadError(err):
		return OutcomeNetwork
	case status == http.StatusTooManyRequests || sentinelFor(code) == ErrThrottled:
		return OutcomeThrottled
	case status >= 500 || err != nil && errors.Is(err, ErrMalformedResponse):
		return OutcomeServerError
	case status >= 400:
		return OutcomeClientError
	case code != "": // an error document sent with a 2xx status
		if retryableCode(code) {
			return OutcomeServerError
		}
		return OutcomeClientError
	case err != nil: // the caller's context ended while the body was read
		return OutcomeNetwork
	}
	return OutcomeOK
}
