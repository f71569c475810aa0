package livempu

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"iter"
	"time"

	"github.com/livempu/livempu-go/pager"
)

// ListRtcMPUEventSubRecordRequest asks for the callback records of a
// subscription to mixed-stream relay events. The service keeps the last
// seven days.
type ListRtcMPUEventSubRecordRequest struct {
	// AppID is the application ID (required; up to 64 letters, digits, _ or -).
	AppID string `json:"AppId"`
	// SubID selects one subscription (optional).
	SubID string `json:"SubId,omitempty"`
	// StartTime is the start of the window (required). It is sent in UTC
	// with second precision whatever its location.
	StartTime time.Time `json:"StartTime"`
	// EndTime is the end of the window (required, not before StartTime).
	EndTime time.Time `json:"EndTime"`
	// PageSize is the number of records per page, 1 to 100 (required; the
	// iterators default it to 100).
	PageSize int `json:"PageSize"`
	// PageNo is the 1-based page number (required; the iterators default it
	// to 1).
	PageNo int `json:"PageNo"`
}

// RecordRetention is how long the service keeps callback records:
// ListRtcMPUEventSubRecord refuses (ErrInvalidParam) a StartTime earlier than
// this before its own clock. RecordWindow computes a window within it.
const RecordRetention = 7 * 24 * time.Hour

// recordWindowMargin is how far after the retention limit RecordWindow
// starts a window that would begin earlier: the limit moves on while a walk
// runs, and the service checks StartTime on every page.
const recordWindowMargin = 5 * time.Minute

// RecordWindow returns the StartTime and EndTime of "the last d" at now,
// clipped to what the service keeps: end is now in UTC, truncated to the
// second as it is sent; start is d before end, but never earlier than five
// minutes after the retention limit (end - RecordRetention), so that every
// page of a walk of up to five minutes is still within the limit when the
// service checks it. A start later than end - d means the window was
// clipped. A d of 0 or less gives an empty window at end.
func RecordWindow(now time.Time, d time.Duration) (start, end time.Time) {
	end = now.UTC().Truncate(time.Second)
	earliest := end.Add(-RecordRetention + recordWindowMargin)
	if d <= 0 {
		return end, end
	}
	start = end.Add(-d)
	if start.Before(earliest) {
		start = earliest
	}
	return start, end
}

// ListRtcMPUEventSubRecordResponse is one page of callback records.
type ListRtcMPUEventSubRecordResponse struct {
	// RequestID identifies the request for Alibaba support: the body's
	// RequestId, or the x-acs-request-id header when the body has none.
	RequestID string `json:"RequestId"`
	// Count is the number of records on this page (not a total).
	Count int `json:"Count"`
	// HasMore reports whether a further page follows.
	HasMore bool `json:"HasMore"`
	// Logs are the callback records on this page.
	Logs []EventSubRecord `json:"Logs"`
	// Attempts is how many HTTP attempts the call made (1 when the first
	// one succeeded); it is not part of the service's answer.
	Attempts int `json:"-"`
}

// EventSubRecord is one callback the service made to a subscriber.
type EventSubRecord struct {
	// AppID is the application ID.
	AppID string `json:"AppId"`
	// SubID is the subscription ID.
	SubID string `json:"SubId"`
	// MsgID identifies the callback message.
	MsgID string `json:"MsgId"`
	// Data is the callback body exactly as sent, a JSON document in a
	// string; Event decodes it.
	Data string `json:"Data"`
	// Time is when the callback was made, in UTC.
	Time time.Time `json:"Time"`
	// Cost is how long the callback took (sent in milliseconds).
	Cost time.Duration `json:"Cost"`
	// CallbackURL is where the callback was sent.
	CallbackURL string `json:"CallbackUrl"`
	// HTTPCode is the status the subscriber answered with (sent as a
	// string); 200 means delivered.
	HTTPCode int `json:"HTTPCode"`
}

