package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/projections"
)

// rebuildCmd rebuilds the read models with a progress bar.
func rebuildCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("carectl rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := config.NewBinder(fs, getenv)
	var srv servers
	srv.bind(b)
	var control string
	var batch, writers, keep int
	var gate time.Duration
	var logging config.Logging
	b.String(&control, "schema", "PROJECTIONS_SCHEMA", projections.Schema, "the read models' control schema")
	b.Int(&batch, "batch", "REBUILD_BATCH", 4000, "events per write transaction")
	b.Int(&writers, "writers", "REBUILD_WRITERS", 2, "concurrent writers, each for its share of the partitions")
	b.Int(&keep, "keep", "REBUILD_KEEP", 1, "retired generations whose tables are kept")
	b.Duration(&gate, "gate-timeout", "REBUILD_GATE_TIMEOUT", 10*time.Second, "longest the projector may be held while the last events are applied")
	logging.Bind(b)
	if err := b.Parse(args); err != nil {
		return err
	}
	if batch < 1 || batch > 100_000 || writers < 1 || writers > 16 || keep < 1 || gate < 100*time.Millisecond {
		return usageError{fmt.Errorf("want -batch 1..100000, -writers 1..16, -keep at least 1, -gate-timeout at least 100ms")}
	}
	if err := srv.resolve(true); err != nil {
		return err
	}
	logger, err := logging.NewLogger(stderr)
	if err != nil {
		return usageError{err}
	}
	pool, err := srv.openPostgres(ctx, int32(writers)+4)
	if err != nil {
		return err
	}
	defer pool.Close()
	nc, js, err := srv.openJetStream(ctx, logger, natsauth.AdminName)
	if err != nil {
		return err
	}
	defer nc.Close()

	show := newProgress(stderr, logger)
	res, err := projections.Rebuild(ctx, pool, js, projections.RebuildConfig{
		Control: control, Batch: batch, Writers: writers, Keep: keep, GateTimeout: gate, Progress: show.update,
	}, logger)
	show.finish()
	if err != nil {
		return err
	}
	rate := 0.0
	if s := res.Elapsed.Seconds(); s > 0 {
		rate = float64(res.Applied) / s
	}
	fmt.Fprintf(stdout, "generation %d is live (was %d): %d events applied (%.0f/s), %d timeline entries, %d repeats skipped, %d unreadable skipped; "+
		"stream sequence %d; took %s, projector held %s\n",
		res.Generation, res.Previous, res.Applied, rate, res.Entries, res.Repeats, res.Parked, res.LastSeq,
		res.Elapsed.Round(time.Millisecond), res.GateHeld.Round(time.Millisecond))
	if len(res.Dropped) > 0 {
		fmt.Fprintf(stdout, "dropped the tables of retired generations %v\n", res.Dropped)
	}
	return nil
}

// progress shows a rebuild's progress: a bar on a terminal, a log line every
// few seconds otherwise (CI logs, files).
type progress struct {
	bar    *progressbar.ProgressBar
	logger *slog.Logger
	last   time.Time
}

func newProgress(w io.Writer, logger *slog.Logger) *progress {
	p := &progress{logger: logger}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("rebuild"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("events"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) update(r projections.RebuildProgress) {
	if p.bar != nil {
		p.bar.ChangeMax64(int64(r.Total))
		p.bar.Describe(fmt.Sprintf("generation %d %s", r.Generation, r.Phase))
		_ = p.bar.Set64(int64(r.Done))
		return
	}
	if time.Since(p.last) < 2*time.Second && r.Done != r.Total {
		return
	}
	p.last = time.Now()
	pct := 100.0
	if r.Total > 0 {
		pct = 100 * float64(r.Done) / float64(r.Total)
	}
	p.logger.Info("rebuild progress", "generation", r.Generation, "phase", string(r.Phase), "done", r.Done, "total", r.Total,
		"percent", fmt.Sprintf("%.1f", pct), "applied", r.Applied, "elapsed", r.Elapsed.Round(100*time.Millisecond).String())
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
