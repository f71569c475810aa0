package hardening_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/acsauth"
	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/pager"
	"github.com/livempu/livempu-go/signer"
)

// The fault matrix and the load test already check every error, response,
// livetest.Request and log line of their scenarios for the secret and the
// token. The tests here add what those scenarios do not produce: every
// public type printed with every verb, the server answers that quote
// credentials back, and the debug log of a whole conversation.

// hygieneServer starts a livetest server whose only account is an STS key
// with the recognisable secret and token, and a client of it that logs at
// debug level into logs.
func hygieneServer(t *testing.T, ver signer.Version, logs *logCapture, opts ...livetest.Option) (*livetest.Server, *livempu.Client) {
	t.Helper()
	srv := livetest.NewServer(t, append([]livetest.Option{livetest.WithAccount(freshKeyID(), hSecret, hToken), livetest.WithGenerated(10, 20, 1)}, opts...)...)
	c := srv.Client(livempu.WithSignatureVersion(ver), livempu.WithLogger(logs.logger()),
		livempu.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUEventSubRecord, nil))
	return srv, c
}

// TestEveryPublicTypePrintsNoSecret prints a value of every public type a
// program may log or wrap into an error, with every verb, as JSON where it
// marshals, and through slog at debug level.
func TestEveryPublicTypePrintsNoSecret(t *testing.T) {
	leakcheck.Check(t)
	for _, ver := range versions {
		t.Run(ver.String(), func(t *testing.T) {
			logs := &logCapture{}
			srv, c := hygieneServer(t, ver, logs)
			ctx := context.Background()
			now := srv.Now()
			values := map[string]any{"client": c}

			// Credentials and their providers.
			creds := signer.Credentials{AccessKeyID: "LTAI5tShown", AccessKeySecret: hSecret, SecurityToken: hToken, Expires: now.Add(time.Hour)}
			static := signer.NewStaticProvider("LTAI5tShown", hSecret, hToken)
			values["credentials"] = creds
			values["*credentials"] = &creds
			values["static provider"] = static
			values["caching provider"] = signer.NewCachingProvider(static)
			values["chain provider"] = signer.NewChainProvider(static)
			values["options"] = []livempu.Option{livempu.WithStaticCredentials("LTAI5tShown", hSecret, hToken)}

			// Requests and responses, and the values inside them.
			taskReq := &livempu.ListRtcMPUTaskDetailRequest{AppID: livetest.DemoAppID, PageSize: 10, PageNo: 1}
			recReq := &livempu.ListRtcMPUEventSubRecordRequest{AppID: livetest.DemoAppID, StartTime: now.Add(-time.Hour * 24 * 6), EndTime: now, PageSize: 10, PageNo: 1}
			tasks, err := c.ListRtcMPUTaskDetail(ctx, taskReq)
			if err != nil || len(tasks.MPUTasks) == 0 {
				t.Fatalf("tasks: %v", err)
			}
			recs, err := c.ListRtcMPUEventSubRecord(ctx, recReq)
			if err != nil || len(recs.Logs) == 0 {
				t.Fatalf("records: %v", err)
			}
			ev, err := recs.Logs[0].Event()
			if err != nil {
				t.Fatal(err)
			}
			values["task request"], values["record request"] = taskReq, recReq
			values["task page"], values["record page"] = tasks, recs
			values["task"], values["record"], values["event"] = tasks.MPUTasks[0], recs.Logs[0], ev

			// Every error type, produced by the client.
			srv.Inject(livetest.Fail(400, "InvalidParam"), 1, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
			_, apiErr := c.ListRtcMPUTaskDetail(ctx, taskReq)
			srv.Inject(livetest.HTML(502), 4, livetest.ForAction(livempu.ActionListRtcMPUTaskDetail))
			_, respErr := c.ListRtcMPUTaskDetail(ctx, taskReq)
			_, valErr := c.ListRtcMPUTaskDetail(ctx, &livempu.ListRtcMPUTaskDetailRequest{AppID: "x" + hSecret + "!"})
			_, valErr2 := c.ListRtcMPUEventSubRecord(ctx, &livempu.ListRtcMPUEventSubRecordRequest{AppID: "a", SubID: hToken + "\n", StartTime: now, EndTime: now, PageSize: 1, PageNo: 1})
			srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 4, livetest.ForAction(livempu.ActionListRtcMPUEventSubRecord))
			var pageErr error
			for _, err := range livempu.EventSubRecords(ctx, c, recReq) {
				if err != nil {
					pageErr = err
					break
				}
			}
			for name, want := range map[string]struct {
				err    error
				target any
			}{
				"APIError":        {apiErr, new(*livempu.APIError)},
				"ResponseError":   {respErr, new(*livempu.ResponseError)},
				"ValidationError": {valErr, new(*livempu.ValidationError)},
				"control char":    {valErr2, new(*livempu.ValidationError)},
				"PageError":       {pageErr, new(*pager.PageError)},
			} {
				if want.err == nil || !errors.As(want.err, want.target) {
					t.Fatalf("%s: got %#v", name, want.err)
				}
				values[name] = want.err
				var opErr *livempu.OperationError
				if errors.As(want.err, &opErr) {
					values["OperationError of "+name] = opErr
					values["cause of "+name] = opErr.Err
				}
			}

			// What livetest reports.
			reqs := srv.Requests()
			if len(reqs) == 0 {
				t.Fatal("no request recorded")
			}
			values["livetest.Request"], values["livetest.Requests"], values["livetest.Stats"] = reqs[0], reqs, srv.Stats()

			logger := logs.logger()
			for name, v := range values {
				noSecret(t, name, formatted(v))
				if b, err := json.Marshal(v); err == nil {
					noSecret(t, name+" as JSON", string(b))
				}
				logger.Debug("value", "name", name, "value", v)
			}
			noSecret(t, "slog output", logs.String())
		})
	}
}

