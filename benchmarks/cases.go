package benchmarks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/live"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/signer"
)

// Impl is one contestant of a comparison.
type Impl int

const (
	// Ours is livempu-go with its defaults: signature V3, retries on.
	Ours Impl = iota
	// OursV1 is livempu-go signing with V1 (HMAC-SHA1), as the official
	// SDK does.
	OursV1
	// Official is github.com/aliyun/alibaba-cloud-sdk-go/services/live.
	Official
	// Floor is plain net/http: send the request and read the body, no
	// signing and no decoding.
	Floor
)

// String names the implementation as the table does.
func (i Impl) String() string {
	switch i {
	case Ours:
		return "livempu"
	case OursV1:
		return "livempu-v1"
	case Official:
		return "official"
	case Floor:
		return "net-http"
	}
	return "Impl(?)"
}

// Where a case sends its requests.
const (
	ClientOnly = "client-only" // in-memory RoundTripper
	Loopback   = "loopback"    // local HTTP server
	Walk       = "walk"        // 1,000 records, in memory, PageSize 100
)

// Operation names of the walk.
const WalkOp = "walk-1000-records"

// Case is one benchmark: an operation, a page size and an Impl, sent
// through a MemTransport or a loopback Server.
type Case struct {
	Group string // ClientOnly, Loopback or Walk
	Op    string // an action, or WalkOp
	Size  int    // items per page
	Impl  Impl
}

// Name is the case's sub-benchmark path, e.g.
// "client-only/ListRtcMPUTaskDetail/100/livempu".
func (c Case) Name() string { return fmt.Sprintf("%s/%s/%d/%s", c.Group, c.Op, c.Size, c.Impl) }

// Row names the comparison the case belongs to (its Name without Impl).
func (c Case) Row() string { return fmt.Sprintf("%s %s %d", c.Group, c.Op, c.Size) }

// Cases returns every case, grouped by row with the Impls of a row
// adjacent: Ours, OursV1 (client-only rows), Official, Floor.
func Cases() []Case {
	var out []Case
	row := func(group, op string, size int, impls ...Impl) {
		for _, i := range impls {
			out = append(out, Case{Group: group, Op: op, Size: size, Impl: i})
		}
	}
	for _, op := range []string{livempu.ActionListRtcMPUTaskDetail, livempu.ActionListRtcMPUEventSubRecord} {
		for _, size := range []int{10, 100} {
			row(ClientOnly, op, size, Ours, OursV1, Official, Floor)
		}
	}
	for _, op := range []string{livempu.ActionListRtcMPUTaskDetail, livempu.ActionListRtcMPUEventSubRecord} {
		for _, size := range []int{10, 100} {
			row(Loopback, op, size, Ours, Official, Floor)
		}
	}
	row(Walk, WalkOp, WalkPageSize, Ours, Official, Floor)
	return out
}

// pagesCache builds each fixture once.
var pagesCache sync.Map // string -> *Pages

func pagesFor(c Case) *Pages {
	key := fmt.Sprint(c.Group == Walk, c.Size)
	if p, ok := pagesCache.Load(key); ok {
		return p.(*Pages)
	}
	p := &Pages{Tasks: TaskPage(c.Size)}
	if c.Group == Walk {
		for no := 1; (no-1)*c.Size < RecordsTotal; no++ {
			p.Records = append(p.Records, RecordPage(RecordsTotal, c.Size, no))
		}
	} else {
		// One page of Size records, claiming more follow.
		p.Records = [][]byte{RecordPage(c.Size+1, c.Size, 1)}
	}
	actual, _ := pagesCache.LoadOrStore(key, p)
	return actual.(*Pages)
}

// Call is one measured unit of work: one operation call (or the whole walk)
// that checks it decoded the expected number of items.
type Call func(ctx context.Context) error

