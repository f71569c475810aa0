package redislimit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/leakcheck"
	"github.com/livempu/livempu-go/redislimit"
	"github.com/redis/go-redis/v9"
)

const (
	keyA = "LTAI5tRedisLimitAccountA"
	keyB = "LTAI5tRedisLimitAccountB"
)

func TestKey(t *testing.T) {
	ev, task := livempu.ActionListRtcMPUEventSubRecord, livempu.ActionListRtcMPUTaskDetail
	keys := map[string]string{
		"A/ev":   redislimit.Key(redislimit.DefaultKeyPrefix, keyA, ev),
		"A/task": redislimit.Key(redislimit.DefaultKeyPrefix, keyA, task),
		"B/ev":   redislimit.Key(redislimit.DefaultKeyPrefix, keyB, ev),
		"B/task": redislimit.Key(redislimit.DefaultKeyPrefix, keyB, task),
	}
	shape := regexp.MustCompile(`^livempu:(ListRtcMPUEventSubRecord|ListRtcMPUTaskDetail):[0-9a-f]{32}$`)
	seen := map[string]string{}
	for name, k := range keys {
		if !shape.MatchString(k) {
			t.Errorf("%s: key %q does not look like prefix:action:hash", name, k)
		}
		for _, id := range []string{keyA, keyB, "LTAI5t", "RedisLimit"} {
			if strings.Contains(strings.ToLower(k), strings.ToLower(id)) {
				t.Errorf("%s: key %q contains the AccessKey ID in clear (%q)", name, k, id)
			}
		}
		if other, dup := seen[k]; dup {
			t.Errorf("%s and %s share the key %q", name, other, k)
		}
		seen[k] = name
	}
	// Same account and action: same key, whatever process computes it.
	if again := redislimit.Key(redislimit.DefaultKeyPrefix, keyA, ev); again != keys["A/ev"] {
		t.Errorf("key not deterministic: %q then %q", keys["A/ev"], again)
	}
	// The hash covers the whole ID: IDs differing in their last character
	// differ.
	if redislimit.Key("", keyA+"x", ev) == redislimit.Key("", keyA+"y", ev) {
		t.Error("keys of IDs differing in the last character collide")
	}
	if k := redislimit.Key("staging:", keyA, ev); !strings.HasPrefix(k, "staging:"+ev+":") {
		t.Errorf("prefix not honoured: %q", k)
	}

	// A Limiter reports the key as stored, redis_rate's "rate:" included.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never contacted
	defer rdb.Close()
	l, err := redislimit.New(rdb, keyA, ev, redislimit.WithKeyPrefix("p:"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Key(), "rate:"+redislimit.Key("p:", keyA, ev); got != want {
		t.Errorf("Limiter.Key() = %q, want %q", got, want)
	}
}

func TestNewRejects(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never contacted
	defer rdb.Close()
	ev := livempu.ActionListRtcMPUEventSubRecord
	for name, tc := range map[string]struct {
		rdb    redis.UniversalClient
		id     string
		action string
		opts   []redislimit.Option
		want   string
	}{
		"nil client":     {nil, keyA, ev, nil, "nil Redis client"},
		"empty id":       {rdb, "", ev, nil, "empty AccessKey ID"},
		"empty action":   {rdb, keyA, "", nil, "empty action"},
		"unknown action": {rdb, keyA, "DescribeFoo", nil, "unknown action"},
		"zero share":     {rdb, keyA, ev, []redislimit.Option{redislimit.WithFailOpen(0)}, "share"},
		"share above 1":  {rdb, keyA, ev, []redislimit.Option{redislimit.WithFailOpen(1.5)}, "share"},
		"negative rate":  {rdb, keyA, ev, []redislimit.Option{redislimit.WithRate(-1)}, "WithRate"},
		"tiny rate":      {rdb, keyA, ev, []redislimit.Option{redislimit.WithRate(1e-6)}, "WithRate"},
	} {
		_, err := redislimit.New(tc.rdb, tc.id, tc.action, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New error = %v, want one containing %q", name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), keyA) {
			t.Errorf("%s: error shows the AccessKey ID: %v", name, err)
		}
	}
	// An unknown action is fine with an explicit rate.
	if _, err := redislimit.New(rdb, keyA, "DescribeFoo", redislimit.WithRate(5)); err != nil {
		t.Errorf("unknown action with WithRate: %v", err)
	}
	// Options builds both limiters and refuses the per-action WithRate.
	opts, err := redislimit.Options(rdb, keyA)
	if err != nil || len(opts) != 2 {
		t.Errorf("Options = %d options, %v; want 2, nil", len(opts), err)
	}
	if _, err := livempu.NewClient(opts...); err != nil {
		t.Errorf("NewClient(Options...): %v", err)
	}
	if _, err := redislimit.Options(rdb, keyA, redislimit.WithRate(10)); err == nil {
		t.Error("Options accepted WithRate")
	}
	if _, err := redislimit.Options(rdb, ""); err == nil {
		t.Error("Options accepted an empty AccessKey ID")
	}
}

// callCounter counts the commands a Redis client sends.
// callCounter counts the Redis commands of the rate limiter's GCRA, not
// the reads of the adaptive state (a background read at most every 50 ms,
// whose number depends on how long a wait takes, not on how it waits).
type callCounter struct {
	n    atomic.Int64
	mu   sync.Mutex
	seen []string // the commands counted, for the failure message
}

func (c *callCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *callCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.count(cmd)
		return next(ctx, cmd)
	}
}

func (c *callCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.count(cmd)
		}
		return next(ctx, cmds)
	}
}

