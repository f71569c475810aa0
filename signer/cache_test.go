package signer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livempu/livempu-go/internal/leakcheck"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// stsSeq returns credentials "id-N" (N counting calls from 1) that expire
// one hour after the fake clock's time at the call.
func stsSeq(clock *fakeClock, calls *atomic.Int32) CredentialsProviderFunc {
	return func(context.Context) (Credentials, error) {
		n := calls.Add(1)
		return Credentials{AccessKeyID: fmt.Sprintf("id-%d", n), AccessKeySecret: testSecret, SecurityToken: testToken,
			Expires: clock.Now().Add(time.Hour)}, nil
	}
}

func mustRetrieve(t *testing.T, p CredentialsProvider, wantID string) {
	t.Helper()
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != wantID {
		t.Fatalf("got %v, %v; want %s", c, err, wantID)
	}
}

func TestCacheRefreshBeforeExpiry(t *testing.T) {
	tests := []struct {
		name   string
		opts   []CacheOption
		window time.Duration
	}{
		{name: "default window", window: 5 * time.Minute},
		{name: "10 minute window", opts: []CacheOption{WithRefreshWindow(10 * time.Minute)}, window: 10 * time.Minute},
		{name: "zero window", opts: []CacheOption{WithRefreshWindow(0)}, window: 0},
		{name: "negative window is zero", opts: []CacheOption{WithRefreshWindow(-time.Hour)}, window: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: t0}
			var calls atomic.Int32
			p := NewCachingProvider(stsSeq(clock, &calls), append(tt.opts, withClock(clock.Now), withClock(nil))...)
			mustRetrieve(t, p, "id-1")
			refreshAt := t0.Add(time.Hour - tt.window)
			clock.Set(refreshAt.Add(-time.Second))
			mustRetrieve(t, p, "id-1")
			clock.Set(refreshAt)
			mustRetrieve(t, p, "id-2")
			mustRetrieve(t, p, "id-2")
			if calls.Load() != 2 {
				t.Errorf("upstream called %d times, want 2", calls.Load())
			}
		})
	}
}

func TestCacheNoExpiryIsForever(t *testing.T) {
	clock := &fakeClock{now: t0}
	var calls atomic.Int32
	p := NewCachingProvider(CredentialsProviderFunc(func(context.Context) (Credentials, error) {
		n := calls.Add(1)
		return Credentials{AccessKeyID: fmt.Sprintf("id-%d", n), AccessKeySecret: testSecret}, nil
	}), withClock(clock.Now))
	mustRetrieve(t, p, "id-1")
	clock.Set(t0.AddDate(100, 0, 0))
	mustRetrieve(t, p, "id-1")
	// Invalidating other credentials keeps the cached ones.
	p.(Invalidator).Invalidate(Credentials{AccessKeyID: "id-1", AccessKeySecret: "other"})
	p.(Invalidator).Invalidate(Credentials{AccessKeyID: "id-0", AccessKeySecret: testSecret})
	mustRetrieve(t, p, "id-1")
	p.(Invalidator).Invalidate(Credentials{AccessKeyID: "id-1", AccessKeySecret: testSecret})
	mustRetrieve(t, p, "id-2")
	if calls.Load() != 2 {
		t.Errorf("upstream called %d times, want 2", calls.Load())
	}
}

