// Package livetest is an in-process fake of the Live API's mixed-stream
// relay operations, ListRtcMPUTaskDetail and ListRtcMPUEventSubRecord, for
// tests: what net/http/httptest is for HTTP.
//
// NewServer starts a Server on a loopback address and closes it when the
// test ends; Server.Client returns a *livempu.Client already pointed at it
// with matching credentials:
//
//	srv := livetest.NewServer(t, livetest.WithGenerated(250, 1000, 1))
//	client := srv.Client()
//	page, err := client.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{
//		AppID: livetest.DemoAppID, PageSize: 100, PageNo: 1,
//	})
//
// The server behaves like the service: it verifies V3 and V1 signatures
// (with the code that signs for signer.Signer), the timestamp (within 15 minutes of its clock),
// STS tokens and nonce reuse; it validates parameters with the documented
// codes (MissingParam, InvalidAppId, InvalidParam) and refuses an
// application it does not know with InvalidAppId (it knows DemoAppID, the
// applications of its data and those of WithApps); it lists tasks newest
// update first in pages without HasMore, and records oldest first with
// Count and HasMore, within the last seven days; it answers exactly in the
// service's wire form (numbers as strings where the documentation shows
// strings) with an x-acs-request-id; and it enforces each action's QPS per
// account over a sliding one-second window, answering Throttling.User with
// an x-ratelimit-user-api header. The order of the checks is given on
// Server.
//
// Faults (Fail, Cut, Break, HTML) can be injected into the requests that
// meet a condition, such as one page of one action, with Inject, which
// stays deterministic when a walk prefetches pages concurrently (ForAction
// is the condition for every request of an action), and SetLatency delays
// answers. The data can be changed while a
// test runs (AddTasks, RemoveTasks, AddRecords), and the
// traffic inspected (Requests, Stats, MaxWindow).
//
// Data is shared by every account of a server. The package imports only the
// standard library, livempu, signer and the module's internal signature
// code; the httpmockmatch subpackage holds helpers for
// github.com/jarcoal/httpmock.
package livetest
