package main

import (
	"strings"
	"testing"
)

// TestRunPrintsTable runs the command with one iteration per case, so that
// it keeps working; the numbers mean nothing.
func TestRunPrintsTable(t *testing.T) {
	var out strings.Builder
	if err := run([]string{"-rounds", "2", "-benchtime", "1x", "-groups", "client-only,walk", "-saturation", "0"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**Client-only**", "| ListRtcMPUTaskDetail | 100 | V3 |", "| ListRtcMPUEventSubRecord | 10 | V1 |", "**Walk**", "ns ≤0.25", "Machine: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
