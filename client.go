// Package livempu is a typed client for the ApsaraVideo Live (2016-11-01)
// mixed-stream relay ("MPU") operations ListRtcMPUTaskDetail and
// ListRtcMPUEventSubRecord.
//
// A Client signs every attempt afresh (signature V3 by default, V1 on
// request), waits on a per-account client-side rate limiter beneath its retry
// loop so that retries spend the same QPS budget, retries only what is safe to
// retry, and decodes the service's string-encoded numbers into Go types.
// Errors match sentinels with errors.Is. Iterators (MPUTasks,
// EventSubRecords) walk every page. The livetest package is an in-process
// fake of the service for tests.
package livempu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/livempu/livempu-go/internal/adapt"
	"github.com/livempu/livempu-go/signer"
)

// Operation names, as sent in x-acs-action or Action.
const (
	// ActionListRtcMPUEventSubRecord lists callback records of a subscription
	// to mixed-stream relay events.
	ActionListRtcMPUEventSubRecord = "ListRtcMPUEventSubRecord"
	// ActionListRtcMPUTaskDetail lists the parameters of mixed-stream relay
	// tasks.
	ActionListRtcMPUTaskDetail = "ListRtcMPUTaskDetail"
)

const (
	// APIVersion is the Live API version both operations belong to.
	APIVersion = "2016-11-01"
	// DefaultEndpoint is the central Live endpoint, used when neither
	// WithRegion nor WithEndpoint is given. Alibaba's endpoint table sends
	// most regions to it, but not ap-southeast-1 or eu-central-1: name the
	// region with WithRegion and the client picks its endpoint.
	DefaultEndpoint = "https://live.aliyuncs.com"
	// SDKVersion is this SDK's version, sent in the User-Agent.
	SDKVersion = "0.1.0"
)

// API is the interface of the two operations, which *Client satisfies. Take
// it in your code so that a test can pass a hand-written fake; the iterators
// (MPUTasks, EventSubRecords) accept it too, so fakes page like the real
// client.
type API interface {
	ListRtcMPUTaskDetail(ctx context.Context, req *ListRtcMPUTaskDetailRequest) (*ListRtcMPUTaskDetailResponse, error)
	ListRtcMPUEventSubRecord(ctx context.Context, req *ListRtcMPUEventSubRecordRequest) (*ListRtcMPUEventSubRecordResponse, error)
}

var _ API = (*Client)(nil)

// Client calls the Live API. It is safe for concurrent use by many
// goroutines; create one per account and share it.
type Client struct {
	endpoint *url.URL
	baseURL  string // endpoint without query, ready for "?" + query
	region   string // WithRegion's ID, "" when not given
	creds    signer.CredentialsProvider
	signer   signer.Signer
	hc       *http.Client
	// maxRetries, backoffMin and backoffMax are the retry options
	// (WithMaxRetries, WithRetryBackoff).
	maxRetries             int
	backoffMin, backoffMax time.Duration
	limiters               map[string]Limiter // per-action overrides; a nil value disables
	// qps is each action's quota (by actionIndex), limitKey the name of
	// the shared budgets ("" for the AccessKey ID), fixedRate the opt-out
	// from adaptation; lastBudget the default limiter each action used last.
	qps        [len(actions)]int
	limitKey   string
	fixedRate  bool
	lastBudget [len(actions)]atomic.Pointer[budget]
	logger     *slog.Logger
	hook       *Hook // the hooks of WithHook and WithLogger joined; nil for none
	userAgent  string
	// userAgentHeader is userAgent as a header value, built once.
	userAgentHeader []string
	maxBody         int64
}

