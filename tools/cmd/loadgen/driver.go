package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// accepted is one command the stack accepted: what verification expects
// on the timeline.
type accepted struct {
	Seq      int
	Journey  int
	Name     string
	Service  string
	Aggr     string
	Patient  int
	Types    []string
	Entries  bool
	Version  int64 // the ETag it answered
	Produced int64 // Version minus the version it was sent with
	At       time.Time
}

// ledger holds every accepted command, in the order they were accepted.
type ledger struct {
	mu        sync.Mutex
	cmds      []accepted
	counts    map[string]int  // patient|aggregate → entries expected so far
	uncertain map[string]bool // aggregates a command may or may not have changed (no answer, 5xx)
}

func newLedger() *ledger { return &ledger{counts: map[string]int{}, uncertain: map[string]bool{}} }

func key(patient int, aggr string) string { return fmt.Sprintf("%d|%s", patient, aggr) }

// add records a; it returns how many entries of a's aggregate the patient's
// timeline should then show.
func (l *ledger) add(a accepted) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	a.Seq = len(l.cmds)
	l.cmds = append(l.cmds, a)
	if !a.Entries {
		return 0
	}
	k := key(a.Patient, a.Aggr)
	l.counts[k] += len(a.Types)
	return l.counts[k]
}

func (l *ledger) markUncertain(aggr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.uncertain[aggr] = true
}

func (l *ledger) snapshot() ([]accepted, map[string]bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]accepted(nil), l.cmds...), maps.Clone(l.uncertain)
}

// driver sends the journeys' commands: open loop at cfg.Rate, or closed
// loop with cfg.Workers workers when the rate is 0. A patient's commands
// go one after another: a journey's next command is ready only once the
// previous one answered, and a patient is in one journey at a time.
type driver struct {
	cfg     Config
	client  *client
	logger  *slog.Logger
	refs    []string // patient index → registry reference
	ledger  *ledger
	stats   *stats
	follow  *follower
	started time.Time

	mu      sync.Mutex
	w       *workload
	ready   []*journey
	last    atomic.Int64 // index of the patient of the latest accepted command
	drained atomic.Bool  // every command has answered
}

// task is one command due at a time.
type task struct {
	j   *journey
	due time.Time
}

// next returns the next command to send: the next step of a journey whose
// previous command has answered, or else the first of a new journey.
func (d *driver) next() *journey {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.ready) > 0 {
		j := d.ready[0]
		d.ready = d.ready[1:]
		return j
	}
	return d.w.newJourney()
}

func (d *driver) finish(j *journey, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ok && !j.done() {
		d.ready = append(d.ready, j)
		return
	}
	d.w.release(j)
}

// run sends commands until ctx ends or the duration is over, then waits
// for those in flight.
func (d *driver) run(ctx context.Context) {
	ctx, cancel := context.WithDeadline(ctx, d.started.Add(d.cfg.Duration))
	defer cancel()
	var wg sync.WaitGroup
	if d.cfg.Rate == 0 {
		for range d.cfg.Workers {
			wg.Go(func() {
				for ctx.Err() == nil {
					j := d.next()
					if j == nil {
						d.stats.skipped.Add(1)
						sleep(ctx, time.Millisecond)
						continue
					}
					d.exec(ctx, task{j: j, due: time.Now()})
				}
			})
		}
		wg.Wait()
		d.drained.Store(true)
		return
	}
	slots := make(chan struct{}, d.cfg.Workers)
	interval := time.Duration(float64(time.Second) / d.cfg.Rate)
	for i := 0; ; i++ {
		due := d.started.Add(time.Duration(i) * interval)
		if !sleep(ctx, time.Until(due)) {
			break
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		d.stats.lag.Store(int64(time.Since(due)))
		j := d.next()
		if j == nil {
			d.stats.skipped.Add(1)
			<-slots
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			d.exec(ctx, task{j: j, due: due})
		})
	}
	wg.Wait()
	d.drained.Store(true)
}

