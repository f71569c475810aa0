package livempu_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	livempu "github.com/livempu/livempu-go"
)

// publishedEndpoints is Alibaba's endpoint table for Live 2016-11-01
// (shared/production.md), written out independently of the SDK's copy:
// region ID -> public host, VPC host ("" where none is published).
var publishedEndpoints = map[string][2]string{
	"cn-shanghai":    {"live.aliyuncs.com", "live-vpc.cn-shanghai.aliyuncs.com"},
	"cn-beijing":     {"live.aliyuncs.com", ""},
	"cn-qingdao":     {"live.aliyuncs.com", ""},
	"cn-shenzhen":    {"live.aliyuncs.com", ""},
	"ap-northeast-1": {"live.aliyuncs.com", ""},
	"ap-southeast-5": {"live.aliyuncs.com", ""},
	"me-central-1":   {"live.aliyuncs.com", "live-vpc.me-central-1.aliyuncs.com"},
	"ap-southeast-1": {"live.ap-southeast-1.aliyuncs.com", "live-vpc.ap-southeast-1.aliyuncs.com"},
	"eu-central-1":   {"live.eu-central-1.aliyuncs.com", ""},
}

// hostRecorder is a transport that records the host of every request and
// answers with one task, so that a test sees where a client really sends.
type hostRecorder struct {
	mu    sync.Mutex
	hosts []string
}

func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, req.URL.Scheme+"://"+req.URL.Host)
	h.mu.Unlock()
	return &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       http.NoBody,
		Request:    req,
	}, nil
}

func (h *hostRecorder) sent() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hosts)
}

// sendTo makes one call with opts through a recording transport and returns
// the scheme and host it was sent to.
func sendTo(t *testing.T, opts ...livempu.Option) string {
	t.Helper()
	rec := &hostRecorder{}
	base := []livempu.Option{
		livempu.WithStaticCredentials(testKeyID, testSecret, ""),
		livempu.WithHTTPClient(&http.Client{Transport: rec}),
		livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
		livempu.WithMaxRetries(0),
	}
	c, err := livempu.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	_, _ = c.ListRtcMPUTaskDetail(context.Background(), taskReq()) // the empty body is malformed: only the host matters
	hosts := rec.sent()
	if len(hosts) != 1 {
		t.Fatalf("%d requests sent, want 1", len(hosts))
	}
	return hosts[0]
}

// TestWithRegionEveryPublishedEndpoint checks every region of the published
// table, with and without WithVPC: the endpoint reported, the host a call
// is sent to, and the region reported.
func TestWithRegionEveryPublishedEndpoint(t *testing.T) {
	for region, hosts := range publishedEndpoints {
		t.Run(region, func(t *testing.T) {
			c, err := livempu.NewClient(livempu.WithRegion(region))
			if err != nil {
				t.Fatalf("WithRegion(%q): %v", region, err)
			}
			if want := "https://" + hosts[0] + "/"; c.Endpoint() != want {
				t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), want)
			}
			if !strings.Contains(fmt.Sprint(c), "region: "+region) {
				t.Errorf("fmt.Sprint(client) = %q, want region %q", c, region)
			}
			if got := sendTo(t, livempu.WithRegion(region)); got != "https://"+hosts[0] {
				t.Errorf("call sent to %s, want https://%s", got, hosts[0])
			}

			vpc, err := livempu.NewClient(livempu.WithRegion(region), livempu.WithVPC())
			if hosts[1] == "" {
				if err == nil {
					t.Fatalf("WithVPC accepted for %s: endpoint %s", region, vpc.Endpoint())
				}
				for _, want := range []string{region, "no VPC endpoint", "cn-shanghai", "ap-southeast-1", "me-central-1"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("WithVPC error %q lacks %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("WithVPC: %v", err)
			}
			if want := "https://" + hosts[1] + "/"; vpc.Endpoint() != want || !strings.Contains(fmt.Sprint(vpc), "region: "+region) {
				t.Errorf("WithVPC: Endpoint() = %q, String() = %q; want %q, region %q", vpc.Endpoint(), vpc, want, region)
			}
			if got := sendTo(t, livempu.WithVPC(), livempu.WithRegion(region)); got != "https://"+hosts[1] {
				t.Errorf("WithVPC call sent to %s, want https://%s", got, hosts[1])
			}
		})
	}
}

