package livetest

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/acsauth"
	"github.com/livempu/livempu-go/internal/adapt"
	"github.com/livempu/livempu-go/internal/fakeapi"
	"github.com/livempu/livempu-go/signer"
)

// maxRequestBody bounds the request body the server reads.
const maxRequestBody = 1 << 20

// apiError is an error answer: an HTTP status, an Alibaba code and a message.
type apiError struct {
	status  int
	code    string
	message string
}

func newAPIError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// Messages of the gateway and operation error codes, as the service words
// them.
var codeMessages = map[string]string{
	"Throttling":                                 "Request was denied due to request throttling.",
	"Throttling.User":                            "Request was denied due to user flow control.",
	"Throttling.Api":                             "Request was denied due to api flow control.",
	"ServiceUnavailable":                         "The request has failed due to a temporary failure of the server.",
	"InternalError":                              "The request processing has failed due to some unknown error.",
	"OperationDenied":                            "Your account has not enabled the Live service",
	"Forbidden":                                  "No permission, please check and try again later.",
	"Forbidden.RAM":                              "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
	"SignatureDoesNotMatch":                      "Specified signature is not matched with our calculation.",
	"IncompleteSignature":                        "The request signature does not conform to Aliyun standards.",
	"InvalidAccessKeyId.NotFound":                "Specified access key is not found.",
	"InvalidAccessKeyId.Inactive":                "Specified access key is disabled.",
	"InvalidTimeStamp.Expired":                   "Specified time stamp or date value is expired.",
	"SignatureNonceUsed":                         "Specified signature nonce was used already.",
	"InvalidSecurityToken.MismatchWithAccessKey": "Specified SecurityToken mismatch with the AccessKey.",
	"InvalidAction.NotFound":                     "Specified api is not found, please check your url and method.",
	"InvalidVersion":                             "Specified parameter Version is not valid.",
	"MissingVersion":                             "Version is mandatory for this action.",
	"UnsupportedHTTPMethod":                      "This http method is not supported.",
	"RequestEntityTooLarge":                      "The request body is too large.",
}

// errorFor returns the error of a code with its usual message.
func errorFor(status int, code string) *apiError {
	msg, ok := codeMessages[code]
	if !ok {
		msg = code + ", please try again later."
	}
	return newAPIError(status, code, msg)
}

// v1Common are the V1 common parameters, which are not operation
// parameters.
var v1Common = map[string]bool{
	"AccessKeyId": true, "Action": true, "Format": true, "SecurityToken": true,
	"Signature": true, "SignatureMethod": true, "SignatureNonce": true,
	"SignatureType": true, "SignatureVersion": true, "Timestamp": true,
	"Version": true, "RegionId": true,
}

// exchange is one request being served.
type exchange struct {
	s       *Server
	arrived time.Time // real time of arrival, for QPS accounting
	w       http.ResponseWriter
	r       *http.Request
	rec     *Request
	done    bool // the request has been recorded
}

// ServeHTTP serves one API request; see Server for the steps.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{s: s, w: w, r: r, arrived: time.Now(), rec: &Request{
		Method:    r.Method,
		Received:  s.now(),
		RequestID: fakeapi.NewRequestID(),
		Header:    redactHeader(r.Header),
	}}
	defer func() {
		if !x.done { // no answer was written
			x.finish()
		}
	}()
	x.serve()
}

// finish records the request, before anything is written, so that a
// client that has its answer sees it in Requests and Stats.
func (x *exchange) finish() {
	if !x.done {
		x.done = true
		x.s.record(x.rec)
	}
}

// abort records the request and drops the connection without an answer
// (net/http would otherwise send an empty 200 when the handler returns).
func (x *exchange) abort() {
	x.finish()
	panic(http.ErrAbortHandler)
}