// Setup prepares c: it builds its client (and, for loopback, starts a
// server) and returns the call to measure and a cleanup.
func (c Case) Setup() (Call, func(), error) {
	pages := pagesFor(c)
	var (
		rt       http.RoundTripper
		endpoint string // URL for ours and the floor
		domain   string // host for the official SDK
		cleanup  = func() {}
	)
	switch c.Group {
	case Loopback:
		srv := NewServer(pages, 0, nil)
		endpoint, domain, cleanup = srv.URL, srv.Host(), srv.Close
	default:
		rt = MemTransport{Pages: pages}
		endpoint, domain = livempu.DefaultEndpoint, "live.aliyuncs.com"
	}
	call, err := c.newCall(rt, endpoint, domain)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return call, cleanup, nil
}

func (c Case) newCall(rt http.RoundTripper, endpoint, domain string) (Call, error) {
	switch c.Impl {
	case Ours, OursV1:
		v := signer.V3
		if c.Impl == OursV1 {
			v = signer.V1
		}
		cl, err := NewOurs(rt, endpoint, v, false)
		if err != nil {
			return nil, err
		}
		switch c.Op {
		case livempu.ActionListRtcMPUTaskDetail:
			return OursTasks(cl, c.Size), nil
		case livempu.ActionListRtcMPUEventSubRecord:
			return OursRecords(cl, c.Size), nil
		default:
			return OursWalk(cl), nil
		}
	case Official:
		cl, err := NewOfficial(rt, domain)
		if err != nil {
			return nil, err
		}
		switch c.Op {
		case livempu.ActionListRtcMPUTaskDetail:
			return OfficialTasks(cl, c.Size), nil
		case livempu.ActionListRtcMPUEventSubRecord:
			return OfficialRecords(cl, c.Size), nil
		default:
			return OfficialWalk(cl), nil
		}
	case Floor:
		hc := &http.Client{Transport: rt}
		if rt == nil {
			hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		}
		pages := 1
		if c.Group == Walk {
			pages = (RecordsTotal + c.Size - 1) / c.Size
		}
		return FloorCall(hc, endpoint, c.Op, c.Size, pages), nil
	}
	return nil, fmt.Errorf("unknown impl %v", c.Impl)
}

// Bench is the benchmark body of c.
func (c Case) Bench(b *testing.B) {
	call, cleanup, err := c.Setup()
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	ctx := context.Background()
	if err := call(ctx); err != nil { // warm up (and connect, over loopback)
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := call(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// NewOurs returns a livempu client sending through rt (nil: its default
// HTTP client) to endpoint. Without limited, the client-side rate limiter
// is off for both actions, so that only the SDK's own work is measured.
// Retries stay at their default (3), which costs nothing on success.
func NewOurs(rt http.RoundTripper, endpoint string, v signer.Version, limited bool) (*livempu.Client, error) {
	opts := []livempu.Option{
		livempu.WithStaticCredentials(AccessKeyID, AccessKeySecret, ""),
		livempu.WithEndpoint(endpoint),
		livempu.WithSignatureVersion(v),
	}
	if rt != nil {
		opts = append(opts, livempu.WithHTTPClient(&http.Client{Transport: rt}))
	}
	if !limited {
		opts = append(opts,
			livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
			livempu.WithRateLimiter(livempu.ActionListRtcMPUEventSubRecord, nil))
	}
	return livempu.NewClient(opts...)
}

// NewOfficial returns an official client for cn-shanghai with an AccessKey
// pair, sending to domain through rt (nil: its default transport). It signs
// with V1 (HMAC-SHA1), its only RPC signature; AutoRetry is off, its
// default, and it has no client-side rate limiter.
func NewOfficial(rt http.RoundTripper, domain string) (*live.Client, error) {
	cl, err := live.NewClientWithAccessKey("cn-shanghai", AccessKeyID, AccessKeySecret)
	if err != nil {
		return nil, err
	}
	cl.GetConfig().AutoRetry = false
	cl.Domain = domain
	if rt != nil {
		cl.SetTransport(rt)
	}
	return cl, nil
}

// The record window of every request.
var (
	windowStart = base.Add(-24 * time.Hour)
	windowEnd   = base.Add(24 * time.Hour)
)

// OursTasks calls ListRtcMPUTaskDetail for one page of size tasks.
func OursTasks(cl *livempu.Client, size int) Call {
	return func(ctx context.Context) error {
		resp, err := cl.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: AppID, PageNo: 1, PageSize: size})
		if err != nil {
			return err
		}
		return checkCount(len(resp.MPUTasks), size)
	}
}

// OursRecords calls ListRtcMPUEventSubRecord for one page of size records.
func OursRecords(cl *livempu.Client, size int) Call {
	return func(ctx context.Context) error {
		resp, err := cl.ListRtcMPUEventSubRecord(ctx, &livempu.ListRtcMPUEventSubRecordRequest{
			AppID: AppID, StartTime: windowStart, EndTime: windowEnd, PageNo: 1, PageSize: size,
		})
		if err != nil {
			return err
		}
		return checkCount(len(resp.Logs), size)
	}
}

// OursWalk ranges the EventSubRecords iterator over every record.
func OursWalk(cl *livempu.Client) Call {
	return func(ctx context.Context) error {
		n := 0
		req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: AppID, StartTime: windowStart, EndTime: windowEnd, PageSize: WalkPageSize}
		for rec, err := range livempu.EventSubRecords(ctx, cl, req) {
			if err != nil {
				return err
			}
			if rec.MsgID != "" {
				n++
			}
		}
		return checkCount(n, RecordsTotal)
	}
}

