package main

import "github.com/careweave/careweave/tools/internal/benchstat"

// The figures' summaries and formats, shared with the other benchmarks.
type latencySummary = benchstat.Latency

var (
	summarize = benchstat.Summarize
	rate      = benchstat.Rate
	fmtInt    = benchstat.Int
	fmtRate   = benchstat.RateString
	fmtRatio  = benchstat.Ratio
	fmtTimes  = benchstat.Times
	fmtMs     = benchstat.Ms
)
