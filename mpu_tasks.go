package livempu

import (
	"context"
	"iter"
	"time"

	"github.com/livempu/livempu-go/pager"
)

// ListRtcMPUTaskDetailRequest asks for the parameters of mixed-stream relay
// tasks, either one task by TaskID or a page of an application's tasks.
type ListRtcMPUTaskDetailRequest struct {
	// AppID is the application ID (required; up to 64 letters, digits, _ or -).
	AppID string `json:"AppId"`
	// TaskID selects one task (optional; up to 55 letters, digits, _ or -).
	TaskID string `json:"TaskId,omitempty"`
	// PageSize is the number of tasks per page, 1 to 100. Required with
	// PageNo when TaskID is empty; the iterators default it to 100.
	PageSize int `json:"PageSize,omitempty"`
	// PageNo is the 1-based page number. Required with PageSize when TaskID
	// is empty; the iterators default it to 1.
	PageNo int `json:"PageNo,omitempty"`
}

// ListRtcMPUTaskDetailResponse is one page of tasks, newest update first.
// The service reports no total and no HasMore: a page shorter than the page
// size is the last one.
type ListRtcMPUTaskDetailResponse struct {
	// RequestID identifies the request for Alibaba support: the body's
	// RequestId, or the x-acs-request-id header when the body has none.
	RequestID string `json:"RequestId"`
	// MPUTasks are the tasks on this page.
	MPUTasks []MPUTask `json:"MPUTasks"`
	// Attempts is how many HTTP attempts the call made (1 when the first
	// one succeeded); it is not part of the service's answer.
	Attempts int `json:"-"`
}

// MPUTask is the configuration of one mixed-stream relay task, as created by
// StartLiveMPUTask. Its MarshalJSON and UnmarshalJSON encode and decode it
// with every value nested in it (TranscodeParams, Layout, EnhancedParam, ...);
// those values have no codec of their own, so marshalled on their own they
// follow their struct tags.
type MPUTask struct {
	// AppID is the application ID.
	AppID string `json:"AppId"`
	// ChannelID is the channel ID.
	ChannelID string `json:"ChannelId"`
	// TaskID is the relay task ID.
	TaskID string `json:"TaskId"`
	// MixMode says whether streams are mixed (sent as "0"/"1").
	MixMode MixMode `json:"MixMode"`
	// StreamURL is the ingest URL.
	StreamURL string `json:"StreamURL"`
	// MultiStreamURL lists further ingest URLs the task relays to.
	MultiStreamURL []RelayURL `json:"MultiStreamURL"`
	// Region is where the streams are mixed.
	Region Region `json:"Region"`
	// MaxIdleTime is how long the task may stay idle before it stops (sent
	// as a string of seconds); zero means it stops when the channel closes.
	MaxIdleTime time.Duration `json:"MaxIdleTime"`
	// SingleSubParams are the parameters of a single-stream relay.
	SingleSubParams SingleSubParams `json:"SingleSubParams"`
	// TranscodeParams are the parameters of a mixed-stream relay; empty
	// when MixMode is MixModeSingle.
	TranscodeParams TranscodeParams `json:"TranscodeParams"`
	// SEIParams are the supplemental enhancement information settings.
	SEIParams SEIParams `json:"SeiParams"`
}

// RelayURL is one of a task's ingest URLs.
type RelayURL struct {
	// URL is the ingest URL.
	URL string `json:"URL"`
	// IsAliCDN reports whether the relay goes through Alibaba Cloud CDN (the
	// one field the service sends as a real JSON boolean).
	IsAliCDN bool `json:"IsAliCdn"`
}

// SingleSubParams are the parameters of a single-stream relay.
type SingleSubParams struct {
	// SourceType is the video source; meaningful when StreamType is
	// StreamTypeVideoOnly.
	SourceType SourceType `json:"SourceType"`
	// StreamType is the kind of stream relayed.
	StreamType StreamType `json:"StreamType"`
	// UserID is the user whose stream is relayed.
	UserID string `json:"UserId"`
}

// TranscodeParams are the parameters of a mixed-stream relay.
type TranscodeParams struct {
	// Background is the global background image.
	Background Background `json:"Background"`
	// EncodeParams are the output stream's encoding parameters.
	EncodeParams EncodeParams `json:"EncodeParams"`
	// Layout places the users' videos; empty for audio-only output.
	Layout Layout `json:"Layout"`
	// UserInfos are the users whose streams are mixed; empty means all.
	UserInfos []UserInfo `json:"UserInfos"`
}

// Background is a background image and how it is fitted.
type Background struct {
	// RenderMode is how the image is fitted.
	RenderMode RenderMode `json:"RenderMode"`
	// URL is the image's URL.
	URL string `json:"URL"`
}

