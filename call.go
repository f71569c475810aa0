package livempu

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/livempu/livempu-go/signer"
)

// One operation call, from the operation's method (mpu_tasks.go,
// event_records.go, which validate the request and encode its query with
// query.go) to its decoded page, in the order it happens:
//
//	call.go       do, run: the call, its retry loop (go-retryablehttp), its error
//	attempt.go    RoundTrip: one attempt: credentials (credentials.go), the
//	              rate limiter (ratelimit.go, budget.go), signing, sending
//	              (proxy.go, redirect.go)
//	retry.go      checkRetry: whether the attempt is retried, after what wait
//	              (the server's waits and quotas are read in hints.go)
//	response.go   handle: the final answer decoded into the page (by the
//	              operation's decoder, in mpu_tasks_json.go or
//	              event_records_json.go), or made an error
//	errorbody.go  the service's error document parsed into an *APIError
//	redact.go     secrets removed from what an error quotes of the answer
//	hook.go       each attempt and the call reported to the hooks (log.go)
//
// A call is its retry loop's transport (RoundTrip) and retry policy
// (checkRetry), so the state they share is the call's own fields: nothing
// travels in the context.

// call is one operation call on its way through its attempts.
type call struct {
	c      *Client
	action string
	decode func(string) error // decodes a 2xx body into the page
	// loop is the retry loop; its HTTP client (httpc) sends every attempt
	// through the call itself (RoundTrip), and its CheckRetry is the call's.
	loop  retryablehttp.Client
	httpc http.Client

	attempts int
	// waitPastDeadline is the wait before a retry (the server's or the
	// backoff's) when it would have passed the context's deadline; the call
	// then gave up with the last attempt's error.
	waitPastDeadline time.Duration
	cred             credentialState // credentials of the attempts; the token is kept out of errors

	// The attempt in flight, reported to the hook once the retry policy
	// has decided what follows it.
	sent        bool           // an attempt was sent and not yet reported
	handled     bool           // its answer went through handle
	lastHandled *http.Response // the last answer handle read
	limiterWait time.Duration
	limiterRate float64
	sentAt      time.Time
	status      int
	code        string        // error code of an error answer
	requestID   string        // of the last answer
	retryWait   time.Duration // slept before the next attempt
	// ticket is what the last attempt took from its limiter.
	ticket ticket
}

// credentialState follows the credentials of one call through its attempts.
type credentialState struct {
	used    signer.Credentials  // of the last attempt
	fresh   *signer.Credentials // for the retry after a rejection, or nil
	retried bool                // the one retry with fresh credentials is spent
	now     bool                // that retry goes out without a backoff
}

// do runs one operation: it sends the query through the retry loop and
// decodes a 2xx body with decode or turns an error body into an *APIError.
// It returns how many attempts were sent and the request id of the last
// answer's header. The hooks see the call start and end.
func (c *Client) do(ctx context.Context, action, query string, decode func(string) error) (attempts int, requestID string, err error) {
	if ctx == nil {
		return 0, "", &OperationError{Action: action, Err: errors.New("nil context")}
	}
	cl := &call{c: c, action: action, decode: decode}
	h := c.hook
	var start time.Time
	if h != nil {
		start = time.Now()
		if h.OperationStart != nil {
			if next := h.OperationStart(ctx, Operation{Action: action, Region: c.region}); next != nil {
				ctx = next
			}
		}
	}
	err = cl.run(ctx, query)
	if h != nil && h.OperationEnd != nil {
		h.OperationEnd(ctx, Operation{Action: action, Region: c.region, Attempts: cl.attempts, RequestID: cl.requestID, Duration: time.Since(start), Err: err})
	}
	return cl.attempts, cl.requestID, err
}

// run sends the call through its retry loop and returns its error, an
// *OperationError.
func (cl *call) run(ctx context.Context, query string) error {
	cl.httpc = http.Client{Transport: cl, CheckRedirect: noRedirects}
	cl.loop = retryablehttp.Client{
		HTTPClient: &cl.httpc,
		RetryMax:   cl.c.maxRetries,
		CheckRetry: cl.checkRetry,
		// The wait between attempts is chosen by checkRetry, reported to
		// the hook, and slept at the start of the next attempt, where the
		// call's context is at hand.
		Backoff:      noBackoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, cl.c.baseURL+"?"+query, nil)
	if err != nil {
		return &OperationError{Action: cl.action, Err: err}
	}
	// The body is read and decoded inside the retry loop, so that a
	// connection lost mid-body is retried like any other network error.
	req.SetResponseHandler(func(resp *http.Response) error {
		cl.lastHandled = resp
		return cl.handle(ctx, resp)
	})
	resp, err := cl.loop.Do(req)
	if err == nil && resp != nil && resp != cl.lastHandled {
		// The retries ran out on a retryable answer (a 503, a throttle):
		// retryablehttp hands it back without calling the handler.
		err = cl.handle(ctx, resp)
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return &OperationError{Action: cl.action, Attempts: cl.attempts, Err: cl.callError(ctx, err)}
	}
	return nil
}

// callError is the cause an *OperationError wraps: the context's error
// when the caller's context ended, without the markers of the pipeline and
// the request URL that net/http puts in a *url.Error; with the wait that
// made the call give up, when it did.
func (cl *call) callError(ctx context.Context, err error) error {
	var perm *permanentError
	if errors.As(err, &perm) {
		err = perm.err
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	} else {
		err = stripURL(err)
	}
	if cl.waitPastDeadline > 0 {
		err = &waitPastDeadlineError{err: err, wait: cl.waitPastDeadline}
	}
	return err
}

// noRedirects makes an *http.Client return a redirect as the response.
// A signed request is never followed elsewhere: the redirect target would
// receive the STS token (Go forwards every header but Authorization) and,
// through a re-signing transport, a fresh valid signature.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
