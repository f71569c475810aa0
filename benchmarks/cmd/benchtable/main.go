// Command benchtable benchmarks livempu-go against the official
// alibaba-cloud-sdk-go (services/live) in one process, on the same bytes, and
// prints a Markdown table of the livempu / official ratios.
//
// Every case runs once per round with testing.Benchmark; the contestants of
// a row run back to back, in reverse order every other round, and the table
// shows the median of each measure over the rounds. The saturation run
// follows. From the repository root:
//
//	go run ./benchmarks/cmd/benchtable            # 5 rounds, under 2 minutes
//	go run ./benchmarks/cmd/benchtable -rounds 7  # steadier medians on a busy machine
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livempu/livempu-go/benchmarks"
)

// Targets of issue 7, as ratios livempu / official of the medians.
const (
	targetNs100     = 0.25 // ns/op at 100 items
	targetAllocs100 = 0.25 // allocs/op at 100 items
	targetNs10      = 0.5  // ns/op at 10 items
	targetAllocs10  = 0.5  // allocs/op at 10 items
	targetBytes     = 0.5  // B/op
	targetShare     = 0.95 // share of the limit sustained in saturation
)

func main() {
	testing.Init()
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fatalf("%v", err)
	}
}

// run parses args, measures and writes the tables to out.
func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	rounds := fs.Int("rounds", 5, "alternated rounds; the table shows medians")
	benchtime := fs.String("benchtime", "250ms", "run time of each case in each round (a duration, or Nx for N iterations)")
	groups := fs.String("groups", "client-only,loopback,walk", "comma-separated case groups to run")
	satDur := fs.Duration("saturation", 5*time.Second, "duration of each saturation run (0 skips it)")
	goroutines := fs.Int("goroutines", 50, "callers in the saturation run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rounds < 1 {
		return fmt.Errorf("-rounds must be at least 1")
	}
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		return fmt.Errorf("-benchtime: %w", err)
	}

	start := time.Now()
	rows, err := measure(*rounds, strings.Split(*groups, ","))
	if err != nil {
		return err
	}
	var sat []benchmarks.SaturationResult
	if *satDur > 0 {
		for _, impl := range []benchmarks.Impl{benchmarks.Ours, benchmarks.Official} {
			progress("saturation %s: %d goroutines for %v", impl, *goroutines, *satDur)
			r, err := benchmarks.Saturate(impl, *goroutines, *satDur, nil)
			if err != nil {
				return fmt.Errorf("saturation %s: %w", impl, err)
			}
			sat = append(sat, r)
		}
	}
	progress("done in %v", time.Since(start).Round(time.Second))

	w := bufio.NewWriter(out)
	printTables(w, rows, sat, *rounds, *benchtime)
	return w.Flush()
}

// sample is one testing.Benchmark result.
type sample struct{ ns, bytes, allocs float64 }

// row is the results of the contestants of one comparison, per round.
type row struct {
	cases   []benchmarks.Case
	samples map[benchmarks.Impl][]sample
}

