package httpmockmatch

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/jarcoal/httpmock"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/fakeapi"
)

// TaskPages answers ListRtcMPUTaskDetail with tasks page by page, as the
// service pages them: the page PageNo and PageSize select, in the order
// given, with no HasMore (a page shorter than PageSize, possibly empty, is
// the last). Without TaskId, PageSize (1 to 100) and PageNo (1 or more) are
// required; with TaskId and without them every task is served. A missing
// or invalid value is answered with the service's MissingParam or
// InvalidParam error (HTTP 400). It does not filter: give it the tasks the
// request should see. tasks is copied.
func TaskPages(tasks []livempu.MPUTask) httpmock.Responder {
	tasks = append([]livempu.MPUTask(nil), tasks...)
	return func(req *http.Request) (*http.Response, error) {
		q := query(req)
		required := q.Get("TaskId") == ""
		from, to, resp := page(q, len(tasks), required)
		if resp != nil {
			return resp, nil
		}
		page := &livempu.ListRtcMPUTaskDetailResponse{MPUTasks: append([]livempu.MPUTask{}, tasks[from:to]...)}
		return Wire(page)(req)
	}
}

// RecordPages answers ListRtcMPUEventSubRecord with records page by page,
// as the service pages them: the page PageNo and PageSize select, in the
// order given, with Count the number of records on the page and HasMore
// whether any record follows it. AppId, StartTime, EndTime, PageSize (1 to
// 100) and PageNo (1 or more) are required; a missing or invalid value is
// answered with the service's MissingParam or InvalidParam error (HTTP
// 400). It does not filter by application, subscription or time: give it
// the records the request should see. records is copied.
func RecordPages(records []livempu.EventSubRecord) httpmock.Responder {
	records = append([]livempu.EventSubRecord(nil), records...)
	return func(req *http.Request) (*http.Response, error) {
		q := query(req)
		for _, name := range []string{"AppId", "StartTime", "EndTime"} {
			if q.Get(name) == "" {
				return missingParam(name), nil
			}
		}
		from, to, resp := page(q, len(records), true)
		if resp != nil {
			return resp, nil
		}
		page := &livempu.ListRtcMPUEventSubRecordResponse{
			Count:   to - from,
			HasMore: to < len(records),
			Logs:    append([]livempu.EventSubRecord{}, records[from:to]...),
		}
		return Wire(page)(req)
	}
}

// query returns the request's query parameters.
func query(req *http.Request) url.Values {
	if req.URL == nil {
		return url.Values{}
	}
	return req.URL.Query()
}

// page returns the [from, to) range of the page PageSize and PageNo select
// among n items, or an error answer. When paging is not required and either
// value is absent, the page is every item.
func page(q url.Values, n int, required bool) (from, to int, resp *http.Response) {
	sizeText, noText := q.Get("PageSize"), q.Get("PageNo")
	if required && sizeText == "" {
		return 0, 0, missingParam("PageSize")
	}
	if required && noText == "" {
		return 0, 0, missingParam("PageNo")
	}
	size, no := 0, 0
	if sizeText != "" {
		v, err := strconv.Atoi(sizeText)
		if err != nil || v < 1 || v > livempu.MaxPageSize {
			return 0, 0, invalidParam("PageSize", "it must be an integer between 1 and 100")
		}
		size = v
	}
	if noText != "" {
		v, err := strconv.Atoi(noText)
		if err != nil || v < 1 {
			return 0, 0, invalidParam("PageNo", "it must be an integer of 1 or more")
		}
		no = v
	}
	if size == 0 || no == 0 {
		return 0, n, nil
	}
	if no-1 > n/size { // past the end (and (no-1)*size cannot overflow)
		return n, n, nil
	}
	from = (no - 1) * size
	return min(from, n), min(from+size, n), nil
}

func missingParam(name string) *http.Response {
	return errorResponse(http.StatusBadRequest, "MissingParam", name+" is mandatory for this action, please check and try again later.")
}

func invalidParam(name, reason string) *http.Response {
	return errorResponse(http.StatusBadRequest, "InvalidParam", name+" is invalid: "+reason+".")
}

// errorResponse is the service's error answer.
func errorResponse(status int, code, message string) *http.Response {
	id := fakeapi.NewRequestID()
	resp := respond(status, fakeapi.ErrorBody(id, code, message))
	resp.Header.Set("x-acs-request-id", id)
	return resp
}
