package livempu

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// regionEndpoint is what Alibaba's endpoint page for Live 2016-11-01
// publishes for one region: its public host and, for a few regions, a host
// reachable only from inside an Alibaba Cloud VPC.
type regionEndpoint struct {
	public string
	vpc    string // "" where no VPC endpoint is published
}

// regionEndpoints is the published endpoint table. Alibaba's own SDKs ship
// maps that disagree with it (and with each other); this table follows the
// endpoint page, and WithEndpoint reaches any host it lacks.
var regionEndpoints = map[string]regionEndpoint{
	"cn-shanghai":    {public: "live.aliyuncs.com", vpc: "live-vpc.cn-shanghai.aliyuncs.com"},
	"cn-beijing":     {public: "live.aliyuncs.com"},
	"cn-qingdao":     {public: "live.aliyuncs.com"},
	"cn-shenzhen":    {public: "live.aliyuncs.com"},
	"ap-northeast-1": {public: "live.aliyuncs.com"},
	"ap-southeast-5": {public: "live.aliyuncs.com"},
	"me-central-1":   {public: "live.aliyuncs.com", vpc: "live-vpc.me-central-1.aliyuncs.com"},
	"ap-southeast-1": {public: "live.ap-southeast-1.aliyuncs.com", vpc: "live-vpc.ap-southeast-1.aliyuncs.com"},
	"eu-central-1":   {public: "live.eu-central-1.aliyuncs.com"},
}

// knownRegions lists the region IDs of the table, sorted, for messages.
func knownRegions() string {
	ids := make([]string, 0, len(regionEndpoints))
	for id := range regionEndpoints {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return strings.Join(ids, ", ")
}

// vpcRegions lists the region IDs that have a VPC endpoint, sorted.
func vpcRegions() string {
	var ids []string
	for id, ep := range regionEndpoints {
		if ep.vpc != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, ", ")
}

// endpointOptions are what WithEndpoint, WithRegion and WithVPC set.
type endpointOptions struct {
	url       string
	urlSet    bool // WithEndpoint was given: it overrides region and VPC
	region    string
	regionSet bool
	vpc       bool
}

// resolve picks the endpoint the options describe. WithEndpoint
// wins over everything: the region given with it is only reported (any
// well-formed ID, so that a region newer than the table can be named) and
// WithVPC has no effect. Otherwise WithRegion and WithVPC select a host of
// the table, and with neither the endpoint is DefaultEndpoint.
func (o *endpointOptions) resolve() (string, error) {
	if o.regionSet && !validRegionID(o.region) {
		return "", unknownRegionError(o.region)
	}
	if o.urlSet {
		return o.url, nil
	}
	if !o.regionSet {
		if o.vpc {
			return "", fmt.Errorf("livempu: WithVPC needs WithRegion: VPC endpoints are per region (published for %s)", vpcRegions())
		}
		return DefaultEndpoint, nil
	}
	ep, ok := regionEndpoints[o.region]
	switch {
	case !ok:
		return "", unknownRegionError(o.region)
	case o.vpc && ep.vpc == "":
		return "", fmt.Errorf("livempu: WithVPC: no VPC endpoint is published for region %s (only for %s); leave WithVPC out to use %s",
			o.region, vpcRegions(), ep.public)
	case o.vpc:
		return "https://" + ep.vpc, nil
	}
	return "https://" + ep.public, nil
}

// validRegionID reports whether id has the form of an Alibaba Cloud region
// ID: lower-case words of letters and digits joined by single hyphens.
func validRegionID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, word := range strings.Split(id, "-") {
		if word == "" {
			return false
		}
		for _, r := range word {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

// unknownRegionError lists the known region IDs.
func unknownRegionError(id string) error {
	return fmt.Errorf("livempu: unknown region ID %q given to WithRegion%s; known region IDs: %s (WithEndpoint reaches any other host)",
		id, mixingRegionNote(id), knownRegions())
}

// mixingRegionNote explains, when s is a Region value, that Region names
// where streams are mixed, not an API region.
func mixingRegionNote(s string) string {
	switch Region(s) {
	case RegionCNShanghai, RegionAPSingapore, RegionEMAASaudi:
		return " (livempu.Region values name where streams are mixed, not an API region)"
	}
	return ""
}

// bareWordError refuses an endpoint that is a word, not a host name,
// pointing to WithRegion.
func bareWordError(s string) error {
	word := strings.TrimSpace(s)
	if _, ok := regionEndpoints[word]; ok {
		return fmt.Errorf("livempu: invalid endpoint %q: a region ID, not a host name: give it to WithRegion", s)
	}
	return fmt.Errorf("livempu: invalid endpoint %q: not a host name%s; to choose an API region use WithRegion with its ID (known region IDs: %s), or give a host such as live.ap-southeast-1.aliyuncs.com",
		s, mixingRegionNote(word), knownRegions())
}

// parseEndpoint accepts a URL or a bare host and refuses plain HTTP to a
// non-loopback host unless insecure is set. A bare word that is not a host
// name (no dot, as in "ap-southeast-1" or "AP-Singapore") is refused with a
// pointer to WithRegion: it could only fail later, at DNS.
func parseEndpoint(s string, insecure bool) (*url.URL, error) {
	raw := strings.TrimSpace(s)
	bare := !strings.Contains(raw, "://")
	if bare {
		raw = "https://" + raw
	}
	shown := redactUserInfo(s) // how errors quote s
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without its copy of the URL
		}
		return nil, fmt.Errorf("livempu: invalid endpoint %q: %w", shown, err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("livempu: invalid endpoint %q: scheme must be https or http", shown)
	case u.Host == "":
		return nil, fmt.Errorf("livempu: invalid endpoint %q: no host", shown)
	case bare && !strings.Contains(u.Hostname(), ".") && !isLoopback(u.Hostname()) && net.ParseIP(u.Hostname()) == nil:
		return nil, bareWordError(shown)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("livempu: invalid endpoint %q: must not have user info, query or fragment", shown)
	case u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("livempu: endpoint %q uses plain HTTP to a non-loopback host; use https or WithInsecureHTTP", shown)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// redactUserInfo hides the password of an endpoint's user info ("user:pw@"
// becomes "user:xxxxx@", as url.URL.Redacted writes it), working on the
// text so that it also covers endpoints that do not parse.
func redactUserInfo(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + len("://")
	}
	end := len(s)
	if i := strings.IndexAny(s[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(s[start:end], "@")
	if at < 0 {
		return s
	}
	user, _, hasPassword := strings.Cut(s[start:start+at], ":")
	if !hasPassword {
		return s
	}
	return s[:start] + user + ":xxxxx" + s[start+at:]
}

// isLoopback reports whether host is localhost or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