// EncodeParams are the encoding parameters of a mixed output stream. The
// service sends every number and the boolean as strings.
type EncodeParams struct {
	// AudioOnly reports an audio-only output stream.
	AudioOnly bool `json:"AudioOnly"`
	// AudioBitrate is in Kbit/s.
	AudioBitrate int `json:"AudioBitrate"`
	// AudioChannels is 1 or 2.
	AudioChannels int `json:"AudioChannels"`
	// AudioSampleRate is in Hz.
	AudioSampleRate int `json:"AudioSampleRate"`
	// VideoCodec is the video format, H.264 by default.
	VideoCodec string `json:"VideoCodec"`
	// VideoBitrate is in Kbit/s.
	VideoBitrate int `json:"VideoBitrate"`
	// VideoFramerate is in frames per second.
	VideoFramerate int `json:"VideoFramerate"`
	// VideoGop is the group-of-pictures size.
	VideoGop int `json:"VideoGop"`
	// VideoHeight is in pixels.
	VideoHeight int `json:"VideoHeight"`
	// VideoWidth is in pixels.
	VideoWidth int `json:"VideoWidth"`
	// EnhancedParam is the advanced encoding setting (JSON inside a string).
	EnhancedParam EnhancedParam `json:"EnhancedParam"`
}

// Layout places the users' videos in the mixed picture.
type Layout struct {
	// UserPanes are the panes, one per placed video.
	UserPanes []UserPane `json:"UserPanes"`
}

// UserPane is one pane of a mixed layout. Coordinates and sizes are
// normalized to the output picture (0 to 1).
type UserPane struct {
	// UserInfo is the user whose stream is shown in the pane.
	UserInfo UserInfo `json:"UserInfo"`
	// Height of the pane, normalized.
	Height float64 `json:"Height"`
	// Width of the pane, normalized.
	Width float64 `json:"Width"`
	// X is the pane's x-coordinate, normalized.
	X float64 `json:"X"`
	// Y is the pane's y-coordinate, normalized.
	Y float64 `json:"Y"`
	// ZOrder is the layer; 0 is the bottom.
	ZOrder int `json:"ZOrder"`
	// BackgroundImageURL is shown when the user's camera is off or the user
	// is absent.
	BackgroundImageURL string `json:"BackgroundImageUrl"`
	// RenderMode is how the video is fitted into the pane.
	RenderMode RenderMode `json:"RenderMode"`
}

// UserInfo identifies a user's stream.
type UserInfo struct {
	// ChannelID is the user's channel.
	ChannelID string `json:"ChannelId"`
	// UserID is the user.
	UserID string `json:"UserId"`
	// SourceType is the video source.
	SourceType SourceType `json:"SourceType"`
	// StreamType is the kind of stream; not sent for a pane's user.
	StreamType StreamType `json:"StreamType"`
}

// SEIParams are the supplemental enhancement information settings of a task.
type SEIParams struct {
	// LayoutVolume is the layout-and-volume SEI.
	LayoutVolume SEISettings `json:"LayoutVolume"`
	// PassThrough is the custom SEI.
	PassThrough SEIPassThrough `json:"PassThrough"`
	// PayloadType is the custom payload type, 100 to 254 (5 by default).
	PayloadType int `json:"PayloadType"`
}

// SEISettings say where and how often SEI messages are added.
type SEISettings struct {
	// FollowIDR adds SEI to IDR frames (sent as "0"/"1").
	FollowIDR bool `json:"FollowIdr"`
	// Interval between SEI messages (sent as a string of milliseconds).
	Interval time.Duration `json:"Interval"`
}

// SEIPassThrough is a custom SEI.
type SEIPassThrough struct {
	// FollowIDR adds SEI to IDR frames (sent as "0"/"1").
	FollowIDR bool `json:"FollowIdr"`
	// Interval between SEI messages (sent as a string of milliseconds).
	Interval time.Duration `json:"Interval"`
	// PayloadContent is the custom SEI's content.
	PayloadContent string `json:"PayloadContent"`
	// PayloadContentKey is the content's key, "udd" by default.
	PayloadContentKey string `json:"PayloadContentKey"`
}

// Validate checks the request against the documented constraints without
// sending it: AppID required (up to 64 letters, digits, _ or -), TaskID up to
// 55 of the same, PageSize 1 to 100, PageNo 1 or more, and both paging
// fields when TaskID is empty. The error is a *ValidationError.
func (r *ListRtcMPUTaskDetailRequest) Validate() error {
	v := validator{action: ActionListRtcMPUTaskDetail}
	if r == nil {
		v.fail("request", "is nil")
		return v.result()
	}
	v.id("AppID", r.AppID, true, maxAppIDLen)
	v.id("TaskID", r.TaskID, false, maxTaskIDLen)
	v.page(r.PageSize, r.PageNo, r.TaskID == "")
	return v.result()
}

// encode returns the operation's query parameters in key order.
func (r *ListRtcMPUTaskDetailRequest) encode() string {
	var q query
	q.add("AppId", r.AppID)
	q.addInt("PageNo", r.PageNo)
	q.addInt("PageSize", r.PageSize)
	q.add("TaskId", r.TaskID)
	return q.String()
}