// OfficialTasks calls the official ListRtcMPUTaskDetail for one page.
func OfficialTasks(cl *live.Client, size int) Call {
	return func(context.Context) error {
		req := live.CreateListRtcMPUTaskDetailRequest()
		req.AppId = AppID
		req.PageNo = requests.NewInteger(1)
		req.PageSize = requests.NewInteger(size)
		resp, err := cl.ListRtcMPUTaskDetail(req)
		if err != nil {
			return err
		}
		return checkCount(len(resp.MPUTasks), size)
	}
}

// officialRecordsRequest builds the official request of one record page.
func officialRecordsRequest(pageNo, size int) *live.ListRtcMPUEventSubRecordRequest {
	req := live.CreateListRtcMPUEventSubRecordRequest()
	req.AppId = AppID
	req.StartTime = windowStart.Format(time.RFC3339)
	req.EndTime = windowEnd.Format(time.RFC3339)
	req.PageNo = requests.NewInteger(pageNo)
	req.PageSize = requests.NewInteger(size)
	return req
}

// OfficialRecords calls the official ListRtcMPUEventSubRecord for one page.
func OfficialRecords(cl *live.Client, size int) Call {
	return func(context.Context) error {
		resp, err := cl.ListRtcMPUEventSubRecord(officialRecordsRequest(1, size))
		if err != nil {
			return err
		}
		return checkCount(len(resp.Logs), size)
	}
}

// OfficialWalk is the loop an official SDK user writes to read every
// record: request page after page until HasMore is false.
func OfficialWalk(cl *live.Client) Call {
	return func(context.Context) error {
		n := 0
		for pageNo := 1; ; pageNo++ {
			resp, err := cl.ListRtcMPUEventSubRecord(officialRecordsRequest(pageNo, WalkPageSize))
			if err != nil {
				return err
			}
			for _, rec := range resp.Logs {
				if rec.MsgId != "" {
					n++
				}
			}
			if !resp.HasMore || len(resp.Logs) == 0 {
				break
			}
		}
		return checkCount(n, RecordsTotal)
	}
}

// FloorCall sends pages plain POST requests with op's parameters through hc
// and reads each body, without signing or decoding.
func FloorCall(hc *http.Client, endpoint, op string, size, pages int) Call {
	if op == WalkOp {
		op = livempu.ActionListRtcMPUEventSubRecord
	}
	return func(ctx context.Context) error {
		for no := 1; no <= pages; no++ {
			url := fmt.Sprintf("%s/?Action=%s&AppId=%s&PageNo=%d&PageSize=%d", endpoint, op, AppID, no, size)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
			if err != nil {
				return err
			}
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK || len(body) == 0 {
				return fmt.Errorf("floor: status %d, %d bytes", resp.StatusCode, len(body))
			}
		}
		return nil
	}
}

func checkCount(got, want int) error {
	if got != want {
		return fmt.Errorf("decoded %d items, want %d", got, want)
	}
	return nil
}
