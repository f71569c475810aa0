package livempu

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/livempu/livempu-go/signer"
)

// Option configures a Client in NewClient.
type Option func(*options)

// options collects what the Option functions set; NewClient checks it.
type options struct {
	creds      signer.CredentialsProvider
	endpoint   endpointOptions
	insecure   bool
	sigVersion signer.Version
	httpClient *http.Client
	maxRetries int
	backoffMin time.Duration
	backoffMax time.Duration
	limiters   map[string]Limiter
	qps        map[string]int
	limitKey   string
	fixedRate  bool
	logger     *slog.Logger
	hooks      []Hook
	userAgent  string
	maxBody    int64
	now        func() time.Time
}

func defaultOptions() options {
	return options{
		sigVersion: signer.V3,
		maxRetries: 3,
		backoffMin: 200 * time.Millisecond,
		backoffMax: 10 * time.Second,
		maxBody:    8 << 20,
		now:        time.Now,
	}
}

// WithStaticCredentials signs with a fixed AccessKey pair; token is the STS
// security token, or "" for a long-term key.
func WithStaticCredentials(accessKeyID, accessKeySecret, securityToken string) Option {
	return func(o *options) {
		o.creds = signer.NewStaticProvider(accessKeyID, accessKeySecret, securityToken)
	}
}

// WithCredentialsProvider signs with credentials from p, retrieved again
// for every attempt so that rotated credentials are picked up. When the
// service rejects the credentials of an attempt (InvalidAccessKeyId.*,
// InvalidSecurityToken.*, SignatureDoesNotMatch), the client passes them to
// p's Invalidate if p is a signer.Invalidator, retrieves again, and retries
// the attempt once, without waiting, if p now gives different credentials.
// The default is signer.NewDefaultChain() (the environment, then Alibaba's
// CLI and SDK profile files), not cached: it reads the environment on every
// attempt and a profile file whenever the file changes.
func WithCredentialsProvider(p signer.CredentialsProvider) Option {
	return func(o *options) { o.creds = p }
}

// WithEndpoint sets the service endpoint, overriding WithRegion and WithVPC
// (a region given with it is still reported to hooks as Operation.Region,
// and need not be in the table, so a region newer than this SDK can be named). A bare
// host such as "live.ap-southeast-1.aliyuncs.com" means HTTPS; a bare word
// with no dot, such as a region ID, is refused (use WithRegion). A plain
// http:// endpoint is refused unless its host is a loopback address or
// WithInsecureHTTP is given, so that signed requests and STS tokens do not
// cross a network in clear by accident. Use it for test servers, proxies
// that terminate TLS, and hosts the published table lacks.
func WithEndpoint(endpoint string) Option {
	return func(o *options) { o.endpoint.url, o.endpoint.urlSet = endpoint, true }
}

// WithRegion selects the endpoint of an API region (a region ID such as
// "ap-southeast-1") from Alibaba's published endpoint table for Live
// 2016-11-01: live.ap-southeast-1.aliyuncs.com for ap-southeast-1,
// live.eu-central-1.aliyuncs.com for eu-central-1, and live.aliyuncs.com
// for cn-shanghai, cn-beijing, cn-qingdao, cn-shenzhen, ap-northeast-1,
// ap-southeast-5 and me-central-1. NewClient fails on an ID not in the
// table, listing the known ones. Hooks see the ID as Operation.Region. The region
// is the API's, where the account's resources are managed; it is not a
// Region value (where an MPU task mixes its streams).
func WithRegion(regionID string) Option {
	return func(o *options) { o.endpoint.region, o.endpoint.regionSet = regionID, true }
}

// WithVPC selects the region's VPC endpoint, reachable only from inside an
// Alibaba Cloud VPC and with no Internet egress: published for cn-shanghai
// (live-vpc.cn-shanghai.aliyuncs.com), ap-southeast-1 and me-central-1.
// NewClient fails when WithRegion is missing or names a region without
// one.
func WithVPC() Option {
	return func(o *options) { o.endpoint.vpc = true }
}

// WithInsecureHTTP allows a plain http:// endpoint on a non-loopback host,
// for example a test server on another machine of a private network.
func WithInsecureHTTP() Option {
	return func(o *options) { o.insecure = true }
}

// WithSignatureVersion selects signer.V3 (ACS3-HMAC-SHA256, the default) or
// signer.V1 (HMAC-SHA1 in the query string).
func WithSignatureVersion(v signer.Version) Option {
	return func(o *options) { o.sigVersion = v }
}