// TestSignatureMismatchHidesTheStringToSign: under V1 the service (and
// livetest) answer SignatureDoesNotMatch with the server's string to sign,
// which holds the request's parameters, the STS token among them. The
// client signs with the recognisable secret, which the server does not
// know for that AccessKey ID.
func TestSignatureMismatchHidesTheStringToSign(t *testing.T) {
	for _, ver := range versions {
		for _, op := range operations {
			t.Run(ver.String()+"/"+op.action, func(t *testing.T) {
				leakcheck.Check(t)
				keyID := freshKeyID()
				srv := livetest.NewServer(t, livetest.WithAccount(keyID, "the-server-knows-another-secret", hToken))
				logs := &logCapture{}
				c := srv.Client(livempu.WithStaticCredentials(keyID, hSecret, hToken), livempu.WithSignatureVersion(ver),
					livempu.WithLogger(logs.logger()), livempu.WithRateLimiter(op.action, nil))
				_, err := safeCall(t, func() (any, error) { return op.call(context.Background(), c, srv.Now()) })
				if !errors.Is(err, livempu.ErrSignatureMismatch) {
					t.Fatalf("error %v, want ErrSignatureMismatch", err)
				}
				noSecret(t, "error", formatted(err))
				var ae *livempu.APIError
				if errors.As(err, &ae) {
					noSecret(t, "APIError", formatted(*ae))
				}
				if ver == signer.V1 && !strings.Contains(err.Error(), "redacted") {
					t.Errorf("the V1 string to sign was not marked redacted: %v", err)
				}
				for _, r := range srv.Requests() {
					noSecret(t, "livetest.Request", formatted(r))
				}
				checkLogs(t, logs.String())
			})
		}
	}
}