// TestCacheInvalidateBurst is many requests rejected at once, each calling
// Invalidate with the same credentials and then Retrieve: one refresh, not
// one per caller.
func TestCacheInvalidateBurst(t *testing.T) {
	leakcheck.Check(t)
	clock := &fakeClock{now: t0}
	var calls atomic.Int32
	p := NewCachingProvider(stsSeq(clock, &calls), withClock(clock.Now))
	rejected, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.(Invalidator).Invalidate(rejected)
			if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "id-2" {
				t.Errorf("got %v, %v; want id-2", c, err)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 2 {
		t.Errorf("upstream called %d times, want 2 (one refresh for the burst)", calls.Load())
	}
}

// invalidatingProvider records the credentials it is told are rejected.
type invalidatingProvider struct {
	CredentialsProvider
	mu       sync.Mutex
	rejected []Credentials
}

func (p *invalidatingProvider) Invalidate(c Credentials) {
	p.mu.Lock()
	p.rejected = append(p.rejected, c)
	p.mu.Unlock()
}

func TestCacheInvalidatePassesOn(t *testing.T) {
	up := &invalidatingProvider{CredentialsProvider: NewStaticProvider("id", testSecret, testToken)}
	p := NewCachingProvider(up)
	c, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.(Invalidator).Invalidate(c)
	// Passed on even when the cache holds something else: the upstream
	// provider judges for itself.
	p.(Invalidator).Invalidate(Credentials{AccessKeyID: "other"})
	if len(up.rejected) != 2 || !sameKeys(up.rejected[0], c) || up.rejected[1].AccessKeyID != "other" {
		t.Errorf("upstream told %v, want [the cached credentials, other]", up.rejected)
	}
}

func TestCacheSingleFlight(t *testing.T) {
	leakcheck.Check(t)
	var calls atomic.Int32
	release := make(chan struct{})
	p := NewCachingProvider(CredentialsProviderFunc(func(context.Context) (Credentials, error) {
		calls.Add(1)
		<-release
		return Credentials{AccessKeyID: "shared", AccessKeySecret: testSecret, Expires: time.Now().Add(time.Hour)}, nil
	}))
	const n = 50
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			started.Done()
			mustRetrieveNoFatal(t, p, "shared")
		}()
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond) // let the goroutines queue behind the first call
	close(release)
	done.Wait()
	if calls.Load() != 1 {
		t.Errorf("upstream called %d times by %d goroutines, want 1", calls.Load(), n)
	}
}

func mustRetrieveNoFatal(t *testing.T, p CredentialsProvider, wantID string) {
	t.Helper()
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != wantID {
		t.Errorf("got %v, %v; want %s", c, err, wantID)
	}
}

func TestCacheRefreshFailure(t *testing.T) {
	clock := &fakeClock{now: t0}
	upstreamErr := errors.New("sts endpoint down")
	var calls atomic.Int32
	var fail atomic.Bool
	ok := stsSeq(clock, new(atomic.Int32))
	p := NewCachingProvider(CredentialsProviderFunc(func(ctx context.Context) (Credentials, error) {
		calls.Add(1)
		if fail.Load() {
			return Credentials{}, upstreamErr
		}
		return ok(ctx)
	}), withClock(clock.Now))

	mustRetrieve(t, p, "id-1")
	fail.Store(true)

	// Inside the refresh window but not expired: the cached credentials are
	// still returned, and each call tries to refresh again.
	clock.Set(t0.Add(58 * time.Minute))
	mustRetrieve(t, p, "id-1")
	clock.Set(t0.Add(time.Hour - time.Nanosecond))
	mustRetrieve(t, p, "id-1")
	if calls.Load() != 3 {
		t.Errorf("upstream called %d times, want 3", calls.Load())
	}

	// Expired: the error.
	clock.Set(t0.Add(time.Hour))
	_, err := p.Retrieve(context.Background())
	if !errors.Is(err, upstreamErr) || !strings.Contains(err.Error(), "credentials cache: refresh failed: sts endpoint down") {
		t.Errorf("err = %v, want the upstream error", err)
	}
	assertNoLeak(t, err, p)

	// Recovery.
	fail.Store(false)
	mustRetrieve(t, p, "id-2")

	// After Invalidate there is nothing stale to fall back on.
	p.(Invalidator).Invalidate(Credentials{AccessKeyID: "id-2", AccessKeySecret: testSecret, SecurityToken: testToken})
	fail.Store(true)
	if _, err := p.Retrieve(context.Background()); !errors.Is(err, upstreamErr) {
		t.Errorf("err = %v after Invalidate, want the upstream error", err)
	}
}

func TestCacheKeepsErrNoCredentials(t *testing.T) {
	clearCredEnv(t)
	p := NewCachingProvider(NewEnvProvider())
	_, err := p.Retrieve(context.Background())
	if !errors.Is(err, ErrNoCredentials) {
		t.Errorf("err = %v, want ErrNoCredentials", err)
	}
	if got := fmt.Sprintf("%+v", p); got != "cache(env)" {
		t.Errorf("%%+v = %q", got)
	}
}

