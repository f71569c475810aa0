// Package httpmockmatch adapts github.com/jarcoal/httpmock to the Live
// API, whose operations all POST to the same URL and differ only by the
// action named in the x-acs-action header (signature V3) or the Action query
// parameter (V1), and by their parameters in the signed query.
//
// Give the client the *http.Client that httpmock intercepts; it may be
// activated after livempu.NewClient, since the client reads the transport at
// call time. Register NoResponder, so that a request nothing matches fails
// at once with an error that says so:
//
//	hc := &http.Client{}
//	client, _ := livempu.NewClient(livempu.WithHTTPClient(hc), livempu.WithStaticCredentials("id", "secret", ""))
//	httpmock.ActivateNonDefault(hc)
//	defer httpmock.DeactivateAndReset()
//	httpmock.RegisterNoResponder(httpmockmatch.NoResponder)
//	url := livempu.DefaultEndpoint + "/"
//	httpmock.RegisterMatcherResponder(http.MethodPost, url,
//		httpmockmatch.Action(livempu.ActionListRtcMPUTaskDetail), httpmockmatch.TaskPages(tasks))
//	httpmock.RegisterMatcherResponder(http.MethodPost, url,
//		httpmockmatch.Param(livempu.ActionListRtcMPUTaskDetail, "PageNo", "2"),
//		httpmockmatch.Error(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."))
//
// Only packages that import httpmockmatch depend on httpmock.
package httpmockmatch

import (
	"net/http"
	"strconv"

	"github.com/jarcoal/httpmock"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/fakeapi"
	"github.com/livempu/livempu-go/internal/servicejson"
)

// Action matches a request for the named operation: its x-acs-action
// header, or, without that header, its Action query parameter. Registered
// on the same URL as a Param matcher for the same action, it is tried after
// it, whatever the order of registration.
func Action(action string) httpmock.Matcher {
	return httpmock.NewMatcher("livempu "+action+" with any parameters", func(req *http.Request) bool {
		return actionOf(req) == action
	})
}

// Param matches a request for action whose operation parameter key has the
// given value, for example Param(livempu.ActionListRtcMPUTaskDetail,
// "PageNo", "2"). The client sends the operation parameters in the query
// under both signature versions, beside the signature's own (V1 adds
// Signature, SignatureNonce, Timestamp... to the query), which is why
// httpmock's query matching cannot select them. Registered on the same URL,
// a Param matcher is tried before the Action matcher of its action, so a
// responder for one page can sit beside one for every other page. Its name
// is unique per action, key and value; combine Param matchers with And.
func Param(action, key, value string) httpmock.Matcher {
	return httpmock.NewMatcher("livempu "+action+" with "+key+"="+value, func(req *http.Request) bool {
		if actionOf(req) != action || req.URL == nil {
			return false
		}
		vs, ok := req.URL.Query()[key]
		return ok && len(vs) > 0 && vs[0] == value
	})
}

// actionOf returns the operation a request names.
func actionOf(req *http.Request) string {
	if a := req.Header.Get("x-acs-action"); a != "" {
		return a
	}
	if req.URL == nil {
		return ""
	}
	return req.URL.Query().Get("Action")
}

// Wire answers with HTTP 200 and resp, a page of either operation, encoded
// exactly as the service sends it (numbers as strings where its
// documentation shows strings). The x-acs-request-id header repeats the
// response's RequestID; an empty RequestID is replaced by a fresh id on
// every answer (resp itself is not modified).
func Wire[P *livempu.ListRtcMPUTaskDetailResponse | *livempu.ListRtcMPUEventSubRecordResponse](resp P) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		id := fakeapi.NewRequestID()
		var body []byte
		switch r := any(resp).(type) {
		case *livempu.ListRtcMPUTaskDetailResponse:
			c := *r
			if c.RequestID == "" {
				c.RequestID = id
			}
			id, body = c.RequestID, servicejson.Append(nil, &c)
		case *livempu.ListRtcMPUEventSubRecordResponse:
			c := *r
			if c.RequestID == "" {
				c.RequestID = id
			}
			id, body = c.RequestID, servicejson.Append(nil, &c)
		}
		out := respond(http.StatusOK, body)
		out.Header.Set("x-acs-request-id", id)
		return out, nil
	}
}

// Error answers with the service's error document for code and message
// (RequestId, HostId, Code, Message, Recommend) and the given HTTP status,
// for example Error(400, "Throttling.User", "Request was denied due to user
// flow control.").
func Error(status int, code, message string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		return errorResponse(status, code, message), nil
	}
}

func respond(status int, body []byte) *http.Response {
	resp := httpmock.NewBytesResponse(status, body)
	resp.Header.Set("Content-Type", "application/json;charset=utf-8")
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.ContentLength = int64(len(body))
	return resp
}
