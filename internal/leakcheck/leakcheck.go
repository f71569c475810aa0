// Package leakcheck reports goroutines that a test started and left running.
//
// It is a small, dependency-free stand-in for go.uber.org/goleak, written for
// this module's tests (the module takes no test-only dependencies it can
// avoid). Call [Check] first thing in a test:
//
//	func TestX(t *testing.T) {
//		leakcheck.Check(t)
//		...
//	}
//
// Check records which goroutines exist when it is called and registers a
// cleanup that, when the test ends, waits for every goroutine started since
// then to exit and fails the test with their stacks if some are still alive
// after a grace period. Goroutines are told apart by their ids, which the Go
// runtime never reuses, so goroutines that existed before the test (other
// tests' leftovers, the test binary's own) are never blamed on it.
//
// Do not use Check in a test that runs in parallel with others (t.Parallel):
// their goroutines would be started during this test and counted against it.
package leakcheck

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Timeout is how long the cleanup registered by [Check] waits for new
// goroutines to exit before it reports them. Goroutines usually need a moment
// after the code that stopped them returns (a sync.WaitGroup is released by a
// deferred Done before the goroutine has fully unwound, a closed
// connection's reader wakes up later), so a check without grace would be
// flaky; two seconds is far beyond that moment and short enough not to hurt.
const Timeout = 2 * time.Second

// Check snapshots the running goroutines and registers a t.Cleanup that
// fails t (with t.Errorf, listing their stacks) if goroutines started after
// the snapshot are still running [Timeout] after the test function returns.
//
// Call it at the start of the test, before anything that starts goroutines,
// so that its cleanup runs last, after cleanups registered later (closing a
// server, cancelling a context) have stopped them. Each ignore string
// excuses any new goroutine whose stack contains it as a substring (for
// example "net/http.(*persistConn)" in a test that deliberately keeps idle
// connections); goroutines created by the testing package and a few
// runtime-owned ones are always excused.
func Check(t testing.TB, ignore ...string) {
	t.Helper()
	check(t, Timeout, ignore)
}

func check(t testing.TB, timeout time.Duration, ignore []string) {
	before := ids(Goroutines())
	t.Cleanup(func() {
		leaked := wait(before, timeout, ignore)
		if len(leaked) == 0 {
			return
		}
		t.Errorf("leakcheck: %d goroutine(s) started during the test still running after %v:\n\n%s",
			len(leaked), timeout, strings.Join(leaked, "\n\n"))
	})
}

// wait polls until no goroutine outside before (and not excused) is running,
// or until timeout has passed, and returns the stacks of those still running.
func wait(before map[int64]bool, timeout time.Duration, ignore []string) []string {
	deadline := time.Now().Add(timeout)
	delay := time.Millisecond
	for {
		leaked := leakedSince(before, ignore)
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(delay)
		delay = min(2*delay, 100*time.Millisecond)
	}
}

func leakedSince(before map[int64]bool, ignore []string) []string {
	var leaked []string
	for _, g := range Goroutines() {
		if id, ok := goroutineID(g); ok && before[id] {
			continue
		}
		if excused(g, ignore) {
			continue
		}
		leaked = append(leaked, g)
	}
	return leaked
}

// excused reports whether stack g belongs to a goroutine that is not a leak:
// one the testing package created to run a test or benchmark, a runtime or
// standard-library service goroutine started on first use, or one the
// caller chose to ignore.
func excused(g string, ignore []string) bool {
	if strings.Contains(g, "\ncreated by testing.") {
		return true
	}
	for _, s := range stdlibServices {
		if strings.Contains(g, s) {
			return true
		}
	}
	for _, s := range ignore {
		if s != "" && strings.Contains(g, s) {
			return true
		}
	}
	return false
}

// stdlibServices are functions of goroutines that the runtime or standard
// library start once, on first use, and keep for the life of the process.
var stdlibServices = []string{
	"\nos/signal.signal_recv(",
	"\nos/signal.loop(",
	"\nruntime.ensureSigM(",
	"\nruntime.ReadTrace(",
	"\nruntime/trace.Start.func1(",
}

// Goroutines returns the stack of every goroutine except the calling one, one
// string per goroutine, each starting with its "goroutine N [state]:" header,
// in the format of runtime.Stack.
func Goroutines() []string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	blocks := bytes.Split(bytes.TrimSpace(buf), []byte("\n\n"))
	// runtime.Stack puts the calling goroutine first.
	out := make([]string, 0, len(blocks))
	for _, b := range blocks[1:] {
		out = append(out, string(b))
	}
	return out
}

func ids(stacks []string) map[int64]bool {
	m := make(map[int64]bool, len(stacks)+1)
	for _, g := range stacks {
		if id, ok := goroutineID(g); ok {
			m[id] = true
		}
	}
	// The goroutine calling Check is excluded from Goroutines but must not
	// be blamed if the cleanup runs on another one.
	if id, ok := goroutineID(currentStack()); ok {
		m[id] = true
	}
	return m
}

func currentStack() string {
	buf := make([]byte, 256)
	return string(buf[:runtime.Stack(buf, false)])
}

// goroutineID parses N from a stack starting "goroutine N [".
func goroutineID(stack string) (int64, bool) {
	rest, ok := strings.CutPrefix(stack, "goroutine ")
	if !ok {
		return 0, false
	}
	i := strings.IndexByte(rest, ' ')
	if i < 0 {
		return 0, false
	}
	id, err := strconv.ParseInt(rest[:i], 10, 64)
	return id, err == nil
}