func TestCacheEmptyCredentials(t *testing.T) {
	p := NewCachingProvider(CredentialsProviderFunc(func(context.Context) (Credentials, error) {
		return Credentials{SecurityToken: testToken}, nil
	}))
	_, err := p.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "without an AccessKey ID and secret") {
		t.Errorf("err = %v", err)
	}
	assertNoLeak(t, err, p)

	if _, err := NewCachingProvider(nil).Retrieve(context.Background()); err == nil {
		t.Error("nil upstream: want an error")
	}
	var nilCache *cachingProvider
	nilCache.Invalidate(Credentials{})
	if _, err := nilCache.Retrieve(context.Background()); err == nil {
		t.Error("nil cache: want an error")
	}
}

// A caller whose context ends while it is making the upstream call gets its
// context's error; a waiter whose context is alive is not failed by it.
func TestCacheLeaderCancelled(t *testing.T) {
	leakcheck.Check(t)
	var calls atomic.Int32
	entered := make(chan struct{})
	p := NewCachingProvider(CredentialsProviderFunc(func(ctx context.Context) (Credentials, error) {
		if calls.Add(1) == 1 {
			close(entered)
			<-ctx.Done()
			return Credentials{}, ctx.Err()
		}
		return Credentials{AccessKeyID: "second", AccessKeySecret: testSecret}, nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := p.Retrieve(ctx)
		leaderErr <- err
	}()
	<-entered
	waiter := make(chan Credentials, 1)
	go func() {
		c, err := p.Retrieve(context.Background())
		if err != nil {
			t.Errorf("waiter: %v", err)
		}
		waiter <- c
	}()
	time.Sleep(20 * time.Millisecond) // let the waiter join the flight
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Errorf("leader err = %v, want context.Canceled", err)
	}
	if c := <-waiter; c.AccessKeyID != "second" {
		t.Errorf("waiter got %v", c)
	}

	// A waiter whose own context ends stops waiting.
	block := make(chan struct{})
	defer close(block)
	entered2 := make(chan struct{})
	p2 := NewCachingProvider(CredentialsProviderFunc(func(ctx context.Context) (Credentials, error) {
		close(entered2)
		<-block
		return Credentials{}, errors.New("late")
	}))
	go func() { _, _ = p2.Retrieve(context.Background()) }()
	<-entered2
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if _, err := p2.Retrieve(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiter err = %v, want DeadlineExceeded", err)
	}
}

// An upstream panic propagates to the caller making the call and does not
// leave the other callers blocked.
func TestCacheUpstreamPanic(t *testing.T) {
	leakcheck.Check(t)
	var calls atomic.Int32
	entered := make(chan struct{})
	release := make(chan struct{})
	p := NewCachingProvider(CredentialsProviderFunc(func(context.Context) (Credentials, error) {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
			panic("upstream bug")
		}
		return Credentials{AccessKeyID: "after", AccessKeySecret: testSecret}, nil
	}))
	recovered := make(chan any, 1)
	go func() {
		defer func() { recovered <- recover() }()
		_, _ = p.Retrieve(context.Background())
	}()
	<-entered
	result := make(chan error, 1)
	go func() {
		_, err := p.Retrieve(context.Background())
		result <- err
	}()
	time.Sleep(20 * time.Millisecond)
	close(release)
	if r := <-recovered; r != "upstream bug" {
		t.Errorf("recovered %v", r)
	}
	select {
	case err := <-result:
		// Either it shared the failed call or it came after and made its own.
		if err != nil && !strings.Contains(err.Error(), "did not return") {
			t.Errorf("waiter err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter still blocked after the upstream panicked")
	}
	mustRetrieve(t, p, "after")
}

func TestCacheConcurrentRefreshRace(t *testing.T) {
	leakcheck.Check(t)
	clock := &fakeClock{now: t0}
	var calls atomic.Int32
	p := NewCachingProvider(stsSeq(clock, &calls), withClock(clock.Now))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				if i == 0 && j%10 == 0 {
					clock.Set(clock.Now().Add(30 * time.Minute))
				}
				c, err := p.Retrieve(context.Background())
				if err != nil {
					t.Error(err)
				}
				if i == 1 && j%25 == 0 {
					p.(Invalidator).Invalidate(c)
				}
			}
		}()
	}
	wg.Wait()
	assertNoLeak(t, nil, p)
}
