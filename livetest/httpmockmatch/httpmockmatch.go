// Package httpmockmatch adapts github.com/jarcoal/httpmock to the Live
// API, whose operations all POST to the same URL and differ only by the
// action named in the x-acs-action header (signature V3) or the Action query
// parameter (V1).
//
// Give the client the *http.Client that httpmock intercepts; it may be
// activated after livempu.NewClient, since the client reads the transport at
// call time:
//
//	hc := &http.Client{}
//	client, _ := livempu.NewClient(livempu.WithHTTPClient(hc), livempu.WithStaticCredentials("id", "secret", ""))
//	httpmock.ActivateNonDefault(hc)
//	defer httpmock.DeactivateAndReset()
//	httpmock.RegisterMatcherResponder(http.MethodPost, livempu.DefaultEndpoint+"/",
//		httpmockmatch.Action(livempu.ActionListRtcMPUTaskDetail),
//		httpmockmatch.Wire(&livempu.ListRtcMPUTaskDetailResponse{MPUTasks: tasks}))
//
// Only packages that import httpmockmatch depend on httpmock.
package httpmockmatch

import (
	"net/http"
	"strconv"

	"github.com/jarcoal/httpmock"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

// Action matches a request for the named operation: its x-acs-action
// header, or, without that header, its Action query parameter.
func Action(action string) httpmock.Matcher {
	return httpmock.NewMatcher("livempu action "+action, func(req *http.Request) bool {
		if a := req.Header.Get("x-acs-action"); a != "" {
			return a == action
		}
		return req.URL != nil && req.URL.Query().Get("Action") == action
	})
}

// WireEncoder is a response that encodes itself in the service's wire form:
// *livempu.ListRtcMPUTaskDetailResponse and
// *livempu.ListRtcMPUEventSubRecordResponse.
type WireEncoder interface {
	AppendWireJSON(dst []byte) []byte
}

// Wire answers with HTTP 200 and resp encoded exactly as the service sends
// it (numbers as strings where its documentation shows strings). The
// x-acs-request-id header repeats the response's RequestID; for the two
// livempu response types an empty RequestID is replaced by a fresh id on
// every answer (resp itself is not modified).
func Wire(resp WireEncoder) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		id := livetest.NewRequestID()
		var body []byte
		switch r := resp.(type) {
		case *livempu.ListRtcMPUTaskDetailResponse:
			c := *r
			if c.RequestID == "" {
				c.RequestID = id
			}
			id, body = c.RequestID, c.AppendWireJSON(nil)
		case *livempu.ListRtcMPUEventSubRecordResponse:
			c := *r
			if c.RequestID == "" {
				c.RequestID = id
			}
			id, body = c.RequestID, c.AppendWireJSON(nil)
		default:
			body = resp.AppendWireJSON(nil)
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
		id := livetest.NewRequestID()
		resp := respond(status, livetest.ErrorBody(id, code, message))
		resp.Header.Set("x-acs-request-id", id)
		return resp, nil
	}
}

func respond(status int, body []byte) *http.Response {
	resp := httpmock.NewBytesResponse(status, body)
	resp.Header.Set("Content-Type", "application/json;charset=utf-8")
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp.ContentLength = int64(len(body))
	return resp
}