// TestEchoingProxyPageHidesCredentials: a proxy or gateway in front of the
// service answers with an error page, or the service with an error message,
// that quotes the request back. Under V1 the URL carries the STS token
// (percent-encoded), under V3 a header does (as is). The token must not
// reach the error, whole or cut short by the 128-character body prefix.
func TestEchoingProxyPageHidesCredentials(t *testing.T) {
	// A token shaped like a real STS token, with characters that
	// percent-encoding changes.
	const stsToken = "CAIS+HardeningEcho/Token==d0n0tprint"
	forms := []string{stsToken, acsauth.PercentEncode(stsToken), url.QueryEscape(stsToken), stsToken[:12], acsauth.PercentEncode(stsToken)[:12]}
	pages := map[string]func(r *http.Request, token string) (status int, contentType, body string){
		"html echo of the URL and header": func(r *http.Request, token string) (int, string, string) {
			return 502, "text/html", "<html><body>502 for " + r.URL.RawQuery + " " + token + " " + r.URL.RequestURI() + "</body></html>"
		},
		"token cut by the prefix limit": func(r *http.Request, token string) (int, string, string) {
			return 502, "text/html", strings.Repeat("x", 110) + token
		},
		"percent-encoded token cut by the prefix limit": func(r *http.Request, token string) (int, string, string) {
			return 502, "text/html", strings.Repeat("x", 113) + acsauth.PercentEncode(token)
		},
		"JSON error message quoting the token": func(r *http.Request, token string) (int, string, string) {
			return 400, "application/json", `{"RequestId":"R","Code":"InvalidSecurityToken.Malformed","Message":"The security token ` + token + ` (` + url.QueryEscape(token) + `) is malformed."}`
		},
	}
	for _, ver := range versions {
		for name, page := range pages {
			t.Run(ver.String()+"/"+name, func(t *testing.T) {
				leakcheck.Check(t)
				keyID := freshKeyID()
				srv := livetest.NewServer(t, livetest.WithAccount(keyID, hSecret, stsToken))
				e := &env{t: t, srv: srv}
				e.front(func(w http.ResponseWriter, r *http.Request) {
					token := r.Header.Get("x-acs-security-token")
					if token == "" {
						token = r.URL.Query().Get("SecurityToken")
					}
					if token != stsToken {
						t.Errorf("the request carries token %q", token)
					}
					status, ct, body := page(r, token)
					w.Header().Set("Content-Type", ct)
					w.WriteHeader(status)
					_, _ = io.WriteString(w, body)
				})
				logs := &logCapture{}
				c := srv.Client(append(e.opts, livempu.WithSignatureVersion(ver), livempu.WithLogger(logs.logger()), livempu.WithMaxRetries(0),
					livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil))...)
				_, err := safeCall(t, func() (any, error) { return operations[0].call(context.Background(), c, srv.Now()) })
				var re *livempu.ResponseError
				var ae *livempu.APIError
				if !errors.As(err, &re) && !errors.As(err, &ae) {
					t.Fatalf("error %v, want a *ResponseError or an *APIError", err)
				}
				out := formatted(err) + logs.String()
				for _, form := range forms {
					if strings.Contains(out, form) {
						t.Errorf("the error or log shows the token (as %q):\n%s", form, out)
					}
				}
				noSecret(t, "error", out)
			})
		}
	}
}

