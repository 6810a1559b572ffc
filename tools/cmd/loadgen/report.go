package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Percentiles of a latency, in milliseconds.
type Percentiles struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// results is everything a run measured: the JSON file's content.
type results struct {
	Started  time.Time `json:"started"`
	Seed     int64     `json:"seed"`
	Patients int       `json:"patients"`
	Mode     string    `json:"mode"` // "open loop at N/s" or "closed loop, N workers"
	Rate     float64   `json:"targetRate"`
	Workers  int       `json:"workers"`
	Duration float64   `json:"durationSeconds"` // of the measured phase
	Setup    float64   `json:"setupSeconds"`

	Sent     int64 `json:"sent"`
	Accepted int64 `json:"accepted"`
	Failed   int64 `json:"failed"`
	Skipped  int64 `json:"skippedSlots"` // slots with no free patient to act on
	Retried  int64 `json:"retried"`      // requests sent again, with the same Idempotency-Key
	// MachineCPU is every CPU's busy time while commands were sent and
	// followed, LoadgenCPU loadgen's own share of it, in seconds.
	MachineCPU    float64 `json:"machineCpuSeconds"`
	LoadgenCPU    float64 `json:"loadgenCpuSeconds"`
	AcceptedRate  float64 `json:"acceptedPerSecond"`
	AfterWarmRate float64 `json:"acceptedPerSecondAfterWarmup"`

	RoundTrip    Percentiles `json:"commandLatencyMs"`         // HTTP round trip
	FromSchedule Percentiles `json:"commandLatencyFromDueMs"`  // from when the scheduler meant to send it
	EndToEnd     Percentiles `json:"endToEndLatencyMs"`        // answer → entry on the timeline
	E2ESample    float64     `json:"endToEndSampleFraction"`   // of accepted commands with entries
	E2ETimeouts  int         `json:"endToEndNotSeenWithin60s"` //
	E2EDropped   int         `json:"endToEndNotFollowed"`      // samples not followed: over the cap of open feeds, or still waiting 30 s after the last answer
	E2ECapped    int         `json:"endToEndNotFollowedOverFeedCap"`
	// E2EFeeds is how many live feeds were opened (one audited read each),
	// E2EFeedsPeak how many were open at once, E2EReconnects how often one
	// dropped and was resumed (Last-Event-ID).
	E2EFeeds      int `json:"endToEndFeedsOpened"`
	E2EFeedsPeak  int `json:"endToEndFeedsPeak"`
	E2EReconnects int `json:"endToEndFeedReconnects"`

	Commands map[string]*commandStats `json:"commands"`
	Samples  []sample                 `json:"samples"`
	Procs    []procStats              `json:"processes"`
	ProcNote string                   `json:"processNote,omitempty"`
	Verify   verification             `json:"verification"`
	Passed   bool                     `json:"passed"`
}

