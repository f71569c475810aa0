package livempu_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

func ExampleWithRegion() {
	client, err := livempu.NewClient(livempu.WithRegion("ap-southeast-1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.Endpoint())

	// Inside an Alibaba Cloud VPC: the region's VPC endpoint.
	client, err = livempu.NewClient(livempu.WithRegion("ap-southeast-1"), livempu.WithVPC())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.Endpoint())

	// Most regions share the central endpoint.
	client, _ = livempu.NewClient(livempu.WithRegion("cn-beijing"))
	fmt.Println(client.Endpoint())
	// Output:
	// https://live.ap-southeast-1.aliyuncs.com/
	// https://live-vpc.ap-southeast-1.aliyuncs.com/
	// https://live.aliyuncs.com/
}

func ExampleWithVPC() {
	// No VPC endpoint is published for cn-beijing: NewClient says so.
	_, err := livempu.NewClient(livempu.WithRegion("cn-beijing"), livempu.WithVPC())
	fmt.Println(err)
	// Output: livempu: WithVPC: no VPC endpoint is published for region cn-beijing (only for ap-southeast-1, cn-shanghai, me-central-1); leave WithVPC out to use live.aliyuncs.com
}

func ExampleClient_CheckCredentials() {
	// An empty chain stands for a machine with no credentials configured.
	client, err := livempu.NewClient(livempu.WithCredentialsProvider(signer.NewChainProvider()))
	if err != nil {
		fmt.Println(err)
		return
	}
	// At start-up: fail now, with the reason, not at the first call.
	if err := client.CheckCredentials(context.Background()); err != nil {
		fmt.Println(errors.Is(err, signer.ErrNoCredentials), err)
	}
	// Output: true livempu: credentials: no credentials found: the chain has no providers
}

// Example_timeouts bounds a whole call with the context and each attempt
// with the *http.Client's Timeout; a timed-out attempt is retried.
func Example_timeouts() {
	srv := exampleServer()
	defer srv.Close()
	srv.SetLatency(livempu.ActionListRtcMPUTaskDetail, 10*time.Second) // an answer that never comes in time

	client := srv.Client(
		livempu.WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}), // per attempt
		livempu.WithMaxRetries(2),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // per call: attempts, backoff and rate limiter waits
	defer cancel()
	_, err := client.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 10, PageNo: 1})
	var opErr *livempu.OperationError
	if errors.As(err, &opErr) {
		fmt.Println("attempts:", opErr.Attempts, "deadline exceeded:", errors.Is(err, context.DeadlineExceeded), "call cancelled:", ctx.Err() != nil)
	}

	// The call's own deadline ends it at once, whatever is left to retry.
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = srv.Client().ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 10, PageNo: 1})
	fmt.Println("deadline exceeded:", errors.Is(err, context.DeadlineExceeded))
	// Output:
	// attempts: 3 deadline exceeded: true call cancelled: false
	// deadline exceeded: true
}

// Example_proxy sends through an HTTP proxy given in a transport. Without
// WithHTTPClient the default transport follows HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY from the environment instead.
func Example_proxy() {
	srv := exampleServer()
	defer srv.Close()
	proxy, proxied := startForwardProxy()
	defer proxy.Close()

	proxyURL, _ := url.Parse(proxy.URL) // e.g. http://proxy.internal:3128
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
	client := srv.Client(livempu.WithHTTPClient(hc))

	page, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 10, PageNo: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(page.MPUTasks), "tasks;", proxied.Load(), "request through the proxy")
	// Output: 3 tasks; 1 request through the proxy
}

// startForwardProxy starts a plain HTTP forward proxy and counts the
// requests it forwards.
func startForwardProxy() (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	forward := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {}} // the request line holds the absolute URL
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		n.Add(1)
		forward.ServeHTTP(w, r)
	})), &n
}

// ExampleWithLogger logs retries at info level (and every attempt at debug
// level) with slog, and, once per episode, when throttling lowers the
// request rate (warn) and when it is back (info); no secret, signature or
// query string is ever logged.
func ExampleWithLogger() {
	srv := exampleServer()
	defer srv.Close()
	srv.Inject(livetest.Fail(400, "Throttling.User"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level:       slog.LevelInfo,
		ReplaceAttr: keepAttrs("level", "msg", "action", "attempt", "outcome", "status", "code"), // drop times, for a stable output
	}))
	client := srv.Client(livempu.WithLogger(logger), livempu.WithRetryBackoff(time.Millisecond, time.Millisecond),
		livempu.WithLimitKey(srv.URL())) // a budget of its own: the example throttles it
	if _, err := client.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "my-app", PageSize: 10, PageNo: 1}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// level=WARN msg="livempu: throttled by the service, lowering the request rate" action=ListRtcMPUTaskDetail
	// level=INFO msg="livempu attempt" action=ListRtcMPUTaskDetail attempt=1 outcome=throttled status=400 code=Throttling.User
	// level=INFO msg="livempu retry" action=ListRtcMPUTaskDetail attempt=2 outcome=ok status=200
}

// keepAttrs returns a slog ReplaceAttr function that keeps only the named
// attributes.
func keepAttrs(keys ...string) func([]string, slog.Attr) slog.Attr {
	return func(_ []string, a slog.Attr) slog.Attr {
		for _, k := range keys {
			if a.Key == k {
				return a
			}
		}
		return slog.Attr{}
	}
}