// Delivered reports whether the subscriber answered the callback with a 2xx
// status.
func (r EventSubRecord) Delivered() bool { return r.HTTPCode >= 200 && r.HTTPCode < 300 }

// Validate checks the request against the documented constraints without
// sending it: AppID required (up to 64 letters, digits, _ or -), SubID
// valid UTF-8 without control characters, StartTime and EndTime required,
// in the years 1970 to 9999 (UTC), with StartTime not after EndTime,
// PageSize 1 to 100 and PageNo 1 or more, both required. The seven-day
// window is left to the service, whose clock decides it. The error is a
// *ValidationError.
func (r *ListRtcMPUEventSubRecordRequest) Validate() error {
	v := validator{action: ActionListRtcMPUEventSubRecord}
	if r == nil {
		v.fail("request", "is nil")
		return v.result()
	}
	v.id("AppID", r.AppID, true, maxAppIDLen)
	v.text("SubID", r.SubID)
	v.time("StartTime", r.StartTime)
	v.time("EndTime", r.EndTime)
	if r.StartTime.Truncate(time.Second).After(r.EndTime.Truncate(time.Second)) {
		v.fail("StartTime", "is after EndTime")
	}
	v.page(r.PageSize, r.PageNo, true)
	return v.result()
}

// encode returns the operation's query parameters in key order.
func (r *ListRtcMPUEventSubRecordRequest) encode() string {
	var q query
	q.add("AppId", r.AppID)
	q.addTime("EndTime", r.EndTime)
	q.addInt("PageNo", r.PageNo)
	q.addInt("PageSize", r.PageSize)
	q.addTime("StartTime", r.StartTime)
	q.add("SubId", r.SubID)
	return q.String()
}

// ListRtcMPUEventSubRecord returns one page of the callback records of a
// subscription to mixed-stream relay events within the last seven days. An
// invalid request returns a *ValidationError and sends nothing; other errors
// are an *OperationError wrapping an *APIError, *ResponseError, context or
// network error. The limit is 100 QPS per account.
func (c *Client) ListRtcMPUEventSubRecord(ctx context.Context, req *ListRtcMPUEventSubRecordRequest) (*ListRtcMPUEventSubRecordResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	resp := new(ListRtcMPUEventSubRecordResponse)
	attempts, requestID, err := c.do(ctx, ActionListRtcMPUEventSubRecord, req.encode(), resp.decode)
	if err != nil {
		return nil, err
	}
	resp.Attempts = attempts
	if resp.RequestID == "" {
		resp.RequestID = requestID
	}
	return resp, nil
}

// recordPager builds the fetch function of a record walk from a snapshot of
// the request: PageSize defaults to 100 and PageNo to 1. The walk ends when
// HasMore is false (or on an empty page).
func recordPager(api API, req *ListRtcMPUEventSubRecordRequest, opts []pager.Option) (pager.FetchFunc[*ListRtcMPUEventSubRecordResponse], []pager.Option) {
	var base ListRtcMPUEventSubRecordRequest
	if req != nil {
		base = *req
	}
	if base.PageSize == 0 {
		base.PageSize = MaxPageSize
	}
	first := max(base.PageNo, 1)
	fetch := func(ctx context.Context, pageNo int) (*ListRtcMPUEventSubRecordResponse, bool, error) {
		if api == nil {
			return nil, false, errNilAPI
		}
		r := base
		r.PageNo = pageNo
		resp, err := api.ListRtcMPUEventSubRecord(ctx, &r)
		if err != nil {
			return nil, false, err
		}
		return resp, resp.HasMore, nil
	}
	return fetch, append([]pager.Option{pager.WithFirstPage(first), pager.WithItemKeys(recordKeys)}, opts...)
}

func recordCount(r *ListRtcMPUEventSubRecordResponse) int { return len(r.Logs) }

// recordKeySeed seeds the hashes of recordKeys.
var recordKeySeed = maphash.MakeSeed()