func writeJSON(path string, r results) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// writeMarkdown prints the results as Markdown tables.
func writeMarkdown(w io.Writer, r results) {
	var b strings.Builder
	fmt.Fprintf(&b, "## loadgen: %s, %s, %d patients, seed %d\n\n", r.Mode, fmtSeconds(r.Duration), r.Patients, r.Seed)
	b.WriteString("| measure | value |\n|---|---|\n")
	row := func(k, format string, args ...any) { fmt.Fprintf(&b, "| %s | %s |\n", k, fmt.Sprintf(format, args...)) }
	row("commands sent / accepted / failed", "%d / %d / %d", r.Sent, r.Accepted, r.Failed)
	row("accepted commands/s (after warm-up)", "%.1f (%.1f)", r.AcceptedRate, r.AfterWarmRate)
	row("command latency, HTTP round trip p50 / p95 / p99 / max", "%s", pct(r.RoundTrip))
	row("command latency from due time (with queueing) p50 / p95 / p99 / max", "%s", pct(r.FromSchedule))
	row("end-to-end latency, answer → on the timeline p50 / p95 / p99 / max", "%s (%d followed: %.0f %% sample, via the timeline's SSE feed, one audited read per followed patient: %d feeds, %d open at most, %d reconnects; %d not seen in 60 s, %d not followed, %d of them over the %d-feed cap)",
		pct(r.EndToEnd), r.EndToEnd.Count, 100*r.E2ESample, r.E2EFeeds, r.E2EFeedsPeak, r.E2EReconnects, r.E2ETimeouts, r.E2EDropped, r.E2ECapped, maxFeeds)
	relay, proj := lagSummary(r.Samples)
	row("relay lag (largest /relayz, once a second while sending) p50 / p95 / max", "%s", relay)
	row("projection lag (query API freshness, once a second while sending) p50 / p95 / max", "%s", proj)
	row("slots skipped (no free patient)", "%d", r.Skipped)
	row("requests retried (no answer or 5xx; same Idempotency-Key)", "%d", r.Retried)
	row("setup (registration, residents; not measured)", "%s", fmtSeconds(r.Setup))
	verdict := "**passed**"
	if !r.Passed {
		verdict = "**FAILED**"
	}
	row("verification", "%s: %d commands, %d entries on %d patients' timelines, %d differences, %d uncertain aggregates left out, waited %s",
		verdict, r.Verify.Commands, r.Verify.Entries, r.Verify.Patients, r.Verify.Total, r.Verify.Uncertain, fmtSeconds(r.Verify.Waited))

	// CPU per accepted command says where the machine's time goes: the
	// window is the sending phase and the followers' wait after it.
	perCmd := func(sec float64) string {
		if r.Accepted == 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f", sec*1000/float64(r.Accepted))
	}
	b.WriteString("\n| process | RSS after warm-up MB | final RSS MB | peak RSS in run MB | VmHWM MB | CPU s | CPU ms / command |\n|---|---|---|---|---|---|---|\n")
	stack := 0.0
	for _, p := range r.Procs {
		if p.Replaced {
			fmt.Fprintf(&b, "| %s | %.1f | — | %.1f | — | killed and restarted in the run: not measured | — |\n", p.Name, p.WarmRSS, p.PeakRSS)
			continue
		}
		stack += p.CPU
		fmt.Fprintf(&b, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %s |\n", p.Name, p.WarmRSS, p.FinalRSS, p.PeakRSS, p.HWM, p.CPU, perCmd(p.CPU))
	}
	other := r.MachineCPU - stack - r.LoadgenCPU
	fmt.Fprintf(&b, "| loadgen itself | | | | | %.1f | %s |\n", r.LoadgenCPU, perCmd(r.LoadgenCPU))
	fmt.Fprintf(&b, "| everything else on the machine | | | | | %.1f | %s |\n", other, perCmd(other))
	fmt.Fprintf(&b, "| the machine (every CPU busy) | | | | | %.1f | %s |\n", r.MachineCPU, perCmd(r.MachineCPU))
	if r.ProcNote != "" {
		fmt.Fprintf(&b, "\n%s\n", r.ProcNote)
	}

	b.WriteString("\n| command | accepted | failed | failed statuses |\n|---|---|---|---|\n")
	names := make([]string, 0, len(r.Commands))
	for n := range r.Commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := r.Commands[n]
		st := ""
		for s, k := range c.Statuses {
			st += fmt.Sprintf("%d×%d ", k, s)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s |\n", n, c.Accepted, c.Failed, strings.TrimSpace(st))
	}
	if len(r.Verify.Differences) > 0 {
		fmt.Fprintf(&b, "\n### verification FAILED: %d differences (first %d)\n\n```\n", r.Verify.Total, len(r.Verify.Differences))
		for _, d := range r.Verify.Differences {
			b.WriteString(d.String() + "\n")
		}
		b.WriteString("```\n")
	}
	_, _ = io.WriteString(w, b.String())
}

func pct(p Percentiles) string {
	if p.Count == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f / %.1f / %.1f / %.1f ms", p.P50, p.P95, p.P99, p.Max)
}

func fmtSeconds(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(100 * time.Millisecond).String()
}

func lagSummary(ss []sample) (relay, projection string) {
	var rl, pl []time.Duration
	for _, s := range ss {
		if s.Draining {
			continue
		}
		rl = append(rl, time.Duration(s.RelayLagMs)*time.Millisecond)
		if s.ProjectionLagMs >= 0 {
			pl = append(pl, time.Duration(s.ProjectionLagMs*float64(time.Millisecond)))
		}
	}
	f := func(ds []time.Duration) string {
		p := percentiles(ds)
		if p.Count == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.0f / %.0f / %.0f ms (%d samples)", p.P50, p.P95, p.Max, p.Count)
	}
	return f(rl), f(pl)
}