// TestUnknownRegionListsKnownOnes checks that a region ID outside the table
// fails NewClient with the whole table's IDs, and no more, in the message.
func TestUnknownRegionListsKnownOnes(t *testing.T) {
	known := slices.Sorted(func(yield func(string) bool) {
		for id := range publishedEndpoints {
			if !yield(id) {
				return
			}
		}
	})
	for _, id := range []string{"cn-hangzhou", "us-west-1", "", "CN-SHANGHAI", "cn shanghai", "cn--shanghai", string(livempu.RegionAPSingapore)} {
		c, err := livempu.NewClient(livempu.WithRegion(id))
		if err == nil {
			t.Errorf("WithRegion(%q) accepted: %v", id, c)
			continue
		}
		msg := err.Error()
		_, list, ok := strings.Cut(msg, "known region IDs: ")
		if !ok {
			t.Errorf("WithRegion(%q): %q lists no region IDs", id, msg)
			continue
		}
		list, _, _ = strings.Cut(list, " (")
		if got := strings.Split(list, ", "); !slices.Equal(got, known) {
			t.Errorf("WithRegion(%q) lists %q, want %q", id, got, known)
		}
		if !strings.Contains(msg, `"`+id+`"`) {
			t.Errorf("WithRegion(%q): %q does not name the ID given", id, msg)
		}
	}
	_, err := livempu.NewClient(livempu.WithRegion(string(livempu.RegionAPSingapore)))
	if err == nil || !strings.Contains(err.Error(), "where streams are mixed") {
		t.Errorf("WithRegion(RegionAPSingapore): %v, want an explanation of livempu.Region", err)
	}
}

// TestWithVPCNeedsRegion checks that WithVPC alone is an error naming the
// regions that have a VPC endpoint.
func TestWithVPCNeedsRegion(t *testing.T) {
	_, err := livempu.NewClient(livempu.WithVPC())
	if err == nil || !strings.Contains(err.Error(), "WithRegion") || !strings.Contains(err.Error(), "me-central-1") {
		t.Fatalf("WithVPC alone: %v", err)
	}
}

// TestDefaultEndpointHasNoRegion checks the client with neither option.
func TestDefaultEndpointHasNoRegion(t *testing.T) {
	c, err := livempu.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != livempu.DefaultEndpoint+"/" || strings.Contains(fmt.Sprint(c), "region") {
		t.Errorf("Endpoint() = %q, String() = %q", c.Endpoint(), c)
	}
	if got := sendTo(t); got != livempu.DefaultEndpoint {
		t.Errorf("sent to %s", got)
	}
}

// TestWithEndpointOverridesRegion checks the precedence: WithEndpoint wins
// over WithRegion and WithVPC in any order, the region is still reported,
// and any well-formed region ID may then be named.
func TestWithEndpointOverridesRegion(t *testing.T) {
	const proxy = "https://live-proxy.internal.example.com"
	for name, opts := range map[string][]livempu.Option{
		"endpoint first":        {livempu.WithEndpoint(proxy), livempu.WithRegion("ap-southeast-1")},
		"region first":          {livempu.WithRegion("ap-southeast-1"), livempu.WithEndpoint(proxy)},
		"with VPC":              {livempu.WithRegion("ap-southeast-1"), livempu.WithVPC(), livempu.WithEndpoint(proxy)},
		"VPC not published":     {livempu.WithRegion("cn-beijing"), livempu.WithVPC(), livempu.WithEndpoint(proxy)},
		"region not in table":   {livempu.WithEndpoint(proxy), livempu.WithRegion("cn-hangzhou")},
		"VPC without a region":  {livempu.WithVPC(), livempu.WithEndpoint(proxy)},
		"later WithEndpoint":    {livempu.WithEndpoint("https://other.example.com"), livempu.WithRegion("eu-central-1"), livempu.WithEndpoint(proxy)},
		"WithRegion twice":      {livempu.WithRegion("cn-hangzhou"), livempu.WithRegion("eu-central-1"), livempu.WithEndpoint(proxy)},
		"endpoint, VPC, region": {livempu.WithEndpoint(proxy), livempu.WithVPC(), livempu.WithRegion("me-central-1")},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := livempu.NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			if c.Endpoint() != proxy+"/" {
				t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), proxy+"/")
			}
			if got := sendTo(t, opts...); got != proxy {
				t.Errorf("sent to %s, want %s", got, proxy)
			}
		})
	}
	c, err := livempu.NewClient(livempu.WithEndpoint(proxy), livempu.WithRegion("cn-hangzhou"))
	if err != nil || !strings.Contains(fmt.Sprint(c), "region: cn-hangzhou") {
		t.Errorf("region with WithEndpoint: %v, %v", c, err)
	}
	// A malformed ID is still refused: it is a mistake, not a new region.
	if _, err := livempu.NewClient(livempu.WithEndpoint(proxy), livempu.WithRegion("AP-Singapore")); err == nil {
		t.Error(`WithRegion("AP-Singapore") accepted with WithEndpoint`)
	}
}

