package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"
)

// The targets from the issue.
const (
	appendTargetRatio   = 0.90
	appendTargetWriters = 8
	lagTargetP99        = 50 * time.Millisecond
	lagTargetRate       = 2000
	// sustainedShare is how much of the target rate counts as sustained.
	sustainedShare = 0.98
	// noisyOther flags a run during which other processes used this much
	// CPU (in cores).
	noisyOther = 0.25
)

// makeBench is what `make bench` runs.
const makeBench = "go run ./tools/cmd/testenv -durable -- go run ./tools/cmd/writebench"

// report writes the results as Markdown, section by section. The first
// write error is kept in err and stops further output.
type report struct {
	w   io.Writer
	cfg Config
	err error
}

func (r *report) printf(format string, args ...any) {
	if r.err != nil {
		return
	}
	_, r.err = fmt.Fprintf(r.w, format, args...)
}

func (r *report) header(f facts) {
	r.printf("# Careweave benchmark results\n\n")
	r.printf("Measured %s with `%s`; `make bench` runs `%s`.\n\n", f.started.UTC().Format("2006-01-02 15:04 MST"), r.cfg.Command, makeBench)
	if r.cfg.Quick {
		r.printf("**Quick run**: a smoke test with short durations; its figures are not benchmark results.\n\n")
	}
	if !f.durable() {
		r.printf("**WARNING: PostgreSQL is not durable here (fsync or synchronous_commit is off); these figures overstate what a durable commit costs.**\n\n")
	}
	r.printf("## Machine\n\n| | |\n|---|---|\n")
	r.printf("| CPU | %d CPUs (nproc), GOMAXPROCS %d; %s |\n", f.cpus, f.gomaxprocs, f.cpuModel)
	r.printf("| Memory | %s |\n", f.memory)
	r.printf("| Kernel | Linux %s |\n", f.kernel)
	r.printf("| Go | %s |\n", f.goVersion)
	r.printf("| PostgreSQL | %s |\n", f.pgVersion)
	settings := make([]string, len(f.pgSettings))
	for i, kv := range f.pgSettings {
		settings[i] = kv[0] + "=" + kv[1]
	}
	r.printf("| PostgreSQL settings | %s |\n", strings.Join(settings, ", "))
	if f.pgDataFS != "" {
		r.printf("| PostgreSQL data | %s |\n", f.pgDataFS)
	}
	r.printf("| Disk | %s |\n", f.fsyncProbe)
	r.printf("| NATS | nats-server %s, %s; streams: file storage, 1 replica, default sync interval (fsync every 2 min) |\n", f.natsVersion, f.natsOrigin)
	r.printf("| Event | `%s`: %d B of data, %d B encoded envelope |\n\n", f.eventType, f.dataBytes, f.envelBytes)
}