// reset starts counting again.
func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Store(0)
	c.seen = nil
}

// count counts cmd unless it is about an adaptive-state key.
func (c *callCounter) count(cmd redis.Cmder) {
	for _, arg := range cmd.Args() {
		if s, ok := arg.(string); ok && strings.HasSuffix(s, ":adaptive") {
			return
		}
	}
	c.n.Add(1)
	c.mu.Lock()
	c.seen = append(c.seen, fmt.Sprint(cmd.Args()...))
	c.mu.Unlock()
}

// countingRedis returns a client of the shared Redis whose commands are
// counted.
func countingRedis(t *testing.T) (redis.UniversalClient, *callCounter) {
	rdb := needRedis(t)
	c := &callCounter{}
	rdb.AddHook(c)
	return rdb, c
}

func TestWaitHonoursCancellation(t *testing.T) {
	leakcheck.Check(t)
	rdb, calls := countingRedis(t)
	l, err := redislimit.New(rdb, keyA, livempu.ActionListRtcMPUEventSubRecord,
		redislimit.WithRate(0.1), redislimit.WithKeyPrefix(uniquePrefix(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := l.Wait(ctx); err != nil {
		t.Fatalf("first Wait: %v", err)
	}

	// The next slot is 10 s away. One waiter sleeps on Redis's RetryAfter,
	// another queues behind it; cancelling ends both at once.
	ctx, cancel := context.WithCancel(ctx)
	errs := make(chan error, 2)
	start := time.Now()
	for range 2 {
		go func() { errs <- l.Wait(ctx) }()
	}
	time.Sleep(200 * time.Millisecond)
	before := calls.n.Load()
	cancel()
	for range 2 {
		select {
		case err := <-errs:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Wait after cancel = %v, want context.Canceled", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Wait did not return after its context was cancelled")
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled Waits took %v", d)
	}
	if after := calls.n.Load(); after != before {
		t.Errorf("%d Redis calls after cancellation", after-before)
	}

	// A wait that would outlast the deadline fails at once, as
	// context.DeadlineExceeded.
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start = time.Now()
	err = l.Wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait beyond the deadline = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Wait beyond the deadline took %v, want an immediate failure", d)
	}
	if err != nil && strings.Contains(err.Error(), keyA) {
		t.Errorf("error shows the AccessKey ID: %v", err)
	}
}

func TestWaitDoesNotBusyLoop(t *testing.T) {
	leakcheck.Check(t)
	rdb, calls := countingRedis(t)
	l, err := redislimit.New(rdb, keyA, livempu.ActionListRtcMPUEventSubRecord,
		redislimit.WithRate(2), redislimit.WithKeyPrefix(uniquePrefix(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	// One long wait: asked, told to retry in 500 ms, asked again.
	calls.reset()
	start := time.Now()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	d, n := time.Since(start), calls.n.Load()
	t.Logf("one wait of %v: %d Redis calls", d.Round(time.Millisecond), n)
	if d < 400*time.Millisecond {
		t.Errorf("second Wait at 2/s took only %v", d)
	}
	// EVALSHA denied, EVALSHA allowed (+ EVAL once if the script was
	// flushed); a starved machine that wakes the waiter a little early, or
	// late past a slot another waiter took, adds a round or two. A busy
	// loop would make hundreds.
	if n > 8 {
		t.Errorf("one wait of %v made %d Redis calls: %q", d, n, calls.seen)
	}

	// Eight concurrent waiters for four slots (2 s): they queue in the
	// process, so Redis sees about two calls per slot, not eight.
	calls.reset()
	var wg sync.WaitGroup
	start = time.Now()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Wait(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	d, n = time.Since(start), calls.n.Load()
	t.Logf("4 concurrent waits over %v: %d Redis calls", d.Round(time.Millisecond), n)
	if d < 1800*time.Millisecond {
		t.Errorf("4 slots at 2/s after a used one took only %v", d)
	}
	if n > 4*5 {
		t.Errorf("4 concurrent waits made %d Redis calls; want at most 5 per slot: %q", n, calls.seen)
	}
}

func TestBudgetSharedByLimitersOfOneAccount(t *testing.T) {
	leakcheck.Check(t)
	rdb := needRedis(t)
	prefix := uniquePrefix(t)
	ev, task := livempu.ActionListRtcMPUEventSubRecord, livempu.ActionListRtcMPUTaskDetail
	newL := func(id, action string) *redislimit.Limiter {
		l, err := redislimit.New(rdb, id, action, redislimit.WithRate(5), redislimit.WithKeyPrefix(prefix))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a1, a2 := newL(keyA, ev), newL(keyA, ev) // two processes of account A
	b := newL(keyB, ev)                      // another account
	aTask := newL(keyA, task)                // another action

	ctx := context.Background()
	if err := a1.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	first := time.Now()
	// The other account and the other action have their own budgets.
	start := time.Now()
	for _, l := range []*redislimit.Limiter{b, aTask} {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("other account or action waited %v on account A's budget", d)
	}
	// The same account's other limiter waits for a1's next slot (200 ms
	// after a1's).
	if err := a2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(first); d < 150*time.Millisecond {
		t.Errorf("second limiter of account A waited only %v; budget not shared", d)
	}
	// Nothing in Redis names the account in clear.
	keys, err := rdb.Keys(ctx, "rate:"+prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Errorf("keys = %q, want 3 (A/ev, B/ev, A/task)", keys)
	}
	for _, k := range keys {
		if strings.Contains(k, keyA) || strings.Contains(k, keyB) {
			t.Errorf("Redis key %q contains an AccessKey ID", k)
		}
	}
}

// TestUniversalClients runs a Limiter on the three kinds of client
// redis.NewUniversalClient returns: a single server, Sentinel (a failover
// client) and Cluster (a one-node cluster).
func TestUniversalClients(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, rdb redis.UniversalClient) {
		t.Helper()
		defer rdb.Close()
		l, err := redislimit.New(rdb, keyA, livempu.ActionListRtcMPUTaskDetail,
			redislimit.WithRate(20), redislimit.WithKeyPrefix(uniquePrefix(t)))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for range 5 {
			if err := l.Wait(ctx); err != nil {
				t.Fatalf("%T: Wait: %v", rdb, err)
			}
		}
		// Five slots at 20/s: the first at once, then four 50 ms apart.
		if d := time.Since(start); d < 190*time.Millisecond || d > 2*time.Second {
			t.Errorf("%T: 5 waits at 20/s took %v, want about 200ms", rdb, d)
		}
		if n, err := rdb.Exists(ctx, l.Key()).Result(); err != nil || n != 1 {
			t.Errorf("%T: key %s exists = %d, %v", rdb, l.Key(), n, err)
		}
	}

	t.Run("single", func(t *testing.T) {
		needRedis(t)
		rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{sharedRedis}})
		if _, ok := rdb.(*redis.Client); !ok {
			t.Fatalf("got %T", rdb)
		}
		check(t, rdb)
	})

	t.Run("sentinel", func(t *testing.T) {
		master := newRedisServer(t)
		dir := t.TempDir()
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		conf := writeFile(t, dir, "sentinel.conf",
			"sentinel monitor livempu "+strings.Replace(master.addr, ":", " ", 1)+" 1\n")
		sentinel := &redisServer{bin: master.bin, dir: dir, port: port,
			addr: "127.0.0.1:" + strconv.Itoa(port), conf: conf, args: []string{"--sentinel"}}
		if err := sentinel.start(); err != nil {
			t.Fatalf("starting the sentinel: %v", err)
		}
		t.Cleanup(sentinel.kill)
		rdb := redis.NewUniversalClient(&redis.UniversalOptions{
			Addrs: []string{sentinel.addr}, MasterName: "livempu"})
		if _, ok := rdb.(*redis.Client); !ok { // NewFailoverClient returns a *Client
			t.Fatalf("got %T", rdb)
		}
		check(t, rdb)
	})

	t.Run("cluster", func(t *testing.T) {
		dir := t.TempDir()
		node := newRedisServer(t, "--cluster-enabled", "yes",
			"--cluster-config-file", dir+"/nodes.conf")
		admin := redis.NewClient(&redis.Options{Addr: node.addr})
		defer admin.Close()
		if err := admin.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
			t.Fatalf("CLUSTER ADDSLOTSRANGE: %v", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			info, err := admin.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cluster not ok: %q, %v", info, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		rdb := redis.NewUniversalClient(&redis.UniversalOptions{
			Addrs: []string{node.addr}, IsClusterMode: true})
		if _, ok := rdb.(*redis.ClusterClient); !ok {
			t.Fatalf("got %T", rdb)
		}
		check(t, rdb)
	})
}

// TestFailOpenLocalWaitPastTheDeadline: the local bucket's fail-fast error
// matches context.DeadlineExceeded, as Wait documents.
func TestFailOpenLocalWaitPastTheDeadline(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 50 * time.Millisecond})
	defer rdb.Close()
	lim, err := redislimit.New(rdb, keyA, livempu.ActionListRtcMPUEventSubRecord, redislimit.WithRate(1), redislimit.WithFailOpen(1),
		redislimit.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if err := lim.Wait(context.Background()); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := lim.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want one matching context.DeadlineExceeded", err)
	}
}

// TestFailOpenLogsOncePerOutage: a Redis that answers PING but refuses the
// limiter's script must not make the Limiter log on every probe.
func TestFailOpenLogsOncePerOutage(t *testing.T) {
	admin := needRedis(t)
	user := fmt.Sprintf("noscript%d", time.Now().UnixNano())
	if err := admin.Do(context.Background(), "ACL", "SETUSER", user, "on", ">pw", "~*", "+@all", "-evalsha", "-eval").Err(); err != nil {
		t.Skipf("ACL SETUSER: %v", err)
	}
	t.Cleanup(func() { admin.Do(context.Background(), "ACL", "DELUSER", user) })
	rdb := redis.NewClient(&redis.Options{Addr: sharedRedis, Username: user, Password: "pw"})
	defer rdb.Close()
	var logs logCounter
	lim, err := redislimit.New(rdb, fmt.Sprint(keyA, time.Now().UnixNano()), livempu.ActionListRtcMPUEventSubRecord,
		redislimit.WithFailOpen(1), redislimit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2500 * time.Millisecond) // two probes at one per second
	for time.Now().Before(deadline) {
		if err := lim.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := logs.lines(); n != 1 {
		t.Errorf("%d log lines during one outage, want 1", n)
	}
}

// logCounter counts the lines written to it.
type logCounter struct {
	mu sync.Mutex
	n  int
}

func (l *logCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

func (l *logCounter) lines() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}