// WithHTTPClient sends every attempt through hc, whose Transport, Timeout
// and other settings are read at call time: httpmock.ActivateNonDefault(hc)
// installed after NewClient still sees the traffic. hc is never modified.
// Its Timeout, if any, applies to each attempt (a timed-out attempt is
// retried). Redirects are never followed, whatever hc.CheckRedirect says: a
// signed request, with its STS token, must not go to another host; a 3xx
// answer is a *ResponseError.
//
// A tracing or logging transport in hc sees each signed request: under
// signature V1 its URL carries the Signature and the STS SecurityToken
// (otelhttp records it as url.full), and under V3 its headers carry them.
// For traces and metrics use the otellivempu module instead
// (livempu.NewClient(otellivempu.Instrument())): one span per operation
// named after the action, attempts as events, and nothing secret, through a
// Hook (see WithHook).
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) { o.httpClient = hc }
}

// WithMaxRetries sets how many times a failed attempt is retried: n retries
// means at most n+1 attempts. The default is 3; 0 disables retrying.
func WithMaxRetries(n int) Option {
	return func(o *options) { o.maxRetries = n }
}

// WithRetryBackoff sets the base and the cap of the exponential backoff
// with full jitter between attempts (defaults 200ms and 10s). A wait the
// service asks for (x-acs-retry-after, Retry-After, or Alibaba's x-ratelimit
// TimeLeft) takes precedence.
func WithRetryBackoff(base, maxWait time.Duration) Option {
	return func(o *options) { o.backoffMin, o.backoffMax = base, maxWait }
}

// WithRateLimiter replaces the client-side limiter of one action; every
// attempt, retries included, waits on it. A nil lim removes client-side
// limiting for that action. If lim is an AdaptiveLimiter it is told every
// answer's throttles and requested waits. By default each action has an
// adaptive limiter for its quota (see WithQPS), shared by every Client of
// the process with the same limit key (see WithLimitKey).
func WithRateLimiter(action string, lim Limiter) Option {
	return func(o *options) {
		if o.limiters == nil {
			o.limiters = make(map[string]Limiter)
		}
		o.limiters[action] = lim
	}
}

// WithQPS sets the account's quota for one action, in requests per second,
// when it was raised in Quota Center (by default the documented 100 for
// ListRtcMPUEventSubRecord and 50 for ListRtcMPUTaskDetail). The default
// limiter then sends at up to qps less one request for the burst and 2% for
// network jitter (195/s for 200), stays shared by the clients of the
// account and stays adaptive. NewClient fails for qps < 1 or an unknown
// action.
func WithQPS(action string, qps int) Option {
	return func(o *options) {
		if o.qps == nil {
			o.qps = make(map[string]int)
		}
		o.qps[action] = qps
	}
}

// WithLimitKey names the budget the default limiters share: every Client of
// the process with the same key (and the same quota) shares one limiter per
// action, whatever its credentials. Use the account ID, or any label, when
// several AccessKeys or RAM users of one account call the service, or when
// STS credentials rotate (each AssumeRole brings a new AccessKey ID). By
// default the budgets are keyed by AccessKey ID and freed after a minute
// unused.
func WithLimitKey(key string) Option {
	return func(o *options) { o.limitKey = key }
}

// WithFixedRate turns adaptation off for this client: its default limiters
// pace at the configured rate (see WithQPS) whatever the service answers,
// except that a wait the service asks for is still honoured. The client
// still shares its budget with the other clients of its limit key, and its
// throttles still lower their rate.
func WithFixedRate() Option {
	return func(o *options) { o.fixedRate = true }
}

// WithLogger logs one line per attempt, once the retry policy has decided
// what follows it: the action, the attempt's number, the outcome (ok,
// throttled, server_error, client_error, network), the duration, the wait
// on the rate limiter, the HTTP status, the service's error code, the request
// id, the error of an attempt that got no well-formed answer, and retry_in,
// the wait before the next attempt. A first attempt that succeeded is logged
// at debug level, any other at info level ("livempu retry" from the second
// attempt on). No secret, signature, URL, query string or header is ever
// logged. It is a Hook (see WithHook) like any other.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithUserAgent appends suffix (for example "myapp/1.2") to the SDK's
// User-Agent.
func WithUserAgent(suffix string) Option {
	return func(o *options) { o.userAgent = suffix }
}

// WithMaxResponseBytes bounds how much of a response body is read (8 MiB by
// default); a larger body is a *ResponseError.
func WithMaxResponseBytes(n int64) Option {
	return func(o *options) { o.maxBody = n }
}

// WithClock sets the clock used for signature timestamps, for tests that
// simulate a skewed local clock.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}