func (r *report) appendSection(res []appendResult) {
	r.printf("## 1. Append throughput\n\n")
	r.printf("Each case appends for %v through `eventstore.Append` (ours) and, in the same run, with bare `INSERT`s of the same rows, "+
		"envelopes pre-encoded, into a table created `LIKE` the event table `INCLUDING ALL` (baseline): single-row `INSERT ... VALUES` "+
		"for 1 event per transaction, one `INSERT ... SELECT FROM unnest(...)` for a batch. Each writer cycles through %d streams of its own "+
		"and tracks their versions, so nothing conflicts. Every case starts in fresh tables after a `CHECKPOINT`; which side runs first "+
		"alternates from one measurement to the next. Ratio = ours / baseline, rounded down.\n\n", r.cfg.AppendDuration, r.cfg.StreamsPerWriter)
	repeated := r.cfg.Repeat > 1
	if repeated {
		r.printf("Each case was measured %d times both ways, each time in fresh tables. A pair during which other processes used "+
			"%.2f cores or more is noisy and left out unless every pair was; the table gives the median rates of the pairs used, "+
			"their ratio, and the lowest and highest ratio of a single pair used.\n\n", r.cfg.Repeat, noisyOther)
		r.printf("| case | ours ev/s | baseline ev/s | ratio | pair ratios | clean pairs |\n|---|--:|--:|--:|--:|--:|\n")
	} else {
		r.printf("A ratio marked * comes from a run during which other processes used %.2f cores or more: rerun, or use -repeat.\n\n", noisyOther)
		r.printf("| case | ours ev/s | baseline ev/s | ratio |\n|---|--:|--:|--:|\n")
	}
	for _, a := range res {
		mark := ""
		if a.noisy() {
			mark = "*"
		}
		r.printf("| %s | %s | %s | %s%s |", a.c, fmtRate(a.oursRate()), fmtRate(a.baseRate()), fmtRatio(a.oursRate(), a.baseRate()), mark)
		if repeated {
			lo, hi := a.ratioRange()
			clean := 0
			for _, p := range a.pairs {
				if !p.noisy() {
					clean++
				}
			}
			r.printf(" %s–%s | %d of %d |", fmtRatio(lo, 1), fmtRatio(hi, 1), clean, len(a.pairs))
		}
		r.printf("\n")
	}
	which := ""
	if repeated {
		which = " (for the pair with the median ratio; sides in the order they ran)"
	} else {
		which = " (sides in the order they ran)"
	}
	r.printf("\nWhere the time went%s. Transaction latency is per `Append` or `INSERT`; CPU is in cores (of %d) averaged over the run: "+
		"writebench includes the embedded NATS server, postgres is the cluster's processes, other is everything else on the machine%s.\n\n",
		which, runtimeCPUs(), noisyNote)
	r.printf("| case | side | ev/s | tx p50 | tx p99 | WAL B/event | writebench CPU | postgres CPU | other CPU | iowait |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, a := range res {
		p := a.medianPair()
		sides := []struct {
			name string
			run  appendRun
		}{{"ours", p.ours}, {"baseline", p.base}}
		if !p.oursFirst {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, s := range sides {
			u := s.run.usage
			r.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a.c, s.name, fmtRate(s.run.rate()), fmtMs(s.run.txLatency.P50), fmtMs(s.run.txLatency.P99),
				perEvent(u.walBytes, s.run.events), cores(u.self), cores(u.pg), otherCores(u.other), cores(u.iowait))
		}
	}
	r.printf("\n")
}

const noisyNote = "; a * marks a run during which other processes were busy, so its figure may be low"

func (r *report) publishSection(res []publishResult) {
	r.printf("## 2. Publication throughput\n\n")
	r.printf("%s events are appended with the relay stopped, then the relay starts and the clock runs until the CARE stream holds "+
		"all of them (polled every %v). Baseline: the same payloads, with `Nats-Msg-Id`, published with `PublishMsgAsync` "+
		"(at most %d pending) to a new stream configured like CARE, timed until every ack arrived. The relay sends an event only "+
		"once the previous event of its stream and of its patient is acknowledged, so how the events lie in commit order matters; "+
		"two preload shapes are measured:\n\n", fmtInt(int64(r.cfg.PublishEvents)), publishPoll, r.cfg.PublishWindow)
	for _, p := range res {
		r.printf("- **%s**: %s.\n", p.shape.name, p.shape.desc)
	}
	r.printf("\nRatio = ours / baseline, rounded down; * marks a ratio measured while other processes were busy.\n\n")
	r.printf("| preload shape | relay (ours) msg/s | async publish (baseline) msg/s | ratio |\n|---|--:|--:|--:|\n")
	for _, p := range res {
		mark := ""
		if p.ours.usage.other >= noisyOther || p.base.usage.other >= noisyOther {
			mark = "*"
		}
		r.printf("| %s | %s | %s | %s%s |\n", p.shape.name, fmtRate(p.ours.rate()), fmtRate(p.base.rate()), fmtRatio(p.ours.rate(), p.base.rate()), mark)
	}
	r.printf("\n| preload shape | side | stored | time | writebench CPU | postgres CPU | other CPU |\n|---|---|--:|--:|--:|--:|--:|\n")
	for _, p := range res {
		for _, side := range []struct {
			name string
			run  publishRun
		}{{"relay", p.ours}, {"baseline", p.base}} {
			u := side.run.usage
			r.printf("| %s | %s | %s | %v | %s | %s | %s |\n", p.shape.name, side.name, fmtInt(side.run.stored), side.run.elapsed.Round(time.Millisecond),
				cores(u.self), cores(u.pg), otherCores(u.other))
		}
	}
	r.printf("\n")
	for _, p := range res {
		lastErr := "none"
		if p.relay.LastError != "" {
			lastErr = p.relay.LastError
		}
		r.printf("- %s: preload of %s B of envelopes took %v; the relay reported %s published, %s duplicates, last error: %s; "+
			"baseline publish errors: %d.\n", p.shape.name, fmtInt(p.payloadBytes), p.preloadElapsed.Round(time.Millisecond),
			fmtInt(int64(p.relay.Published)), fmtInt(int64(p.relay.Duplicates)), lastErr, p.baseErrors)
	}
	r.printf("\n")
}