// NewClient returns a Client configured by opts. It fails on an invalid
// endpoint or option; it does not contact the service or read credentials
// (they are retrieved for each attempt).
func NewClient(opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	endpoint, err := o.endpoint.resolve()
	if err != nil {
		return nil, err
	}
	ep, err := parseEndpoint(endpoint, o.insecure)
	if err != nil {
		return nil, err
	}
	c := &Client{
		endpoint:  ep,
		baseURL:   ep.String(),
		region:    o.endpoint.region,
		creds:     o.creds,
		signer:    signer.Signer{Version: o.sigVersion, APIVersion: APIVersion, Now: o.now},
		hc:        o.httpClient,
		limiters:  o.limiters,
		limitKey:  o.limitKey,
		fixedRate: o.fixedRate,
		logger:    o.logger,
		userAgent: userAgent(o.userAgent),
		maxBody:   o.maxBody,

		maxRetries: o.maxRetries,
		backoffMin: o.backoffMin,
		backoffMax: o.backoffMax,
	}
	c.userAgentHeader = []string{c.userAgent}
	hooks := o.hooks
	if o.logger != nil {
		hooks = append(hooks[:len(hooks):len(hooks)], logHook(o.logger, ep.Host))
	}
	c.hook = joinHooks(hooks)
	for i, action := range actions {
		c.qps[i] = adapt.DocumentedQPS(action)
		if n, ok := o.qps[action]; ok {
			c.qps[i] = n
		}
	}
	if c.creds == nil {
		// Not cached: the chain reads the environment every time and a
		// profile file whenever it changes, so rotated credentials are used
		// from the next attempt on.
		c.creds = signer.NewDefaultChain()
	}
	if c.hc == nil {
		c.hc = defaultHTTPClient()
	}
	return c, nil
}

// check rejects option values that cannot work.
func (o *options) check() error {
	switch {
	case !o.sigVersion.Valid():
		return fmt.Errorf("livempu: unknown signature version %d", int(o.sigVersion))
	case o.maxRetries < 0:
		return fmt.Errorf("livempu: WithMaxRetries(%d): must not be negative", o.maxRetries)
	case o.backoffMin <= 0 || o.backoffMax < o.backoffMin:
		return fmt.Errorf("livempu: WithRetryBackoff(%v, %v): need 0 < base <= max", o.backoffMin, o.backoffMax)
	case o.maxBody <= 0:
		return fmt.Errorf("livempu: WithMaxResponseBytes(%d): must be positive", o.maxBody)
	case o.now == nil:
		return errors.New("livempu: WithClock(nil)")
	}
	for action := range o.limiters {
		if actionIndex(action) < 0 {
			return fmt.Errorf("livempu: WithRateLimiter: unknown action %q", action)
		}
	}
	for action, n := range o.qps {
		switch {
		case actionIndex(action) < 0:
			return fmt.Errorf("livempu: WithQPS: unknown action %q", action)
		case n < 1:
			return fmt.Errorf("livempu: WithQPS(%q, %d): the quota must be at least 1", action, n)
		}
	}
	return nil
}

// userAgent names the SDK, its version, Go's version and the platform.
func userAgent(suffix string) string {
	ua := "livempu-go/" + SDKVersion + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if suffix = strings.TrimSpace(suffix); suffix != "" {
		ua += " " + suffix
	}
	return ua
}

// defaultHTTPClient keeps enough idle connections for a full QPS budget of
// concurrent callers (net/http keeps only 2 per host by default).
func defaultHTTPClient() *http.Client {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok { // replaced by httpmock, a tracer, ...: use it as it is
		return &http.Client{}
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

// Endpoint returns the endpoint the client sends to: WithEndpoint's, else
// the one WithRegion and WithVPC selected, else DefaultEndpoint.
func (c *Client) Endpoint() string { return c.baseURL }

// Format describes the client, without credentials, for every verb (%v,
// %s, %#v, ...): fmt.Sprint(client) gives "livempu.Client{endpoint: ...,
// signature: ...}", and no unexported field (credentials included) is ever
// printed.
func (c *Client) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(c.describe())) }

// describe is what Format prints.
func (c *Client) describe() string {
	region := ""
	if c.region != "" {
		region = ", region: " + c.region
	}
	return "livempu.Client{endpoint: " + c.baseURL + region + ", signature: " + c.signer.Version.String() + "}"
}
