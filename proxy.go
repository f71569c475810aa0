package livempu

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
)

// proxyWatch follows one attempt on its way through an HTTP proxy, so that a
// failure before the endpoint was reached is reported as the proxy's. A
// proxy that refuses a CONNECT makes net/http fail with the bare reason
// phrase of its answer ("Forbidden"), which otherwise reads like the
// service's own Forbidden.
type proxyWatch struct {
	proxy  string // the proxy's host:port, never its user info
	target string // the endpoint's host
	// proxyTLS is the number of TLS handshakes made before the CONNECT: one
	// to an https proxy, none to an http one.
	proxyTLS   int32
	tlsStarted atomic.Int32
	tlsDone    atomic.Int32 // successful handshakes
	gotConn    atomic.Bool  // a connection to the endpoint was obtained
}

// watchProxy returns ctx with a trace that follows the attempt when the
// transport of the client sends req through a proxy, and nil otherwise (no
// proxy, or a transport that is not an *http.Transport, whose proxy cannot be
// known). Only a proxied attempt pays for the trace.
func (c *Client) watchProxy(ctx context.Context, req *http.Request) (context.Context, *proxyWatch) {
	rt := c.hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok || t.Proxy == nil {
		return ctx, nil
	}
	p, err := t.Proxy(req)
	if err != nil || p == nil {
		return ctx, nil
	}
	w := &proxyWatch{proxy: p.Host, target: req.URL.Host}
	if p.Scheme == "https" {
		w.proxyTLS = 1
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		TLSHandshakeStart: func() { w.tlsStarted.Add(1) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				w.tlsDone.Add(1)
			}
		},
		GotConn: func(httptrace.GotConnInfo) { w.gotConn.Store(true) },
	}), w
}

// explain names the proxy in an attempt's error when the attempt failed
// before a connection to the endpoint was obtained. Errors that already name
// it (a failed dial, "proxyconnect ...") and context errors are left as they
// are.
func (w *proxyWatch) explain(err error) error {
	if w == nil || err == nil || w.gotConn.Load() {
		return err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	started, done := w.tlsStarted.Load(), w.tlsDone.Load()
	inConnect := started == w.proxyTLS && done == w.proxyTLS
	return &proxyError{proxy: w.proxy, target: w.target, refused: inConnect && !isIOError(err), err: err}
}

// isIOError reports whether err is a failure to talk to the proxy rather
// than an answer from it.
func isIOError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// proxyError is a failure on the way to the endpoint through a proxy.
type proxyError struct {
	proxy, target string
	// refused is set when the proxy answered the CONNECT with a status
	// other than 200; err is then net/http's error, the answer's reason
	// phrase.
	refused bool
	err     error
}

func (e *proxyError) Error() string {
	if e.refused {
		return "proxy " + e.proxy + " refused the tunnel to " + e.target + ": " + e.err.Error()
	}
	return "through proxy " + e.proxy + ": " + e.err.Error()
}

func (e *proxyError) Unwrap() error { return e.err }

// retryable reports whether a refusal may pass, as the same status from the
// service would: 429 and 5xx but 501. A proxy that forbids the endpoint or
// wants credentials (403, 407) answers the same way every time, so it is not
// retried. net/http keeps only the reason phrase of the answer, so the status
// is found from it; an unknown phrase is not retried.
func (e *proxyError) retryable() bool {
	code := statusOfReason(e.err.Error())
	return code == http.StatusTooManyRequests || code >= 500 && code != http.StatusNotImplemented
}

// statusOfReason returns the 4xx or 5xx status whose standard reason phrase
// is reason, or 0.
func statusOfReason(reason string) int {
	for code := 400; code < 600; code++ {
		if text := http.StatusText(code); text != "" && strings.EqualFold(text, reason) {
			return code
		}
	}
	return 0
}
