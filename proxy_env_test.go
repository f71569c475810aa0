package livempu_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
)

// Variables the parent test passes to its child process.
const (
	proxyChildEnv  = "LIVEMPU_TEST_PROXY_CHILD" // the endpoint to call
	proxyCACertEnv = "LIVEMPU_TEST_PROXY_CA"    // PEM of the TLS server's certificate
)

// TestDefaultTransportFollowsHTTPSProxy checks that a client built without
// WithHTTPClient sends through the proxy named by HTTPS_PROXY: the endpoint
// host (example.com) is reachable only through a CONNECT tunnel the proxy
// opens to a TLS front of a livetest server. net/http reads the proxy
// variables once per process, so the client runs in a child process.
func TestDefaultTransportFollowsHTTPSProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	srv := livetest.NewServer(t, livetest.WithGenerated(3, 0, 1))
	backend, _ := url.Parse(srv.URL())
	front := httptest.NewTLSServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backend)
		r.Out.Host = r.In.Host // the host the client signed
	}})
	defer front.Close()

	var tunnels atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect || r.Host != "example.com:443" {
			http.Error(w, "want CONNECT example.com:443, got "+r.Method+" "+r.Host, http.StatusBadRequest)
			return
		}
		tunnels.Add(1)
		tunnel(w, front.Listener.Addr().String())
	}))
	defer proxy.Close()

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^TestProxyChild$", "-test.v")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw})
	cmd.Env = append(withoutProxyEnv(), "HTTPS_PROXY="+proxy.URL, proxyChildEnv+"="+srv.URL(), proxyCACertEnv+"="+string(cert))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS: TestProxyChild") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if tunnels.Load() == 0 || len(srv.Requests()) != 1 {
		t.Errorf("%d tunnels, %d requests at the server; want the call through the proxy", tunnels.Load(), len(srv.Requests()))
	}
}

// TestProxyChild is the child process of TestDefaultTransportFollowsHTTPSProxy:
// it trusts the parent's TLS server and calls https://example.com with the
// default transport.
func TestProxyChild(t *testing.T) {
	srvURL := os.Getenv(proxyChildEnv)
	if srvURL == "" {
		t.Skip("run by TestDefaultTransportFollowsHTTPSProxy")
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(os.Getenv(proxyCACertEnv))) {
		t.Fatal("no certificate")
	}
	// Trust the test certificate; everything else stays the default
	// transport's, Proxy (http.ProxyFromEnvironment) included.
	http.DefaultTransport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: roots}
	srv := livetest.NewServer(t) // for its account: the parent's server has the same demo account
	c := srv.Client(livempu.WithEndpoint("https://example.com"))
	page, err := c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1})
	if err != nil || len(page.MPUTasks) != 3 {
		t.Fatalf("call through the proxy: %v, %+v", err, page)
	}
}

// tunnel answers a CONNECT by piping the client's connection to addr.
func tunnel(w http.ResponseWriter, addr string) {
	dst, err := net.Dial("tcp", addr)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	src, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		dst.Close()
		return
	}
	if _, err := src.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		dst.Close()
		src.Close()
		return
	}
	go func() {
		_, _ = rw.Reader.WriteTo(dst) // what the client sent after CONNECT, then the rest
		dst.Close()
	}()
	_, _ = io.Copy(src, dst)
	src.Close()
}

// withoutProxyEnv is the process environment without proxy variables.
func withoutProxyEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "REQUEST_METHOD", proxyChildEnv, proxyCACertEnv:
			continue
		}
		env = append(env, kv)
	}
	return env
}