// sleep waits for dur or until ctx ends, reporting whether ctx is alive.
func sleep(ctx context.Context, dur time.Duration) bool {
	if dur <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// exec sends a journey's next command and records what came of it.
func (d *driver) exec(ctx context.Context, t task) {
	j := t.j
	sent := time.Now()
	cmd := j.steps[j.next](j, sent)
	ref := d.refs[cmd.Patient]
	if m, ok := cmd.Body.(map[string]any); ok {
		if _, has := m["patient"]; has {
			m["patient"] = ref
		}
	}
	cmd.Path = strings.ReplaceAll(cmd.Path, "{patient}", ref)
	// Every command carries an Idempotency-Key, so sending it again after
	// no answer or a 5xx (a service restarting, PostgreSQL recovering) is
	// answered with the first outcome, never done twice.
	idem, ifMatch := fmt.Sprintf("loadgen-%d-%d-%d", d.started.UnixNano(), j.ID, j.next), j.Version
	if cmd.Create {
		ifMatch = 0
	}
	d.stats.sent.Add(1)
	// The request is not tied to ctx's deadline: a command sent before the
	// end gets its answer, so the ledger knows what it did.
	r, err := d.send(context.WithoutCancel(ctx), cmd, idem, ifMatch)
	done := time.Now()
	switch {
	case err != nil || r.Status >= 500:
		if j.Aggr != "" {
			d.ledger.markUncertain(j.Aggr)
		}
		d.stats.fail(cmd.Name, r.Status)
		d.logFailure(cmd, r, err)
		d.finish(j, false)
		return
	case r.Status/100 != 2:
		d.stats.fail(cmd.Name, r.Status)
		d.logFailure(cmd, r, nil)
		d.finish(j, false)
		return
	}
	if cmd.Create {
		id, _ := r.Body[cmd.IDField].(string)
		if id == "" {
			d.stats.fail(cmd.Name, r.Status)
			d.logger.Error("created, but the answer names no id", "command", cmd.Name, "field", cmd.IDField)
			d.finish(j, false)
			return
		}
		j.Aggr = id
	}
	a := accepted{Journey: j.ID, Name: cmd.Name, Service: cmd.Service, Aggr: j.Aggr, Patient: cmd.Patient, Types: cmd.Types,
		Entries: cmd.Entries, Version: r.Version, Produced: r.Version - j.Version, At: done}
	j.Version = r.Version
	j.next++
	want := d.ledger.add(a)
	d.last.Store(int64(cmd.Patient))
	d.stats.accept(cmd.Name, done.Sub(sent), done.Sub(t.due), done.Sub(d.started) >= d.cfg.Warmup)
	if a.Entries && d.follow != nil {
		d.follow.maybe(ref, a, want)
	}
	d.finish(j, true)
}

// send sends cmd, and sends it again while there is no answer or a 5xx,
// backing off from 100 ms to 2 s, for up to -retry-for.
func (d *driver) send(ctx context.Context, cmd command, idem string, ifMatch int64) (response, error) {
	deadline := time.Now().Add(d.cfg.RetryFor)
	wait := 100 * time.Millisecond
	for {
		r, err := d.client.do(ctx, cmd.Service, cmd.Method, cmd.Path, cmd.Actor, idem, ifMatch, cmd.Body)
		if (err == nil && r.Status < 500) || time.Now().Add(wait).After(deadline) {
			return r, err
		}
		d.stats.retried.Add(1)
		sleep(ctx, wait)
		wait = min(2*wait, 2*time.Second)
	}
}

// logFailure says what a refused command was refused for, a few times per
// command kind: problem+json names fields and states, never a patient.
func (d *driver) logFailure(cmd command, r response, err error) {
	if d.stats.failuresOf(cmd.Name) > 3 {
		return
	}
	if err != nil {
		d.logger.Warn("command failed", "command", cmd.Name, "err", err)
		return
	}
	d.logger.Warn("command refused", "command", cmd.Name, "status", r.Status, "problem", truncate(string(r.Raw), 400))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
