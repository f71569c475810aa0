package pager_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/livempu/livempu-go/pager"
)

// walkTime times one walk of 20 pages whose fetches take 20 ms each.
func walkTime(tb testing.TB, prefetch int) time.Duration {
	f := &fakeAPI{total: 200, size: 10, delay: 20 * time.Millisecond}
	start := time.Now()
	n := 0
	for _, err := range pager.Items(context.Background(), f.fetch, pageItems, pager.WithPrefetch(prefetch)) {
		if err != nil {
			tb.Fatal(err)
		}
		n++
	}
	if n != 200 {
		tb.Fatalf("got %d items", n)
	}
	return time.Since(start)
}

// A loose sanity check; BenchmarkPrefetch gives the figures.
func TestPrefetchSpeed(t *testing.T) {
	seq := walkTime(t, 0)
	if seq < 400*time.Millisecond {
		t.Fatalf("sequential walk took %v, less than 20 pages x 20 ms", seq)
	}
	// The best of three: a machine busy with other work can stall one walk
	// for longer than prefetching saves, never all three.
	pre := walkTime(t, 8)
	for i := 0; i < 2 && pre > seq*7/10; i++ {
		pre = min(pre, walkTime(t, 8))
	}
	t.Logf("sequential %v, prefetch 8 %v", seq, pre)
	if pre > seq*7/10 {
		t.Errorf("prefetch 8 took %v, not under 70%% of sequential %v", pre, seq)
	}
}

func BenchmarkPrefetch(b *testing.B) {
	for _, pf := range []int{0, 1, 2, 4, 8} {
		b.Run(fmt.Sprintf("prefetch=%d", pf), func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				total += walkTime(b, pf)
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/walk")
		})
	}
}

// item is a small struct, as the SDK's records are.
type item struct {
	ID   int64
	Seq  int64
	Kind [16]byte
}

// genPage generates page pageNo of total items on the fly, pageSize at a time.
func genFetch(total, pageSize int) pager.FetchFunc[[]item] {
	return func(_ context.Context, pageNo int) ([]item, bool, error) {
		lo := min((pageNo-1)*pageSize, total)
		hi := min(lo+pageSize, total)
		p := make([]item, hi-lo)
		for i := range p {
			p[i] = item{ID: int64(lo + i), Seq: int64(pageNo)}
		}
		return p, hi < total, nil
	}
}

func identity(p []item) []item { return p }

func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// heapGrowth walks a million items and returns HeapInuse (after a GC)
// measured in the loop body at the last item minus that at item 10,000.
// If retain is set, the loop body keeps every item, to show that the
// measurement would catch a walk that accumulates.
func heapGrowth(tb testing.TB, prefetch int, retain bool) int64 {
	const total = 1_000_000
	var at10k, atEnd uint64
	var kept []item
	n := 0
	for it, err := range pager.Items(context.Background(), genFetch(total, 100), identity, pager.WithPrefetch(prefetch)) {
		if err != nil {
			tb.Fatal(err)
		}
		if it.ID != int64(n) {
			tb.Fatalf("item %d has ID %d", n, it.ID)
		}
		if retain {
			kept = append(kept, it)
		}
		n++
		switch n {
		case 10_000:
			at10k = heapInuse()
		case total:
			atEnd = heapInuse()
		}
	}
	if n != total {
		tb.Fatalf("got %d items", n)
	}
	runtime.KeepAlive(kept)
	return int64(atEnd) - int64(at10k)
}

// The walk holds a bounded number of pages whatever its length.
func TestHeapBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("walks a million items")
	}
	const limit = 4 << 20
	for _, pf := range []int{0, 4} {
		growth := heapGrowth(t, pf, false)
		t.Logf("prefetch=%d: HeapInuse grew %d KiB from item 10,000 to item 1,000,000", pf, growth>>10)
		if growth > limit {
			t.Errorf("prefetch=%d: HeapInuse grew %d bytes during the walk, more than %d", pf, growth, limit)
		}
	}
	// Control: a loop body that keeps the items does show up.
	if growth := heapGrowth(t, 0, true); growth <= limit {
		t.Errorf("control: retaining every item grew HeapInuse by only %d bytes", growth)
	}
}

func BenchmarkMillionItems(b *testing.B) {
	for _, pf := range []int{0, 4} {
		b.Run(fmt.Sprintf("prefetch=%d", pf), func(b *testing.B) {
			var worst int64
			for b.Loop() {
				worst = max(worst, heapGrowth(b, pf, false))
			}
			b.ReportMetric(float64(worst), "heap-growth-B")
		})
	}
}

// BenchmarkItems measures the iterator's own cost per item, over pages that
// are already in memory.
func BenchmarkItems(b *testing.B) {
	pages := make([][]item, 100)
	for i := range pages {
		pages[i] = make([]item, 100)
	}
	fetch := func(_ context.Context, pageNo int) ([]item, bool, error) {
		return pages[pageNo-1], pageNo < len(pages), nil
	}
	for _, pf := range []int{0, 4} {
		b.Run(fmt.Sprintf("prefetch=%d", pf), func(b *testing.B) {
			n := 0
			for b.Loop() {
				for _, err := range pager.Items(context.Background(), fetch, identity, pager.WithPrefetch(pf)) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/item")
		})
	}
}
