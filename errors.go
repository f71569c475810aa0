package livempu

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/livempu/livempu-go/pager"
)

// ErrInvalidRequest is matched by every *ValidationError: the request was
// rejected before anything was sent.
var ErrInvalidRequest = errors.New("livempu: invalid request")

// ErrWalkStalled is matched (errors.Is) by the error that ends an iterator
// or paginator walk after pager.StallLimit (3) pages in a row brought no new
// item: the server ignores PageNo, or says there are more pages while
// sending the same ones. The error is a *pager.PageError naming the page. It
// is pager.ErrStalled.
var ErrWalkStalled = pager.ErrStalled

// ValidationError reports a request field that fails the API's documented
// constraints. Nothing is sent for such a request.
type ValidationError struct {
	// Action is the operation the request was for.
	Action string
	// Field is the Go name of the offending field.
	Field string
	// Reason says what is wrong, without echoing long or secret values.
	Reason string
}

// Error describes the field and the reason.
func (e *ValidationError) Error() string {
	return "livempu: " + e.Action + ": invalid request: " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// Sentinel errors matched by errors.Is on an *APIError, by its Code.
var (
	// ErrInvalidParam matches the service code InvalidParam (and the
	// gateway's InvalidParameter).
	ErrInvalidParam = errors.New("livempu: invalid parameter")
	// ErrInvalidAppID matches InvalidAppId.
	ErrInvalidAppID = errors.New("livempu: invalid app id")
	// ErrMissingParam matches MissingParam, MissingParameter and Missing<Name>.
	ErrMissingParam = errors.New("livempu: missing parameter")
	// ErrInternalError matches InternalError.
	ErrInternalError = errors.New("livempu: service internal error")
	// ErrOperationDenied matches OperationDenied (the Live service is not
	// enabled for the account).
	ErrOperationDenied = errors.New("livempu: operation denied")
	// ErrForbidden matches Forbidden and its sub-codes (Forbidden.RAM, ...).
	ErrForbidden = errors.New("livempu: forbidden")
	// ErrThrottled matches every Throttling code (Throttling,
	// Throttling.User, Throttling.Api, ...).
	ErrThrottled = errors.New("livempu: throttled")
	// ErrSignatureMismatch matches SignatureDoesNotMatch and
	// IncompleteSignature.
	ErrSignatureMismatch = errors.New("livempu: signature does not match")
	// ErrInvalidAccessKeyID matches InvalidAccessKeyId.NotFound and
	// InvalidAccessKeyId.Inactive.
	ErrInvalidAccessKeyID = errors.New("livempu: invalid access key id")
	// ErrTimestampExpired matches InvalidTimeStamp.Expired: the local clock
	// is more than 15 minutes off.
	ErrTimestampExpired = errors.New("livempu: timestamp expired")
	// ErrNonceUsed matches SignatureNonceUsed.
	ErrNonceUsed = errors.New("livempu: signature nonce already used")
	// ErrServiceUnavailable matches ServiceUnavailable.
	ErrServiceUnavailable = errors.New("livempu: service unavailable")
	// ErrInvalidSecurityToken matches the InvalidSecurityToken family
	// (expired, malformed, or not matching the AccessKey).
	ErrInvalidSecurityToken = errors.New("livempu: invalid security token")
)

// APIError is an error response from the service. errors.Is matches it
// against the sentinel of its Code; an unknown code matches none of them but
// is still an *APIError (use errors.As).
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is Alibaba's error code, such as Throttling.User.
	Code string
	// Message is the service's message. A SignatureDoesNotMatch message's
	// "server string to sign" is removed, since it can carry credentials.
	Message string
	// RequestID identifies the request for Alibaba support.
	RequestID string
	// HostID is the host that answered.
	HostID string
	// Recommend is Alibaba's troubleshooting link.
	Recommend string
	// Action is the operation called.
	Action string
}

