package livetest

import (
	"fmt"
	"time"
)

// Option configures a Server in NewServer.
type Option func(*config)

// config collects what the Options set; an invalid value records err.
type config struct {
	accounts []account
	apps     []string
	genTasks int
	genRecs  int
	genSeed  int64
	generate bool
	now      func() time.Time
	qps      map[string]int
	others   map[string]int
	logLimit int
	err      error
}

func (c *config) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("livetest: "+format, args...)
	}
}

// account is a registered AccessKey.
type account struct {
	id, secret, token string
}

// defaultRequestLogLimit is how many requests Requests keeps by default; see
// WithRequestLogLimit.
const defaultRequestLogLimit = 10000

func defaultConfig() config {
	return config{now: time.Now, logLimit: defaultRequestLogLimit}
}

// WithAccount registers an AccessKey the server accepts. It may be given
// several times; the first one is what Server.Client signs with. When no
// WithAccount is given the server knows one account, DemoAccessKeyID with
// DemoAccessKeySecret and no token. An account registered with a non-empty
// securityToken (an STS key) must send exactly that token.
func WithAccount(accessKeyID, accessKeySecret, securityToken string) Option {
	return func(c *config) {
		switch {
		case accessKeyID == "" || accessKeySecret == "":
			c.fail("WithAccount: the AccessKey ID and secret must not be empty")
			return
		}
		for _, a := range c.accounts {
			if a.id == accessKeyID {
				c.fail("WithAccount: AccessKey ID %q given twice", accessKeyID)
				return
			}
		}
		c.accounts = append(c.accounts, account{accessKeyID, accessKeySecret, securityToken})
	}
}

// WithApps declares applications the server knows besides DemoAppID and
// those of its stored tasks and records: listing an application the server
// does not know is refused with InvalidAppId (HTTP 400), as the service
// refuses an AppId that is not one of the account's applications. Declare
// an application to list it while it has no data. It may be given several
// times; every ID must be a valid AppID.
func WithApps(appIDs ...string) Option {
	return func(c *config) {
		for _, id := range appIDs {
			if !validID(id, maxAppIDLen) {
				c.fail("WithApps: %q is not a valid AppID (1 to %d letters, digits, underscores or hyphens)", id, maxAppIDLen)
				return
			}
		}
		c.apps = append(c.apps, appIDs...)
	}
}

// WithGenerated stores the tasks and records Generate returns for the seed
// and the server clock's time at start, for the application DemoAppID.
func WithGenerated(tasks, records int, seed int64) Option {
	return func(c *config) {
		if tasks < 0 || records < 0 {
			c.fail("WithGenerated(%d, %d): counts must not be negative", tasks, records)
			return
		}
		c.generate, c.genTasks, c.genRecs, c.genSeed = true, tasks, records, seed
	}
}

// WithClock sets the server clock, which judges request timestamps, nonce
// expiry, the seven-day record window and the time stamped on tasks without
// one; Server.Client signs with it too. The default is time.Now. Rate
// limiting and latency always use real time. now must be safe for
// concurrent use; a nil now is ignored.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithQPS sets the per-account limit of an action over a sliding one-second
// window (the documented 100 or 50 by default); 0 disables enforcement.
func WithQPS(action string, n int) Option {
	return func(c *config) {
		if n < 0 {
			c.fail("WithQPS(%q, %d): the limit must not be negative", action, n)
			return
		}
		if c.qps == nil {
			c.qps = make(map[string]int)
		}
		c.qps[action] = n
	}
}

// WithRequestLogLimit bounds how many of the latest requests Requests
// returns (the latest 10,000 by default); n <= 0 keeps every request.
// Stats and MaxWindow count every request whatever the limit.
func WithRequestLogLimit(n int) Option {
	return func(c *config) { c.logLimit = n }
}
