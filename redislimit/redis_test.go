package redislimit_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The tests need a Redis. They use LIVEMPU_REDIS_ADDR when it is set (.ci/
// services.sh sets it); otherwise they start a private redis-server if one is
// on PATH; otherwise they skip, except under CI (CI=true), where a missing
// Redis fails them.
const redisAddrEnv = "LIVEMPU_REDIS_ADDR"

// sharedRedis is the address of the Redis most tests use, "" when there is
// none; sharedRedisWhy says why there is none.
var (
	sharedRedis    string
	sharedRedisWhy string
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	var private *redisServer
	if addr := os.Getenv(redisAddrEnv); addr != "" {
		if err := ping(addr, 5*time.Second); err != nil {
			fmt.Fprintf(os.Stderr, "redislimit tests: %s=%s does not answer: %v\n", redisAddrEnv, addr, err)
			os.Exit(1)
		}
		sharedRedis = addr
	} else if bin, err := exec.LookPath("redis-server"); err == nil {
		dir, err := os.MkdirTemp("", "redislimit-test-")
		if err == nil {
			private, err = startRedisServer(bin, dir)
		}
		if err != nil {
			sharedRedisWhy = fmt.Sprintf("%s is unset and starting %s failed: %v", redisAddrEnv, bin, err)
		} else {
			sharedRedis = private.addr
		}
	} else {
		sharedRedisWhy = redisAddrEnv + " is unset and redis-server is not on PATH (install Redis or source .ci/services.sh and run start_services)"
	}
	code := m.Run()
	if private != nil {
		private.kill()
		os.RemoveAll(private.dir)
	}
	os.Exit(code)
}

// inCI reports whether the tests run in CI, where they must not skip.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// skipOrFail skips the test, or fails it under CI.
func skipOrFail(t testing.TB, why string) {
	t.Helper()
	if inCI() {
		t.Fatalf("CI=%s: Redis is required: %s", os.Getenv("CI"), why)
	}
	t.Skip(why)
}

// needRedis returns a client of the shared Redis, closed when t ends.
func needRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	if sharedRedis == "" {
		skipOrFail(t, sharedRedisWhy)
	}
	rdb := redis.NewClient(&redis.Options{Addr: sharedRedis})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// needRedisServer returns the path of redis-server, for tests that start
// and stop their own.
func needRedisServer(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		skipOrFail(t, "redis-server is not on PATH")
	}
	return bin
}

// uniquePrefix returns a key prefix no other test run uses, so that a
// shared Redis's leftovers never interfere.
func uniquePrefix(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "livempu-test:" + strings.ReplaceAll(t.Name(), "/", "_") + ":" + hex.EncodeToString(b[:]) + ":"
}

// ping asks addr for PONG until it answers or timeout passes.
func ping(addr string, timeout time.Duration) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer rdb.Close()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// redisServer is a redis-server process a test started.
type redisServer struct {
	bin  string
	dir  string
	port int
	addr string
	conf string   // configuration file, if any
	args []string // extra arguments

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  *bytes.Buffer
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startRedisServer starts redis-server on a free loopback port, without
// persistence, in dir, with extra arguments.
func startRedisServer(bin, dir string, args ...string) (*redisServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &redisServer{bin: bin, dir: dir, port: port, addr: "127.0.0.1:" + strconv.Itoa(port), args: args}
	return s, s.start()
}

// start (re)starts the server on its port.
func (s *redisServer) start() error {
	var args []string
	if s.conf != "" {
		args = append(args, s.conf) // redis-server takes the file first
	}
	args = append(append(args,
		"--bind", "127.0.0.1", "--port", strconv.Itoa(s.port),
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--dir", s.dir),
		s.args...)
	cmd := exec.Command(s.bin, args...)
	log := &bytes.Buffer{}
	cmd.Stdout = log
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done, s.log = cmd, done, log
	s.mu.Unlock()
	if err := ping(s.addr, 10*time.Second); err != nil {
		s.kill()
		return fmt.Errorf("redis-server on %s: %v; output:\n%s", s.addr, err, lastLines(log.String(), 20))
	}
	return nil
}

// kill stops the server abruptly (SIGKILL), as a crash would, and waits for
// it to exit.
func (s *redisServer) kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// newRedisServer starts a private redis-server for t, killed when t ends.
func newRedisServer(t *testing.T, args ...string) *redisServer {
	t.Helper()
	bin := needRedisServer(t)
	s, err := startRedisServer(bin, t.TempDir(), args...)
	if err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	t.Cleanup(s.kill)
	return s
}

// writeFile writes a file under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