// Error describes the code, status, message and request id.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("livempu: ")
	if e.Action != "" {
		b.WriteString(e.Action)
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	b.WriteString(" (HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString(")")
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" [request id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Is matches the sentinel that corresponds to e.Code.
func (e *APIError) Is(target error) bool {
	s := sentinelFor(e.Code)
	return s != nil && s == target
}

// sentinelFor maps an Alibaba error code to its sentinel, or nil.
func sentinelFor(code string) error {
	switch code {
	case "InvalidParam", "InvalidParameter":
		return ErrInvalidParam
	case "InvalidAppId":
		return ErrInvalidAppID
	case "MissingParam", "MissingParameter":
		return ErrMissingParam
	case "InternalError":
		return ErrInternalError
	case "OperationDenied":
		return ErrOperationDenied
	case "SignatureDoesNotMatch", "IncompleteSignature":
		return ErrSignatureMismatch
	case "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "InvalidAccessKeyId":
		return ErrInvalidAccessKeyID
	case "InvalidTimeStamp.Expired":
		return ErrTimestampExpired
	case "SignatureNonceUsed":
		return ErrNonceUsed
	case "ServiceUnavailable":
		return ErrServiceUnavailable
	}
	switch {
	case code == "Throttling" || strings.HasPrefix(code, "Throttling."):
		return ErrThrottled
	case code == "Forbidden" || strings.HasPrefix(code, "Forbidden."):
		return ErrForbidden
	case code == "InvalidSecurityToken" || strings.HasPrefix(code, "InvalidSecurityToken."):
		return ErrInvalidSecurityToken
	case strings.HasPrefix(code, "Missing") && len(code) > len("Missing"):
		return ErrMissingParam
	}
	return nil
}

// ErrMalformedResponse is matched by a *ResponseError: the service (or a
// proxy in front of it) answered with something that is not the expected
// JSON.
var ErrMalformedResponse = errors.New("livempu: malformed response")

// ResponseError reports a response that could not be decoded: an HTML page
// from a proxy, truncated or empty JSON, a 2xx body that is not a JSON
// object, a body over the size limit, or a redirect (3xx), which is never
// followed.
type ResponseError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// RequestID is from the x-acs-request-id header, when present.
	RequestID string
	// BodyPrefix is a short, printable prefix of the body (empty for a
	// redirect, whose body may quote the target URL).
	BodyPrefix string
	// Err is the decoding error.
	Err error
}

// Error names the status, request id and a safe prefix of the body.
func (e *ResponseError) Error() string {
	what := "malformed response"
	if e.StatusCode >= 300 && e.StatusCode < 400 {
		what = "redirect refused"
	}
	s := "livempu: " + what + " (HTTP " + strconv.Itoa(e.StatusCode) + ")"
	if e.RequestID != "" {
		s += " [request id " + e.RequestID + "]"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	switch {
	case e.StatusCode >= 300 && e.StatusCode < 400:
		return s
	case e.BodyPrefix == "":
		return s + ": empty body"
	}
	return s + ": body starts " + strconv.Quote(e.BodyPrefix)
}

// Is reports whether target is ErrMalformedResponse.
func (e *ResponseError) Is(target error) bool { return target == ErrMalformedResponse }

// Unwrap returns the decoding error.
func (e *ResponseError) Unwrap() error { return e.Err }

// OperationError wraps every error an operation returns after it started
// sending (a *ValidationError is returned as is), with the action and the
// number of attempts made. errors.Is and errors.As see through it to the
// *APIError, *ValidationError, *ResponseError, context error or network error
// beneath.
type OperationError struct {
	// Action is the operation called.
	Action string
	// Attempts is how many HTTP attempts were made (0 when the request was
	// rejected before sending).
	Attempts int
	// Err is the cause.
	Err error
}

// Error prefixes the cause with the action and, after retries, the number
// of attempts.
func (e *OperationError) Error() string {
	msg := strings.TrimPrefix(e.Err.Error(), "livempu: ")
	msg = strings.TrimPrefix(msg, e.Action+": ")
	prefix := "livempu: " + e.Action
	if e.Attempts > 1 {
		prefix += " (" + strconv.Itoa(e.Attempts) + " attempts)"
	}
	return prefix + ": " + msg
}

// Unwrap returns the cause.
func (e *OperationError) Unwrap() error { return e.Err }

// waitPastDeadlineError is the error of a call that gave up at once because
// the wait the service asked for before a retry would have passed the
// context's deadline. It matches both the answer's error (an *APIError:
// ErrThrottled, ...) and context.DeadlineExceeded: the call could not be
// completed within its deadline, exactly as if it had waited, so code that
// handles deadlines keeps working, and nothing of the answer is lost.
type waitPastDeadlineError struct {
	err  error
	wait time.Duration
}

func (e *waitPastDeadlineError) Error() string {
	return e.err.Error() + "; not retried: the wait before the next attempt (" + e.wait.String() + ") would pass the context deadline"
}

func (e *waitPastDeadlineError) Unwrap() []error { return []error{e.err, context.DeadlineExceeded} }

// errNilAPI is yielded by an iterator given a nil API.
var errNilAPI = errors.New("livempu: nil API")