func measure(rounds int, groups []string) ([]*row, error) {
	var rows []*row
	byName := map[string]*row{}
	for _, c := range benchmarks.Cases() {
		if !slices.Contains(groups, c.Group) {
			continue
		}
		r := byName[c.Row()]
		if r == nil {
			r = &row{samples: map[benchmarks.Impl][]sample{}}
			byName[c.Row()] = r
			rows = append(rows, r)
		}
		r.cases = append(r.cases, c)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no case in groups %v", groups)
	}
	for round := range rounds {
		for i, r := range rows {
			progress("round %d/%d, row %d/%d: %s", round+1, rounds, i+1, len(rows), r.cases[0].Row())
			order := slices.Clone(r.cases)
			if round%2 == 1 {
				slices.Reverse(order)
			}
			for _, c := range order {
				res := testing.Benchmark(c.Bench)
				if res.N == 0 {
					return nil, fmt.Errorf("benchmark %s failed (run `go test -run TestCasesRunOnce` in benchmarks/ for the error)", c.Name())
				}
				r.samples[c.Impl] = append(r.samples[c.Impl], sample{
					ns:     float64(res.T.Nanoseconds()) / float64(res.N),
					bytes:  float64(res.MemBytes) / float64(res.N),
					allocs: float64(res.MemAllocs) / float64(res.N),
				})
			}
		}
	}
	return rows, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// stat is the median of one measure, and the per-round values.
func (r *row) stat(impl benchmarks.Impl, f func(sample) float64) (med float64, all []float64) {
	for _, s := range r.samples[impl] {
		all = append(all, f(s))
	}
	return median(all), all
}

func nsOf(s sample) float64     { return s.ns }
func bytesOf(s sample) float64  { return s.bytes }
func allocsOf(s sample) float64 { return s.allocs }

// ratioSpread formats median(ours)/median(official) and the range of the
// per-round ratios.
func ratioSpread(ours, off []float64) string {
	med := median(ours) / median(off)
	lo, hi := med, med
	for i := range min(len(ours), len(off)) {
		q := ours[i] / off[i]
		lo, hi = min(lo, q), max(hi, q)
	}
	return fmt.Sprintf("**%.3f** (%.3f–%.3f)", med, lo, hi)
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func fmtBytes(b float64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.2f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

func fmtAllocs(a float64) string { return fmt.Sprintf("%.0f", a) }

func verdict(name string, ratio, target float64) string {
	word := "PASS"
	if ratio > target {
		word = "FAIL"
	}
	return fmt.Sprintf("%s ≤%.2g %s", name, target, word)
}

func printTables(w io.Writer, rows []*row, sat []benchmarks.SaturationResult, rounds int, benchtime string) {
	fmt.Fprintf(w, "Medians of %d alternated rounds (%s per case per round); ratio = livempu / official, bold, with the range of the per-round ratios in brackets.\n\n", rounds, benchtime)
	group := ""
	for _, r := range rows {
		c0 := r.cases[0]
		if c0.Group != group {
			group = c0.Group
			title, note := groupTitle(group)
			fmt.Fprintf(w, "\n**%s** (%s)\n\n", title, note)
			fmt.Fprintln(w, "| Operation | Items | livempu sig. | ns/op livempu | ns/op official | ns ratio | B/op livempu | B/op official | B ratio | allocs livempu | allocs official | allocs ratio | net/http floor (ns, B, allocs) | Targets |")
			fmt.Fprintln(w, "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|")
		}
		floor := ""
		if _, ok := r.samples[benchmarks.Floor]; ok {
			ns, _ := r.stat(benchmarks.Floor, nsOf)
			b, _ := r.stat(benchmarks.Floor, bytesOf)
			a, _ := r.stat(benchmarks.Floor, allocsOf)
			floor = fmt.Sprintf("%s, %s, %s", fmtNs(ns), fmtBytes(b), fmtAllocs(a))
		}
		for _, impl := range []benchmarks.Impl{benchmarks.Ours, benchmarks.OursV1} {
			if _, ok := r.samples[impl]; !ok {
				continue
			}
			sig := "V3"
			if impl == benchmarks.OursV1 {
				sig = "V1"
			}
			oNs, oNsAll := r.stat(impl, nsOf)
			fNs, fNsAll := r.stat(benchmarks.Official, nsOf)
			oB, oBAll := r.stat(impl, bytesOf)
			fB, fBAll := r.stat(benchmarks.Official, bytesOf)
			oA, oAAll := r.stat(impl, allocsOf)
			fA, fAAll := r.stat(benchmarks.Official, allocsOf)
			targets := "—"
			if c0.Group == benchmarks.ClientOnly {
				tNs, tA := targetNs10, targetAllocs10
				if c0.Size >= 100 {
					tNs, tA = targetNs100, targetAllocs100
				}
				targets = strings.Join([]string{
					verdict("ns", oNs/fNs, tNs),
					verdict("allocs", oA/fA, tA),
					verdict("B", oB/fB, targetBytes),
				}, " · ")
			}
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				opTitle(c0.Op), itemsOf(c0), sig,
				fmtNs(oNs), fmtNs(fNs), ratioSpread(oNsAll, fNsAll),
				fmtBytes(oB), fmtBytes(fB), ratioSpread(oBAll, fBAll),
				fmtAllocs(oA), fmtAllocs(fA), ratioSpread(oAAll, fAAll),
				floor, targets)
		}
	}
	if len(sat) > 0 {
		fmt.Fprintf(w, "\n**Saturation** (loopback server throttling over %d requests in any sliding second with 400 Throttling.User; ListRtcMPUEventSubRecord, %d items)\n\n", benchmarks.SaturationLimit, benchmarks.SaturationSize)
		fmt.Fprintln(w, "| SDK | Goroutines | Duration | Successful calls/s | Share of limit | Throttled responses | Failed calls | Target (0 throttled, ≥95% of limit) |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|---|")
		for _, s := range sat {
			share := s.PerSecond() / benchmarks.SaturationLimit
			target := "—"
			if s.Impl == benchmarks.Ours {
				target = "FAIL"
				if s.Throttled == 0 && share >= targetShare {
					target = "PASS"
				}
			}
			name := "livempu (default limiter, 3 retries)"
			if s.Impl == benchmarks.Official {
				name = "official (no client-side limiter)"
			}
			fmt.Fprintf(w, "| %s | %d | %.1f s | %.1f | %.1f%% | %d | %d | %s |\n",
				name, s.Goroutines, s.Elapsed.Seconds(), s.PerSecond(), 100*share, s.Throttled, s.Failed, target)
		}
	}
	fmt.Fprintf(w, "\nMachine: %s\n", machine())
}

func groupTitle(g string) (title, note string) {
	switch g {
	case benchmarks.ClientOnly:
		return "Client-only", "in-memory http.RoundTripper, no network; the official SDK signs V1 with AutoRetry off; livempu's rate limiter off, retries at their default"
	case benchmarks.Loopback:
		return "Loopback", "local HTTP server in the same process, whose allocations are counted too"
	case benchmarks.Walk:
		return "Walk", "1,000 records, PageSize 100, in memory: livempu's EventSubRecords iterator against the official SDK's hand-written HasMore loop; floor = 10 plain requests"
	}
	return g, ""
}

func opTitle(op string) string {
	if op == benchmarks.WalkOp {
		return "ListRtcMPUEventSubRecord walk"
	}
	return op
}

func itemsOf(c benchmarks.Case) int {
	if c.Group == benchmarks.Walk {
		return benchmarks.RecordsTotal
	}
	return c.Size
}

// machine describes where the table was made.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	official := "?"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/aliyun/alibaba-cloud-sdk-go" {
				official = d.Version
			}
		}
	}
	return fmt.Sprintf("%s, %d logical CPUs (GOMAXPROCS %d), %s/%s, %s; alibaba-cloud-sdk-go %s; %s.",
		cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version(), official,
		time.Now().UTC().Format("2006-01-02"))
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtable: "+format+"\n", args...)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtable: "+format+"\n", args...)
	os.Exit(1)
}