// TestWithEndpointRefusesBareWords checks that a region ID or a
// livempu.Region value given to WithEndpoint fails NewClient with a pointer
// to WithRegion, instead of failing every call at DNS, while single-label
// hosts stay reachable as URLs.
func TestWithEndpointRefusesBareWords(t *testing.T) {
	for _, in := range []string{string(livempu.RegionAPSingapore), string(livempu.RegionCNShanghai), "ap-southeast-1", "live", " eu-central-1 ", "mock:8443"} {
		c, err := livempu.NewClient(livempu.WithEndpoint(in))
		if err == nil {
			t.Errorf("WithEndpoint(%q) accepted: %v", in, c)
			continue
		}
		want := "known region IDs" // a word: the list to choose from
		if id := strings.TrimSpace(in); publishedEndpoints[id][0] != "" {
			want = "a region ID, not a host name: give it to WithRegion" // the exact fix
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("WithEndpoint(%q): %q lacks %q", in, err, want)
		}
	}
	_, err := livempu.NewClient(livempu.WithEndpoint(string(livempu.RegionAPSingapore)))
	if err == nil || !strings.Contains(err.Error(), "where streams are mixed") {
		t.Errorf("WithEndpoint(RegionAPSingapore): %v, want an explanation of livempu.Region", err)
	}
	for in, want := range map[string]string{
		"https://mock":         "https://mock/",
		"http://livetest:8080": "http://livetest:8080/",
		"localhost:8443":       "https://localhost:8443/",
		"[::1]:8443":           "https://[::1]:8443/",
		"127.0.0.1:8443":       "https://127.0.0.1:8443/",
	} {
		c, err := livempu.NewClient(livempu.WithEndpoint(in), livempu.WithInsecureHTTP())
		if err != nil || c.Endpoint() != want {
			t.Errorf("WithEndpoint(%q): %v, %v; want %s", in, c, err, want)
		}
	}
}

// An endpoint refused for carrying user info, or for anything else, is
// quoted in the error without its password: the error of NewClient (and the
// CLI's usage error built from it) is printed and logged.
func TestInvalidEndpointErrorHidesPassword(t *testing.T) {
	for _, endpoint := range []string{
		"https://deploy:hunter2@live.aliyuncs.com",
		"https://deploy:hunter2@live.aliyuncs.com/%zz",
		"http://deploy:hunter2@10.0.0.1",
		"deploy:hunter2@internal",
		"ftp://deploy:hunter2@live.aliyuncs.com",
	} {
		_, err := livempu.NewClient(livempu.WithEndpoint(endpoint), livempu.WithStaticCredentials(testKeyID, testSecret, ""))
		if err == nil {
			t.Errorf("WithEndpoint(%q) accepted", endpoint)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("WithEndpoint(%q): the error shows the password: %v", endpoint, err)
		}
		if !strings.Contains(err.Error(), "deploy:xxxxx@") {
			t.Errorf("WithEndpoint(%q): the error does not quote the endpoint, redacted: %v", endpoint, err)
		}
	}
}