func (r *report) lagSection(l *lagResult) {
	r.printf("## 3. Commit-to-JetStream lag\n\n")
	r.printf("%d writers append one event per transaction at %s events/s in total for %v while the relay runs; an ordered consumer on "+
		"the CARE stream notes when each event arrives. Lag = arrival − the moment the writer's `Append` returned. Baseline (dual write): "+
		"the same writers and rate, each publishing the event itself right after the commit (synchronous `PublishMsg`) to a stream "+
		"configured like CARE, received the same way: the floor for any publish-after-commit design, without the relay's guarantees. "+
		"Ratio = ours / baseline, rounded up.\n\n", r.cfg.LagWriters, fmtInt(int64(r.cfg.LagRate)), r.cfg.LagDuration)
	o, b := l.ours, l.base
	r.printf("| | relay (ours) | dual write (baseline) | ratio |\n|---|--:|--:|--:|\n")
	r.printf("| target rate, ev/s | %s | %s | |\n", fmtRate(o.target), fmtRate(b.target))
	r.printf("| achieved rate, ev/s | %s | %s | |\n", fmtRate(o.achieved), fmtRate(b.achieved))
	r.printf("| appends started > 1 interval late | %s | %s | |\n", fmtInt(o.behind), fmtInt(b.behind))
	r.printf("| events received / appended | %s / %s | %s / %s | |\n", fmtInt(int64(o.lag.Count)), fmtInt(o.appended), fmtInt(int64(b.lag.Count)), fmtInt(b.appended))
	for _, row := range []struct {
		name string
		o, b time.Duration
	}{
		{"lag p50", o.lag.P50, b.lag.P50},
		{"lag p90", o.lag.P90, b.lag.P90},
		{"lag p99", o.lag.P99, b.lag.P99},
		{"lag max", o.lag.Max, b.lag.Max},
	} {
		r.printf("| **%s** | **%s** | %s | %s |\n", row.name, fmtMs(row.o), fmtMs(row.b), fmtTimes(row.o, row.b))
	}
	r.printf("| commit → stored in stream, p50 / p99 | %s / %s | %s / %s | |\n", fmtMs(o.toStored.P50), fmtMs(o.toStored.P99), fmtMs(b.toStored.P50), fmtMs(b.toStored.P99))
	r.printf("| stored → received, p50 / p99 | %s / %s | %s / %s | |\n", fmtMs(o.toReceived.P50), fmtMs(o.toReceived.P99), fmtMs(b.toReceived.P50), fmtMs(b.toReceived.P99))
	r.printf("| `Append` latency, p50 / p99 | %s / %s | %s / %s | |\n", fmtMs(o.appendLatency.P50), fmtMs(o.appendLatency.P99), fmtMs(b.appendLatency.P50), fmtMs(b.appendLatency.P99))
	r.printf("| missing / duplicated / unexpected | %d / %d / %d | %d / %d / %d | |\n", o.missing, o.duplicated, o.foreign, b.missing, b.duplicated, b.foreign)
	r.printf("| received before `Append` returned | %d | %d | |\n", o.lag.Negatives, b.lag.Negatives)
	r.printf("| CPU writebench / postgres / other | %s / %s / %s | %s / %s / %s | |\n\n",
		cores(o.usage.self), cores(o.usage.pg), otherCores(o.usage.other), cores(b.usage.self), cores(b.usage.pg), otherCores(b.usage.other))
	if l.relay.LastError != "" {
		r.printf("The relay reported an error during the run: %s\n\n", l.relay.LastError)
	}
}

