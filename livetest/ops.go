package livetest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/servicejson"
)

// requestTimeLayout is the service's yyyy-MM-ddTHH:mm:ssZ.
const requestTimeLayout = "2006-01-02T15:04:05Z"

// params gives an operation's parameters by name, refusing repeats.
type params map[string]string

func newParams(ps url.Values, names ...string) (params, *apiError) {
	p := params{}
	for _, n := range names {
		switch vs := ps[n]; {
		case len(vs) > 1:
			return nil, invalidParam(n, "it is specified more than once")
		case len(vs) == 1:
			p[n] = vs[0]
		}
	}
	return p, nil
}

func missingParam(name, when string) *apiError {
	return newAPIError(http.StatusBadRequest, "MissingParam",
		name+" is mandatory for this action"+when+", please check and try again later.")
}

func invalidParam(name, reason string) *apiError {
	return newAPIError(http.StatusBadRequest, "InvalidParam", name+" is invalid: "+reason+".")
}

// The longest AppId and TaskId the service accepts.
const (
	maxAppIDLen  = 64
	maxTaskIDLen = 55
)

// validID reports whether s is 1 to maxLen letters, digits, '_' or '-'.
func validID(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// checkAppID validates AppId.
func checkAppID(appID string) *apiError {
	if appID == "" {
		return missingParam("AppId", "")
	}
	if !validID(appID, maxAppIDLen) {
		return newAPIError(http.StatusBadRequest, "InvalidAppId",
			"AppId is invalid: it must be 1 to 64 letters, digits, underscores or hyphens, please check and try again later.")
	}
	return nil
}

// checkAppKnown refuses an application the server does not know, as the
// service refuses an AppId that is not one of the account's applications.
func (s *Server) checkAppKnown(appID string) *apiError {
	s.mu.Lock()
	known := s.apps[appID]
	s.mu.Unlock()
	if !known {
		return newAPIError(http.StatusBadRequest, "InvalidAppId",
			"AppId is invalid: there is no application "+appID+", please check and try again later.")
	}
	return nil
}

// paging parses PageSize and PageNo, already known to be present or absent.
// An absent value is 0.
func paging(p params) (size, no int, e *apiError) {
	if v, ok := p["PageSize"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > livempu.MaxPageSize {
			return 0, 0, invalidParam("PageSize", "it must be an integer between 1 and 100")
		}
		size = n
	}
	if v, ok := p["PageNo"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, invalidParam("PageNo", "it must be an integer of 1 or more")
		}
		no = n
	}
	return size, no, nil
}

// present drops empty values, which the service treats as absent.
func (p params) present(name string) bool {
	if p[name] == "" {
		delete(p, name)
		return false
	}
	return true
}

// pageBounds returns the [from, to) range of page no of size among n
// items; size 0 means every item.
func pageBounds(n, size, no int) (from, to int) {
	if size == 0 {
		return 0, n
	}
	if no < 1 || no-1 > n/size {
		return n, n
	}
	from = (no - 1) * size
	return min(from, n), min(from+size, n)
}

// listTasks answers ListRtcMPUTaskDetail.
func (s *Server) listTasks(ps url.Values, requestID string) ([]byte, *apiError) {
	p, e := newParams(ps, "AppId", "TaskId", "PageSize", "PageNo")
	if e != nil {
		return nil, e
	}
	appID, taskID := p["AppId"], p["TaskId"]
	if e := checkAppID(appID); e != nil {
		return nil, e
	}
	if e := s.checkAppKnown(appID); e != nil {
		return nil, e
	}
	if p.present("TaskId") && !validID(taskID, maxTaskIDLen) {
		return nil, invalidParam("TaskId", "it must be 1 to 55 letters, digits, underscores or hyphens")
	}
	hasSize, hasNo := p.present("PageSize"), p.present("PageNo")
	if taskID == "" {
		if !hasSize {
			return nil, missingParam("PageSize", " when TaskId is not specified")
		}
		if !hasNo {
			return nil, missingParam("PageNo", " when TaskId is not specified")
		}
	}
	size, no, e := paging(p)
	if e != nil {
		return nil, e
	}
	if size == 0 || no == 0 { // paging needs both
		size, no = 0, 1
	}

	resp := livempu.ListRtcMPUTaskDetailResponse{RequestID: requestID, MPUTasks: []livempu.MPUTask{}}
	s.mu.Lock()
	var match []*taskEntry
	for _, e := range s.tasks {
		if e.task.AppID == appID && (taskID == "" || e.task.TaskID == taskID) {
			match = append(match, e)
		}
	}
	from, to := pageBounds(len(match), size, no)
	for _, e := range match[from:to] {
		resp.MPUTasks = append(resp.MPUTasks, e.task) // stored tasks are never modified
	}
	s.mu.Unlock()
	return servicejson.Append(make([]byte, 0, 256+1024*len(resp.MPUTasks)), resp), nil
}

// listRecords answers ListRtcMPUEventSubRecord.
func (s *Server) listRecords(ps url.Values, requestID string) ([]byte, *apiError) {
	p, e := newParams(ps, "AppId", "SubId", "StartTime", "EndTime", "PageSize", "PageNo")
	if e != nil {
		return nil, e
	}
	if p["AppId"] == "" {
		return nil, missingParam("AppId", "")
	}
	for _, name := range []string{"StartTime", "EndTime", "PageSize", "PageNo"} {
		if !p.present(name) {
			return nil, missingParam(name, "")
		}
	}
	appID, subID := p["AppId"], p["SubId"]
	if e := checkAppID(appID); e != nil {
		return nil, e
	}
	if e := s.checkAppKnown(appID); e != nil {
		return nil, e
	}
	var start, end time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"StartTime", &start}, {"EndTime", &end}} {
		t, err := time.Parse(requestTimeLayout, p[f.name])
		if err != nil {
			return nil, invalidParam(f.name, "specify the time in the yyyy-MM-ddTHH:mm:ssZ format")
		}
		*f.dst = t
	}
	size, no, e := paging(p)
	if e != nil {
		return nil, e
	}
	now := s.now()
	switch {
	case start.After(end):
		return nil, invalidParam("StartTime", "it is later than EndTime")
	case start.Before(now.Add(-livempu.RecordRetention - windowGrace)):
		return nil, invalidParam("StartTime", "it cannot be earlier than seven days before the current time")
	case end.After(now.Add(windowGrace)):
		return nil, invalidParam("EndTime", "it cannot be later than the current time")
	}

	resp := livempu.ListRtcMPUEventSubRecordResponse{RequestID: requestID, Logs: []livempu.EventSubRecord{}}
	s.mu.Lock()
	skip := (no - 1) * size
	if no-1 > len(s.records)/size {
		skip = len(s.records)
	}
	for _, e := range s.records {
		r := &e.rec
		t := r.Time.Truncate(time.Second)
		if r.AppID != appID || (subID != "" && r.SubID != subID) || t.Before(start) || t.After(end) {
			continue
		}
		switch {
		case skip > 0:
			skip--
		case len(resp.Logs) < size:
			resp.Logs = append(resp.Logs, *r)
		default:
			resp.HasMore = true
		}
		if resp.HasMore {
			break
		}
	}
	s.mu.Unlock()
	resp.Count = len(resp.Logs)
	return servicejson.Append(make([]byte, 0, 256+640*len(resp.Logs)), resp), nil
}
