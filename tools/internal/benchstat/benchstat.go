// Package benchstat summarises and formats benchmark figures the same way
// across the benchmark commands.
package benchstat

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Latency is the distribution of a set of durations.
type Latency struct {
	Count              int
	P50, P90, P99, Max time.Duration
	Mean               time.Duration
	// Negatives counts durations below zero: for lag, events received
	// before their writer saw the commit return.
	Negatives int
}

// Summarize sorts ds in place and summarises them; percentiles use the
// nearest-rank method.
func Summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	var sum time.Duration
	s := Latency{Count: len(ds), Max: ds[len(ds)-1]}
	for _, d := range ds {
		sum += d
		if d < 0 {
			s.Negatives++
		}
	}
	s.Mean = sum / time.Duration(len(ds))
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(ds)))) - 1
		return ds[max(i, 0)]
	}
	s.P50, s.P90, s.P99 = rank(0.50), rank(0.90), rank(0.99)
	return s
}

// Rate is events per second.
func Rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Int formats n with thousands separators: 12,345.
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// RateString formats a rate rounded to a whole number.
func RateString(r float64) string { return Int(int64(math.Round(r))) }

// Ratio formats ours/base to two decimals, rounded down so it never
// flatters us.
func Ratio(ours, base float64) string {
	if base <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", math.Floor(ours/base*100)/100)
}

// Times formats how many times larger ours is than base, for latencies
// (rounded up, for the same reason).
func Times(ours, base time.Duration) string {
	if base <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f×", math.Ceil(float64(ours)/float64(base)*10)/10)
}

// Ms formats a duration in milliseconds.
func Ms(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10 && ms > -10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.0f ms", ms)
	}
}
