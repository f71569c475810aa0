package livempu_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// Regression tests: failures on the way through an HTTP proxy name the
// proxy (issue 12, item 4).

// proxiedClient is a client whose transport sends through the proxy at
// proxyURL to an https endpoint that is never reached.
func proxiedClient(t *testing.T, proxyURL string, retries int) *livempu.Client {
	t.Helper()
	p, err := url.Parse(proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(p)}}
	c, err := livempu.NewClient(
		livempu.WithEndpoint("https://live.example.invalid"),
		livempu.WithStaticCredentials(testKeyID, testSecret, testToken),
		livempu.WithHTTPClient(hc),
		livempu.WithMaxRetries(retries),
		livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A proxy that refuses to open the tunnel is named as the one that refused:
// its 403 is not the service's Forbidden, and is not retried.
func TestProxyRefusingConnect(t *testing.T) {
	tests := []struct {
		status   int
		attempts int32
	}{
		{http.StatusForbidden, 1},
		{http.StatusProxyAuthRequired, 1},
		{http.StatusBadGateway, 3}, // the proxy could not reach the endpoint: may pass
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			var connects atomic.Int32
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodConnect {
					connects.Add(1)
				}
				w.WriteHeader(tc.status)
			}))
			defer proxy.Close()
			c := proxiedClient(t, proxy.URL, 2)
			_, err := c.ListRtcMPUTaskDetail(context.Background(), taskReq())
			checkErr(t, err)
			if err == nil || errors.Is(err, livempu.ErrForbidden) {
				t.Fatalf("err = %v", err)
			}
			msg := err.Error()
			for _, want := range []string{"proxy", strings.TrimPrefix(proxy.URL, "http://"), http.StatusText(tc.status), "live.example.invalid"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q: %s", want, msg)
				}
			}
			if n := connects.Load(); n != tc.attempts {
				t.Errorf("%d CONNECT attempts, want %d", n, tc.attempts)
			}
		})
	}
}

// A proxy that cannot be reached is named too, and retried like any
// connection failure.
func TestProxyUnreachableIsNamed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := proxiedClient(t, "http://"+addr, 1)
	_, err = c.ListRtcMPUTaskDetail(context.Background(), taskReq())
	var oe *livempu.OperationError
	if !errors.As(err, &oe) || oe.Attempts != 2 || !strings.Contains(err.Error(), "proxy") || !strings.Contains(err.Error(), addr) {
		t.Fatalf("err = %v, want a retried connection failure naming the proxy", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) {
		t.Errorf("the network error is no longer reachable with errors.As: %v", err)
	}
}

// tunnelingProxy opens every CONNECT tunnel it is asked for.
func tunnelingProxy(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var connects atomic.Int32
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		connects.Add(1)
		upstream, err := net.Dial("tcp", r.Host)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer upstream.Close()
		w.WriteHeader(http.StatusOK)
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		go func() { _, _ = io.Copy(upstream, rw) }()
		_, _ = io.Copy(conn, upstream)
	}))
	t.Cleanup(p.Close)
	return p, &connects
}

// Through a tunnel that works, an endpoint whose certificate is not trusted
// (a proxy that intercepts TLS, say) is reported with the proxy named and,
// like any certificate error, not retried; a trusted one answers normally.
func TestProxyTunnelCertificateError(t *testing.T) {
	proxy, connects := tunnelingProxy(t)
	endpoint := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, oneTaskBody) }))
	defer endpoint.Close()
	p, _ := url.Parse(proxy.URL)
	for _, trusted := range []bool{false, true} {
		tr := &http.Transport{Proxy: http.ProxyURL(p)}
		if trusted {
			tr.TLSClientConfig = endpoint.Client().Transport.(*http.Transport).TLSClientConfig
		}
		c, err := livempu.NewClient(
			livempu.WithEndpoint(endpoint.URL),
			livempu.WithStaticCredentials(testKeyID, testSecret, testToken),
			livempu.WithHTTPClient(&http.Client{Transport: tr}),
			livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
			livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil))
		if err != nil {
			t.Fatal(err)
		}
		connects.Store(0)
		_, err = c.ListRtcMPUTaskDetail(context.Background(), taskReq())
		switch {
		case trusted && err != nil:
			t.Errorf("trusted endpoint through the proxy: %v", err)
		case !trusted && (err == nil || !strings.Contains(err.Error(), "through proxy "+p.Host) || !strings.Contains(err.Error(), "certificate")):
			t.Errorf("untrusted endpoint: err = %v, want a certificate error naming the proxy", err)
		case !trusted && connects.Load() != 1:
			t.Errorf("untrusted endpoint: %d tunnels, want 1 (a certificate error is not retried)", connects.Load())
		}
	}
}