// recordKeys are the keys of a page's records, which tell the pager whether
// the page brings a record it has not seen: a hash of every field of the
// record. MsgID, SubID and Time alone do not tell records apart: the
// deliveries of one message (retried after a failure) share them, Time
// being given to the second, and differ only in status, cost or body. A
// 64-bit hash keeps the pager's window of keys small; a collision could at
// worst make one new record look seen.
func recordKeys(r *ListRtcMPUEventSubRecordResponse) []uint64 {
	keys := make([]uint64, len(r.Logs))
	var h maphash.Hash
	h.SetSeed(recordKeySeed)
	for i, rec := range r.Logs {
		h.Reset()
		for _, s := range [...]string{rec.MsgID, rec.SubID, rec.AppID, rec.CallbackURL, rec.Data} {
			h.WriteString(s)
			h.WriteByte(0)
		}
		var nums [24]byte
		binary.LittleEndian.PutUint64(nums[0:], uint64(rec.Time.UnixNano()))
		binary.LittleEndian.PutUint64(nums[8:], uint64(rec.Cost))
		binary.LittleEndian.PutUint64(nums[16:], uint64(rec.HTTPCode))
		h.Write(nums[:])
		keys[i] = h.Sum64()
	}
	return keys
}

func recordItems(r *ListRtcMPUEventSubRecordResponse) []EventSubRecord { return r.Logs }

// EventSubRecords returns an iterator over every callback record matching
// req, walking the pages in order through api: a *Client, or any fake
// implementing API. PageSize defaults to 100 and PageNo to 1 (a set PageNo
// resumes from that page); req is copied, never modified. The walk ends when
// the service says HasMore is false, or on an empty page. A page none of
// whose records is new (not on the last 10 pages) is yielded, but
// pager.StallLimit (3) such pages in a row end the walk with ErrWalkStalled,
// so that a server that keeps saying HasMore while sending the same page
// costs 4 requests, plus up to n with pager.WithPrefetch(n), and yields the
// repeated records of 2 pages, instead of duplicates without end. Nothing is
// sent until the iterator is ranged; each range starts again from the first page.
// An error is yielded once and ends the walk. Memory stays bounded by the
// pages in flight (one, or 1+n with pager.WithPrefetch(n)), whatever the
// total. The service checks the seven-day window on every page against its
// own clock, so a long walk whose StartTime is within minutes of the limit
// can fail part way with ErrInvalidParam: keep a few minutes of margin.
func EventSubRecords(ctx context.Context, api API, req *ListRtcMPUEventSubRecordRequest, opts ...pager.Option) iter.Seq2[EventSubRecord, error] {
	fetch, opts := recordPager(api, req, opts)
	return pager.Items(ctx, fetch, recordItems, opts...)
}

// EventSubRecordPages is EventSubRecords page by page, for callers who want
// each response and its request id. It ends with ErrWalkStalled like
// EventSubRecords.
func EventSubRecordPages(ctx context.Context, api API, req *ListRtcMPUEventSubRecordRequest, opts ...pager.Option) iter.Seq2[*ListRtcMPUEventSubRecordResponse, error] {
	fetch, opts := recordPager(api, req, opts)
	return pager.Pages(ctx, fetch, recordCount, opts...)
}

// NewEventSubRecordPaginator returns a manual paginator over the record
// pages (HasMorePages, NextPage), with the same defaults as EventSubRecords.
// NextPage returns ErrWalkStalled, and the walk is over, on the
// pager.StallLimit-th page in a row that brings no new record.
func NewEventSubRecordPaginator(api API, req *ListRtcMPUEventSubRecordRequest, opts ...pager.Option) *pager.Paginator[*ListRtcMPUEventSubRecordResponse] {
	fetch, opts := recordPager(api, req, opts)
	return pager.NewPaginator(fetch, recordCount, opts...)
}
