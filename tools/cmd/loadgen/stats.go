package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// latencySummary is the distribution of a set of durations.
type latencySummary struct {
	Count              int
	P50, P90, P99, Max time.Duration
	Mean               time.Duration
	// Negatives counts durations below zero: for lag, events received
	// before their writer saw the commit return.
	Negatives int
}

// summarize sorts ds in place and summarises them; percentiles use the
// nearest-rank method.
func summarize(ds []time.Duration) latencySummary {
	if len(ds) == 0 {
		return latencySummary{}
	}
	slices.Sort(ds)
	var sum time.Duration
	s := latencySummary{Count: len(ds), Max: ds[len(ds)-1]}
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

// rate is events per second.
func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// fmtInt formats n with thousands separators: 12,345.
func fmtInt(n int64) string {
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

// fmtRate formats a rate rounded to a whole number.
func fmtRate(r float64) string { return fmtInt(int64(math.Round(r))) }

// fmtRatio formats ours/base to two decimals, rounded down so it never
// flatters us.
func fmtRatio(ours, base float64) string {
	if base <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", math.Floor(ours/base*100)/100)
}

// fmtTimes formats how many times larger ours is than base, for latencies
// (rounded up, for the same reason).
func fmtTimes(ours, base time.Duration) string {
	if base <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f×", math.Ceil(float64(ours)/float64(base)*10)/10)
}

// fmtMs formats a duration in milliseconds.
func fmtMs(d time.Duration) string {
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