func (x *exchange) serve() {
	s, r, rec := x.s, x.r, x.rec
	body, err := io.ReadAll(http.MaxBytesReader(x.w, r.Body, maxRequestBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			x.fail(errorFor(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge"))
			return
		}
		x.abort() // the client went away or sent a broken body
	}
	all := x.peek(body)

	switch {
	case r.Method != http.MethodPost && r.Method != http.MethodGet:
		x.fail(errorFor(http.StatusForbidden, "UnsupportedHTTPMethod"))
		return
	case r.URL.Path != "/" && r.URL.Path != "":
		x.fail(errorFor(http.StatusNotFound, "InvalidAction.NotFound"))
		return
	case adapt.DocumentedQPS(rec.Action) == 0:
		x.fail(errorFor(http.StatusNotFound, "InvalidAction.NotFound"))
		return
	case rec.APIVersion == "":
		x.fail(errorFor(http.StatusBadRequest, "MissingVersion"))
		return
	case rec.APIVersion != livempu.APIVersion:
		x.fail(errorFor(http.StatusBadRequest, "InvalidVersion"))
		return
	}

	v, err := acsauth.Verify(r, body, s.secretFor)
	switch {
	case errors.Is(err, acsauth.ErrUnknownAccessKey):
		x.fail(errorFor(http.StatusNotFound, "InvalidAccessKeyId.NotFound"))
		return
	case errors.Is(err, acsauth.ErrSignatureMismatch):
		e := errorFor(http.StatusBadRequest, "SignatureDoesNotMatch")
		if rec.SignatureVersion == signer.V1 {
			// Like the service, show the string to sign of a V1 request.
			e.message += " server string to sign is:" + acsauth.StringToSignV1(r.Method, acsauth.CanonicalQueryV1(all))
		}
		x.fail(e)
		return
	case err != nil:
		x.fail(errorFor(http.StatusBadRequest, "IncompleteSignature"))
		return
	}
	rec.SignatureVersion, rec.AccessKeyID, rec.Nonce, rec.Time = signer.Version(v.Version), v.AccessKeyID, v.Nonce, v.Time
	rec.Params = toValues(v.Params)
	if rec.Action != v.Action || rec.APIVersion != v.APIVersion {
		// Both are read from the same place as Verify reads them, so this
		// only happens for a request that names them twice.
		x.fail(errorFor(http.StatusBadRequest, "IncompleteSignature"))
		return
	}

	now := s.now()
	if d := v.Time.Sub(now); d > timestampTolerance || d < -timestampTolerance {
		x.fail(errorFor(http.StatusBadRequest, "InvalidTimeStamp.Expired"))
		return
	}
	if a, _ := s.account(v.AccessKeyID); a.token != v.SecurityToken {
		x.fail(errorFor(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey"))
		return
	}
	if !s.useNonce(v.AccessKeyID, v.Nonce, v.Time, now) {
		x.fail(errorFor(http.StatusBadRequest, "SignatureNonceUsed"))
		return
	}

	if f, ok := s.takeFault(rec); ok {
		rec.outcome = faulted
		x.inject(f)
		return
	}

	ok, limit, left := s.admit(v.AccessKeyID, rec.Action, x.arrived)
	if !ok {
		rec.outcome = throttled
		x.w.Header().Set("x-ratelimit-user-api", s.rateLimitHeader(limit, left))
		x.fail(errorFor(http.StatusBadRequest, "Throttling.User"))
		return
	}
	rec.outcome = accepted

	if d := s.latencyFor(rec.Action); d > 0 && !s.sleep(r.Context(), d) {
		x.abort() // the client or the server went away: no answer
	}

	var out []byte
	var apiErr *apiError
	switch rec.Action {
	case livempu.ActionListRtcMPUTaskDetail:
		out, apiErr = s.listTasks(rec.Params, rec.RequestID)
	case livempu.ActionListRtcMPUEventSubRecord:
		out, apiErr = s.listRecords(rec.Params, rec.RequestID)
	}
	if apiErr != nil {
		x.fail(apiErr)
		return
	}
	x.write(http.StatusOK, "application/json;charset=utf-8", out)
}

// peek fills the request record from the raw request, before verification,
// and returns every query and form parameter.
func (x *exchange) peek(body []byte) []acsauth.Param {
	r, rec := x.r, x.rec
	all, _ := acsauth.ParseQuery(nil, r.URL.RawQuery)
	if len(body) > 0 {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			all, _ = acsauth.ParseQuery(all, string(body))
		}
	}
	param := func(key string) string {
		for _, p := range all {
			if p.Key == key {
				return p.Value
			}
		}
		return ""
	}
	var date string
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, acsauth.AlgorithmV3) {
		rec.SignatureVersion = signer.V3
		rec.AccessKeyID, _, _, _ = acsauth.ParseAuthorizationV3(auth)
		rec.Nonce = r.Header.Get("x-acs-signature-nonce")
		date = r.Header.Get("x-acs-date")
	} else {
		rec.SignatureVersion = signer.V1
		rec.AccessKeyID = param("AccessKeyId")
		rec.Nonce = param("SignatureNonce")
		date = param("Timestamp")
	}
	if t, err := time.Parse(acsauth.TimeFormat, date); err == nil {
		rec.Time = t
	}
	if rec.Action = r.Header.Get("x-acs-action"); rec.Action == "" {
		rec.Action = param("Action")
	}
	if rec.APIVersion = r.Header.Get("x-acs-version"); rec.APIVersion == "" {
		rec.APIVersion = param("Version")
	}
	for _, p := range all {
		if !v1Common[p.Key] {
			if rec.Params == nil {
				rec.Params = url.Values{}
			}
			rec.Params.Add(p.Key, p.Value)
		}
	}
	return all
}

// toValues copies ps as Request parameters (nil for nil).
func toValues(ps []acsauth.Param) url.Values {
	if ps == nil {
		return nil
	}
	out := make(url.Values, len(ps))
	for _, p := range ps {
		out.Add(p.Key, p.Value)
	}
	return out
}

// redactHeader clones h with the credentials masked.
func redactHeader(h http.Header) http.Header {
	c := h.Clone()
	if c == nil {
		c = http.Header{}
	}
	for _, k := range []string{"Authorization", "X-Acs-Security-Token"} {
		if _, ok := c[k]; ok {
			c[k] = []string{redacted}
		}
	}
	return c
}

// fail answers with an error body.
func (x *exchange) fail(e *apiError) {
	x.rec.Code = e.code
	x.write(e.status, "application/json;charset=utf-8", fakeapi.ErrorBody(x.rec.RequestID, e.code, e.message))
}

// write records the request and sends the answer.
func (x *exchange) write(status int, contentType string, body []byte) {
	if x.rec.Status = status; status < 200 || status > 599 {
		x.rec.Status = http.StatusInternalServerError
	}
	x.finish()
	h := x.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-acs-request-id", x.rec.RequestID)
	x.w.WriteHeader(x.rec.Status)
	_, _ = x.w.Write(body)
}

// sleep waits d, or less if ctx or the server ends first; it reports
// whether the whole wait passed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.done:
	}
	return false
}

// rateLimitHeader formats x-ratelimit-user-api for a full window.
func (s *Server) rateLimitHeader(limit int, left time.Duration) string {
	ms := (left + time.Millisecond - 1) / time.Millisecond
	reset := s.now().Add(left)
	return "Limit:" + strconv.Itoa(limit) + ",Remain:0,TimeLeft:" + strconv.FormatInt(int64(ms), 10) +
		",Reset:" + strconv.FormatInt(reset.Unix(), 10)
}
