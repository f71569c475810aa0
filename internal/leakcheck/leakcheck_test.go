package leakcheck

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTB records what Check does with a testing.TB, so that a failing check
// can be observed without failing the real test.
type fakeTB struct {
	testing.TB // nil; calling an unimplemented method panics
	mu         sync.Mutex
	cleanups   []func()
	errors     []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

// finish runs the registered cleanups as testing does: last in, first out.
func (f *fakeTB) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

//go:noinline
func leakyWorker(started chan<- struct{}, stop <-chan struct{}) {
	close(started)
	<-stop
}

// goLeaky starts leakyWorker and returns once it is running, so that its
// stack names it (before it is first scheduled, a goroutine's stack shows
// only the compiler's wrapper).
func goLeaky(stop <-chan struct{}) {
	started := make(chan struct{})
	go leakyWorker(started, stop)
	<-started
}

func TestDetectsLeak(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)

	ft := &fakeTB{}
	check(ft, 50*time.Millisecond, nil)
	goLeaky(stop)
	start := time.Now()
	ft.finish()

	if len(ft.errors) != 1 {
		t.Fatalf("got %d errors, want 1: %q", len(ft.errors), ft.errors)
	}
	if msg := ft.errors[0]; !strings.Contains(msg, "leakyWorker") || !strings.Contains(msg, "1 goroutine(s)") {
		t.Errorf("report does not name the leaked goroutine:\n%s", msg)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("reported after %v, before the grace period", d)
	}
}

func TestIgnore(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)

	ft := &fakeTB{}
	check(ft, 20*time.Millisecond, []string{"leakcheck.leakyWorker"})
	goLeaky(stop)
	ft.finish()
	if len(ft.errors) != 0 {
		t.Fatalf("ignored goroutine reported: %q", ft.errors)
	}
}

func TestWaitsForSlowExit(t *testing.T) {
	ft := &fakeTB{}
	check(ft, Timeout, nil)
	stop := make(chan struct{})
	goLeaky(stop)
	time.AfterFunc(100*time.Millisecond, func() { close(stop) })
	ft.finish()
	if len(ft.errors) != 0 {
		t.Fatalf("goroutine that exited within the grace period reported: %q", ft.errors)
	}
}

func TestPreexistingGoroutinesNotBlamed(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	goLeaky(stop) // started before the snapshot

	ft := &fakeTB{}
	check(ft, 20*time.Millisecond, nil)
	ft.finish()
	if len(ft.errors) != 0 {
		t.Fatalf("goroutine older than the check reported: %q", ft.errors)
	}
}

func TestCheckClean(t *testing.T) {
	Check(t)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done() }()
	}
	wg.Wait()
	t.Run("subtest", func(t *testing.T) {}) // testing's own goroutines are excused
}

func TestGoroutines(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	goLeaky(stop)

	var found bool
	for _, g := range Goroutines() {
		if !strings.HasPrefix(g, "goroutine ") {
			t.Errorf("stack does not start with a header: %q", g)
		}
		if _, ok := goroutineID(g); !ok {
			t.Errorf("no id in %q", g)
		}
		if strings.Contains(g, "TestGoroutines(") && !strings.Contains(g, "created by") {
			t.Errorf("calling goroutine included:\n%s", g)
		}
		found = found || strings.Contains(g, "leakyWorker")
	}
	if !found {
		t.Errorf("leakyWorker not listed")
	}
}

func TestGoroutineID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		id   int64
		okay bool
	}{
		{"goroutine 17 [running]:\nmain.main()", 17, true},
		{"goroutine 1 [chan receive, 3 minutes]:", 1, true},
		{"goroutine x [running]:", 0, false},
		{"not a stack", 0, false},
	} {
		id, ok := goroutineID(tc.in)
		if id != tc.id || ok != tc.okay {
			t.Errorf("goroutineID(%q) = %d, %v; want %d, %v", tc.in, id, ok, tc.id, tc.okay)
		}
	}
}
