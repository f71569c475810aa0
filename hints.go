package livempu

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers by which the service (or its gateway) speaks about the budget,
// in canonical form so that reading them allocates nothing.
const (
	// headerACSRetryAfter is the wait, in milliseconds, that Alibaba's
	// newer gateway sends with a throttle.
	headerACSRetryAfter = "X-Acs-Retry-After"
	// headerRateLimitAPI and headerRateLimitUser carry
	// "Limit:100,Remain:0,TimeLeft:2000,Reset:1700000000" (TimeLeft in
	// milliseconds) for the action and for the user as a whole.
	headerRateLimitAPI  = "X-Ratelimit-User-Api"
	headerRateLimitUser = "X-Ratelimit-User"
	headerRetryAfter    = "Retry-After"
)

// header returns the first value of a header named in canonical form.
func header(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// feedback reads what an answer says about the action's budget. It reads
// the error code of an error answer from a bounded prefix of its body and
// leaves the body readable.
func feedback(resp *http.Response) Feedback {
	var fb Feedback
	h := resp.Header
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || header(h, headerACSRetryAfter) != "":
		fb.Throttled = true
	case resp.StatusCode >= 400:
		fb.Throttled = sentinelFor(peekCode(resp)) == ErrThrottled
	}
	for _, name := range [...]string{headerRateLimitAPI, headerRateLimitUser} {
		v := header(h, name)
		if v == "" {
			continue
		}
		rl := parseRateLimit(v)
		if rl.limit > 0 && (fb.Limit == 0 || rl.limit < fb.Limit) {
			fb.Limit = rl.limit
		}
		if rl.remain == 0 && rl.timeLeft > fb.Wait {
			fb.Wait = rl.timeLeft
		}
	}
	if fb.Throttled || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := retryAfter(h); ok && d > fb.Wait {
			fb.Wait = d
		}
	}
	return fb
}

// rateLimit is an x-ratelimit-user(-api) header; remain and timeLeft are -1
// when absent.
type rateLimit struct {
	limit, remain int
	timeLeft      time.Duration
}

// parseRateLimit parses "Limit:100,Remain:0,TimeLeft:2000,Reset:1234",
// ignoring what it does not understand.
func parseRateLimit(v string) rateLimit {
	rl := rateLimit{remain: -1, timeLeft: -1}
	for part := range strings.SplitSeq(v, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		if err != nil || n < 0 {
			continue
		}
		switch {
		case strings.EqualFold(name, "Limit"):
			rl.limit = int(min(n, 1<<30))
		case strings.EqualFold(name, "Remain"):
			rl.remain = int(min(n, 1<<30))
		case strings.EqualFold(name, "TimeLeft"):
			rl.timeLeft = time.Duration(min(n, maxServerWait.Milliseconds())) * time.Millisecond
		}
	}
	return rl
}

// retryAfter reads x-acs-retry-after (milliseconds) or Retry-After
// (seconds or an HTTP date), the longer if both, capped at maxServerWait.
func retryAfter(h http.Header) (time.Duration, bool) {
	var wait time.Duration
	found := false
	if v := header(h, headerACSRetryAfter); v != "" {
		if ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && ms >= 0 {
			wait, found = time.Duration(min(ms, maxServerWait.Milliseconds()))*time.Millisecond, true
		}
	}
	if ra := header(h, headerRetryAfter); ra != "" {
		if secs, err := strconv.ParseInt(strings.TrimSpace(ra), 10, 64); err == nil && secs >= 0 {
			// Cap before multiplying: a huge value must not overflow to a
			// negative (immediate) wait.
			wait, found = max(wait, time.Duration(min(secs, int64(maxServerWait/time.Second)))*time.Second), true
		} else if t, err := http.ParseTime(ra); err == nil {
			wait, found = max(wait, time.Until(t)), true
		}
	}
	return min(wait, maxServerWait), found
}

// maxServerWait caps a wait the server asks for (Retry-After, TimeLeft).
const maxServerWait = time.Minute

// serverWait reads the wait a response asks for (x-acs-retry-after,
// Retry-After, or the larger TimeLeft of the x-ratelimit-user(-api)
// headers), capped at maxServerWait.
func serverWait(h http.Header) (time.Duration, bool) {
	wait, found := retryAfter(h)
	for _, name := range [...]string{headerRateLimitAPI, headerRateLimitUser} {
		if d := parseRateLimit(header(h, name)).timeLeft; d > wait {
			wait, found = d, true
		}
	}
	return min(wait, maxServerWait), found
}