func (r *report) targets(res results) {
	r.printf("## Targets\n\n| target | measured | verdict |\n|---|---|---|\n")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	if res.append != nil {
		found := false
		for _, a := range res.append {
			if a.c.writers == appendTargetWriters && a.c.perTx == 1 {
				// Floor to the shown precision, so "0.90" is never a rounded 0.8996.
				ratio := math.Floor(a.ratio()*100) / 100
				v := verdict(ratio >= appendTargetRatio)
				if a.noisy() {
					v = "**not evaluated**: other processes were busy; rerun"
				}
				r.printf("| append, %d writers, 1 event/tx ≥ %.0f%% of bare INSERT | %s of %s ev/s = %s | %s |\n", appendTargetWriters, appendTargetRatio*100,
					fmtRate(a.oursRate()), fmtRate(a.baseRate()), fmtRatio(a.oursRate(), a.baseRate()), v)
				found = true
			}
		}
		if !found {
			r.printf("| append, %d writers, 1 event/tx ≥ %.0f%% of bare INSERT | not measured in this run | - |\n", appendTargetWriters, appendTargetRatio*100)
		}
	}
	if res.lag != nil {
		o := res.lag.ours
		name := fmt.Sprintf("lag p99 < %v at %s events/s", lagTargetP99, fmtInt(lagTargetRate))
		switch {
		case r.cfg.LagRate != lagTargetRate:
			r.printf("| %s | p99 %s at %s ev/s: not the target rate | not evaluated |\n", name, fmtMs(o.lag.P99), fmtRate(o.achieved))
		case o.achieved < sustainedShare*o.target:
			r.printf("| %s | p99 %s, but the writers sustained only %s ev/s | **not met: rate not reached** |\n", name, fmtMs(o.lag.P99), fmtRate(o.achieved))
		case o.lag.P99 >= lagTargetP99 && o.usage.other >= noisyOther:
			r.printf("| %s | p99 %s at %s ev/s, with other processes busy | **not evaluated**: rerun |\n", name, fmtMs(o.lag.P99), fmtRate(o.achieved))
		default:
			r.printf("| %s | p99 %s at %s ev/s | %s |\n", name, fmtMs(o.lag.P99), fmtRate(o.achieved), verdict(o.lag.P99 < lagTargetP99))
		}
		r.printf("| relay: 0 missing, 0 duplicated | %d missing, %d duplicated, %d unexpected | %s |\n", o.missing, o.duplicated, o.foreign,
			verdict(o.missing == 0 && o.duplicated == 0 && o.foreign == 0))
	}
	for _, p := range res.publish {
		r.printf("| relay publishes every preloaded event once (%s) | %s of %s stored, %s duplicates | %s |\n", p.shape.name, fmtInt(p.ours.stored),
			fmtInt(int64(p.events)), fmtInt(int64(p.relay.Duplicates)), verdict(p.ours.stored == int64(p.events) && p.relay.Duplicates == 0))
	}
	r.printf("\n")
}

func cores(c float64) string {
	if c < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", c)
}

func otherCores(c float64) string {
	s := cores(c)
	if c >= noisyOther {
		s += "*"
	}
	return s
}

func perEvent(bytes, events int64) string {
	if bytes < 0 || events <= 0 {
		return "n/a"
	}
	return fmtInt(bytes / events)
}

func runtimeCPUs() int { return runtime.NumCPU() }