// TestDebugLogOfAConversation logs every attempt of calls with retries,
// successes and errors at debug level and checks that the log says what
// happened but shows no URL, header, signature, secret or token.
func TestDebugLogOfAConversation(t *testing.T) {
	leakcheck.Check(t)
	for _, ver := range versions {
		logs := &logCapture{}
		srv, c := hygieneServer(t, ver, logs)
		ctx := context.Background()
		srv.Inject(livetest.Fail(503, "ServiceUnavailable"), 1, nil)
		srv.Inject(livetest.Cut(), 1, nil)
		srv.Inject(livetest.Fail(400, "Throttling.User"), 1, nil)
		for _, op := range operations {
			for range 3 {
				if _, err := op.call(ctx, c, srv.Now()); err != nil {
					t.Fatalf("%s: %v", op.action, err)
				}
			}
		}
		out := logs.String()
		for _, want := range []string{"livempu attempt", "livempu retry", "status=200", "status=503", "request_id=", "EOF"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: the debug log lacks %q:\n%s", ver, want, out)
			}
		}
		checkLogs(t, out)
		for _, bad := range []string{"AppId=", srv.URL() + "/", "?", "livetest-app", "User-Agent"} {
			if strings.Contains(out, bad) {
				t.Errorf("%v: the debug log shows %q (a URL, query or header):\n%s", ver, bad, out)
			}
		}
	}
}

// TestEchoingPageHidesTheSignature: an error page or message that quotes
// the request back quotes its signature too (V1: the Signature query
// parameter; V3: the Authorization header's Signature= part). A signature
// is a credential for as long as its timestamp is valid, so neither the
// whole value nor a start of it cut short by the body prefix may reach the
// error or the log.
func TestEchoingPageHidesTheSignature(t *testing.T) {
	// echo is what the request carried: V1's "Signature=<encoded>" query
	// part, V3's Authorization header.
	pages := map[string]func(echo string) (status int, contentType, body string){
		"html echo": func(echo string) (int, string, string) {
			return 403, "text/html", "<p>denied: " + echo + "&amp;x</p>"
		},
		"signature cut by the prefix limit": func(echo string) (int, string, string) {
			return 502, "text/html", strings.Repeat("x", 100) + echo[strings.Index(echo, "Signature="):]
		},
		"percent-encoded echo in a JSON message": func(echo string) (int, string, string) {
			return 400, "application/json", `{"RequestId":"R","Code":"IncompleteSignature","Message":"The request ` + url.QueryEscape(echo) + ` is incomplete."}`
		},
	}
	for _, ver := range versions {
		for name, page := range pages {
			t.Run(ver.String()+"/"+name, func(t *testing.T) {
				srv := livetest.NewServer(t, livetest.WithAccount(freshKeyID(), hSecret, hToken))
				e := &env{t: t, srv: srv}
				var signature string // as the request carried it
				shown := true        // would the error show a part of it?
				e.front(func(w http.ResponseWriter, r *http.Request) {
					echo := r.Header.Get("Authorization")
					if echo == "" {
						for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
							if strings.HasPrefix(part, "Signature=") {
								echo = part
							}
						}
					}
					signature = echo[strings.Index(echo, "Signature=")+len("Signature="):]
					status, ct, body := page(echo)
					// A ResponseError quotes the first 128 bytes of the body;
					// an APIError the whole message.
					shown = ct == "application/json" || strings.Index(body, "Signature=")+len("Signature=") < 128
					w.Header().Set("Content-Type", ct)
					w.WriteHeader(status)
					_, _ = io.WriteString(w, body)
				})
				logs := &logCapture{}
				c := srv.Client(append(e.opts, livempu.WithSignatureVersion(ver), livempu.WithLogger(logs.logger()), livempu.WithMaxRetries(0),
					livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil))...)
				_, err := safeCall(t, func() (any, error) { return operations[0].call(context.Background(), c, srv.Now()) })
				if err == nil || len(signature) < 12 {
					t.Fatalf("err %v, signature %q: want an error and a signature", err, signature)
				}
				out := formatted(err) + logs.String()
				for _, form := range []string{signature, url.QueryEscape(signature), signature[:12], url.QueryEscape(signature)[:12]} {
					if strings.Contains(out, form) {
						t.Errorf("the error or log shows the signature (as %q):\n%s", form, out)
					}
				}
				if shown && !strings.Contains(out, "[signature redacted]") {
					t.Errorf("the error does not say what was redacted:\n%s", out)
				}
				noSecret(t, "error", out)
			})
		}
	}
}
