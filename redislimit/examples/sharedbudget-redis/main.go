// Command sharedbudget-redis shows a client on the QPS budget that every
// process of one account shares through Redis (package redislimit).
//
// It saturates ListRtcMPUEventSubRecord from several goroutines for a few
// seconds and prints the rate it got. Start it in two or three terminals at
// once: together they stay at about 97 requests per second, each getting its
// share, where per-process limiters would send 97 each.
//
//	go run ./examples/sharedbudget-redis -redis 127.0.0.1:6379
//
// By default it calls an in-process fake of the service (package livetest),
// so it needs only a Redis. With -live it calls the real service with the
// credentials in ALIBABA_CLOUD_ACCESS_KEY_ID and
// ALIBABA_CLOUD_ACCESS_KEY_SECRET for the application given by -app; mind
// that it then spends the account's real budget for -duration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/redislimit"
	"github.com/redis/go-redis/v9"
)

func main() {
	addr := flag.String("redis", envOr("LIVEMPU_REDIS_ADDR", "127.0.0.1:6379"), "Redis address (host:port)")
	live := flag.Bool("live", false, "call the real service instead of the in-process fake")
	app := flag.String("app", livetest.DemoAppID, "application ID to list records of")
	duration := flag.Duration("duration", 5*time.Second, "how long to saturate the client")
	workers := flag.Int("workers", 4, "concurrent callers")
	share := flag.Float64("fail-open", 0.25, "if Redis is down, keep going locally at this share of the budget (0: fail closed)")
	flag.Parse()

	rdb := redis.NewClient(&redis.Options{
		Addr: *addr,
		// A limiter wants to hear of an outage in milliseconds.
		DialTimeout: 500 * time.Millisecond, ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
		MaxRetries: -1, DialerRetries: 1,
	})
	defer rdb.Close()

	endpoint := ""
	keyID, secret := livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret
	if *live {
		keyID, secret = os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"), os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
		if keyID == "" || secret == "" {
			log.Fatal("-live needs ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET")
		}
	} else {
		srv := livetest.NewServer(nil)
		defer srv.Close()
		endpoint = srv.URL()
	}

	failure := redislimit.WithFailClosed()
	if *share > 0 {
		failure = redislimit.WithFailOpen(*share)
	}
	// The one line that moves a client onto the shared budget: limiters for
	// both actions, keyed by a hash of the AccessKey ID.
	opts, err := redislimit.Options(rdb, keyID, failure, redislimit.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err)
	}
	opts = append(opts, livempu.WithStaticCredentials(keyID, secret, ""), livempu.WithMaxRetries(0))
	if endpoint != "" {
		opts = append(opts, livempu.WithEndpoint(endpoint))
	}
	client, err := livempu.NewClient(opts...)
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	now := time.Now()
	req := &livempu.ListRtcMPUEventSubRecordRequest{
		AppID: *app, StartTime: now.Add(-time.Hour), EndTime: now, PageSize: 100, PageNo: 1,
	}
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, err := client.ListRtcMPUEventSubRecord(ctx, req)
				switch {
				case err == nil:
					ok.Add(1)
				case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
					return
				default:
					if failed.Add(1) == 1 {
						log.Printf("first failure: %v", err)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Printf("%d calls in %v: %.1f per second (budget %.0f per second shared by every process of the account); %d failed\n",
		ok.Load(), elapsed.Round(time.Millisecond), float64(ok.Load())/elapsed.Seconds(),
		client.LimiterRate(livempu.ActionListRtcMPUEventSubRecord), failed.Load())
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