// ListRtcMPUTaskDetail returns one page of an application's mixed-stream
// relay tasks, newest update first, or one task when req.TaskID is set. An
// invalid request returns a *ValidationError and sends nothing; other errors
// are an *OperationError wrapping an *APIError, *ResponseError, context or
// network error. The limit is 50 QPS per account.
func (c *Client) ListRtcMPUTaskDetail(ctx context.Context, req *ListRtcMPUTaskDetailRequest) (*ListRtcMPUTaskDetailResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	resp := new(ListRtcMPUTaskDetailResponse)
	attempts, requestID, err := c.do(ctx, ActionListRtcMPUTaskDetail, req.encode(), resp.decode)
	if err != nil {
		return nil, err
	}
	resp.Attempts = attempts
	if resp.RequestID == "" {
		resp.RequestID = requestID
	}
	return resp, nil
}

// taskPager builds the fetch function of a task walk from a snapshot of the
// request: PageSize defaults to 100 and PageNo to 1. A page shorter than the
// page size, or a lookup by TaskID, is the last page.
func taskPager(api API, req *ListRtcMPUTaskDetailRequest, opts []pager.Option) (pager.FetchFunc[*ListRtcMPUTaskDetailResponse], []pager.Option) {
	var base ListRtcMPUTaskDetailRequest
	if req != nil {
		base = *req
	}
	if base.PageSize == 0 {
		base.PageSize = MaxPageSize
	}
	first := max(base.PageNo, 1)
	fetch := func(ctx context.Context, pageNo int) (*ListRtcMPUTaskDetailResponse, bool, error) {
		if api == nil {
			return nil, false, errNilAPI
		}
		r := base
		r.PageNo = pageNo
		resp, err := api.ListRtcMPUTaskDetail(ctx, &r)
		if err != nil {
			return nil, false, err
		}
		more := r.TaskID == "" && len(resp.MPUTasks) >= r.PageSize
		return resp, more, nil
	}
	return fetch, append([]pager.Option{pager.WithFirstPage(first), pager.WithItemKeys(taskKeys)}, opts...)
}

func taskCount(r *ListRtcMPUTaskDetailResponse) int { return len(r.MPUTasks) }

// taskKeys are the TaskIDs of a page, which tell the pager whether the page
// brings a task it has not seen.
func taskKeys(r *ListRtcMPUTaskDetailResponse) []string {
	keys := make([]string, len(r.MPUTasks))
	for i, t := range r.MPUTasks {
		keys[i] = t.TaskID
	}
	return keys
}

func taskItems(r *ListRtcMPUTaskDetailResponse) []MPUTask { return r.MPUTasks }

func taskKey(t MPUTask) string { return t.TaskID }

// MPUTasks returns an iterator over every task of req.AppID (or the one
// req.TaskID names), walking the pages in order through api: a *Client, or
// any fake implementing API. PageSize defaults to 100 and PageNo to 1 (a set
// PageNo resumes from that page); req is copied, never modified. Because the
// list is sorted by update time, a task can move between pages during the
// walk: no TaskID is yielded twice. Pages that bring no new TaskID, as a
// server that ignores PageNo sends, end the walk with ErrWalkStalled after
// pager.StallLimit (3) of them in a row: 4 requests in all, plus up to n with
// pager.WithPrefetch(n). Nothing is sent until the iterator is ranged; each
// range starts again from the first page. An error is yielded once and ends
// the walk. opts are pager options: pager.WithPrefetch,
// pager.WithMaxItems, pager.WithMaxPages, pager.WithOnPage.
func MPUTasks(ctx context.Context, api API, req *ListRtcMPUTaskDetailRequest, opts ...pager.Option) iter.Seq2[MPUTask, error] {
	fetch, opts := taskPager(api, req, opts)
	return pager.UniqueItems(ctx, fetch, taskItems, taskKey, opts...)
}

// MPUTaskPages is MPUTasks page by page, for callers who want each
// response and its request id. The first page is yielded even when empty; a
// later empty page ends the walk. A page none of whose TaskIDs is new (not on
// the last 10 pages) is yielded, but pager.StallLimit such pages in a row
// end the walk with ErrWalkStalled.
func MPUTaskPages(ctx context.Context, api API, req *ListRtcMPUTaskDetailRequest, opts ...pager.Option) iter.Seq2[*ListRtcMPUTaskDetailResponse, error] {
	fetch, opts := taskPager(api, req, opts)
	return pager.Pages(ctx, fetch, taskCount, opts...)
}

// NewMPUTaskPaginator returns a manual paginator over the task pages
// (HasMorePages, NextPage), with the same defaults as MPUTasks. NextPage
// returns ErrWalkStalled, and the walk is over, on the pager.StallLimit-th
// page in a row that brings no new TaskID (not on the last 10 pages).
func NewMPUTaskPaginator(api API, req *ListRtcMPUTaskDetailRequest, opts ...pager.Option) *pager.Paginator[*ListRtcMPUTaskDetailResponse] {
	fetch, opts := taskPager(api, req, opts)
	return pager.NewPaginator(fetch, taskCount, opts...)
}
