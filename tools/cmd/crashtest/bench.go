package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/tools/internal/baseline"
)

// benchmark is the end-to-end benchmark's frame around a load run: the raw
// baselines, measured on the stack's own PostgreSQL and NATS before any of
// Careweave runs, and the event stream's growth while loadgen sends, read
// from the server.
type benchmark struct {
	Insert  baseline.Result `json:"bareInsert"`
	Publish baseline.Result `json:"rawPublish"`

	js         jetstream.JetStream
	nc         *nats.Conn
	pool       *pgxpool.Pool
	mu         sync.Mutex
	from, to   time.Time
	start, end uint64  // messages in the event stream at from and to
	pgFrom     pgStats // PostgreSQL's counters at from and to
	pgTo       pgStats
}

// pgStats are the cluster's cumulative counters of committed transactions
// and written rows (pg_stat_database, every database), and when the
// postmaster started: a restart (the crash test kills it) resets them.
type pgStats struct {
	Commits, Inserted, Updated, Deleted int64
	Started                             time.Time
}

func (b *benchmark) readPG(ctx context.Context) (pgStats, error) {
	var s pgStats
	err := b.pool.QueryRow(ctx, `SELECT sum(xact_commit)::bigint, sum(tup_inserted)::bigint, sum(tup_updated)::bigint, sum(tup_deleted)::bigint,
		pg_postmaster_start_time() FROM pg_stat_database`).Scan(&s.Commits, &s.Inserted, &s.Updated, &s.Deleted, &s.Started)
	return s, err
}

// measureBaselines runs both baselines for d each, the insert with writers
// writers (loadgen's commands in flight, so both have the same concurrency).
func measureBaselines(ctx context.Context, pgURL, natsURL string, writers int, d time.Duration, logger *slog.Logger) (*benchmark, error) {
	b := &benchmark{}
	pool, err := pgxpool.New(ctx, pgURL+"&pool_max_conns="+fmt.Sprint(writers))
	if err != nil {
		return nil, err
	}
	b.pool = pool
	logger.Info("baseline: bare INSERTs into the stack's PostgreSQL", slog.Int("writers", writers), slog.Duration("for", d))
	if b.Insert, err = baseline.Insert(ctx, pool, writers, d, os.Stderr); err != nil {
		return nil, err
	}
	if b.nc, err = nats.Connect(natsURL, nats.Name("crashtest-benchmark")); err != nil {
		return nil, err
	}
	logger.Info("baseline: raw JetStream publishes into the stack's NATS", slog.Duration("for", d))
	if b.Publish, err = baseline.Publish(ctx, b.nc, publishWindow, d, os.Stderr); err != nil {
		b.nc.Close()
		return nil, err
	}
	b.js, err = jetstream.New(b.nc)
	return b, err
}

// publishWindow is the baseline's bound on unacknowledged publishes, the
// relay's (kit/relay MaxInFlight's default).
const publishWindow = 256

func (b *benchmark) close() {
	b.nc.Close()
	b.pool.Close()
}

// onLoadgenLine notes the event stream's size when the measured load starts
// and when its commands are done.
func (b *benchmark) onLoadgenLine(ctx context.Context, line string) {
	var at *time.Time
	var msgs *uint64
	var pg *pgStats
	switch {
	case strings.Contains(line, loadStartedLine):
		at, msgs, pg = &b.from, &b.start, &b.pgFrom
	case strings.Contains(line, loadDoneLine):
		at, msgs, pg = &b.to, &b.end, &b.pgTo
	default:
		return
	}
	now := time.Now()
	st, err := b.js.Stream(ctx, natskit.EventStream)
	if err != nil {
		return
	}
	stats, err := b.readPG(ctx)
	if err != nil {
		return
	}
	b.mu.Lock()
	*at, *msgs, *pg = now, st.CachedInfo().State.Msgs, stats
	b.mu.Unlock()
}

// loadDoneLine is what loadgen prints when its last command is answered.
const loadDoneLine = "commands done"

// loadgenFigures is what the benchmark reads of loadgen's results file.
type loadgenFigures struct {
	Accepted      int64   `json:"accepted"`
	AcceptedRate  float64 `json:"acceptedPerSecond"`
	AfterWarmRate float64 `json:"acceptedPerSecondAfterWarmup"`
	RoundTrip     struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
	} `json:"commandLatencyMs"`
	Passed bool `json:"passed"`
}

// benchResult is the JSON the benchmark writes.
type benchResult struct {
	Date            time.Time       `json:"date"`
	Insert          baseline.Result `json:"bareInsert"`
	Publish         baseline.Result `json:"rawPublish"`
	EventsPublished uint64          `json:"eventsPublishedWhileSending"`
	EventsPerSecond float64         `json:"eventsPublishedPerSecond"`
	CommandRatio    float64         `json:"acceptedCommandsPerBareInsertCommit"`
	// Per accepted command while sending, the whole stack's PostgreSQL
	// work: transactions committed and rows written (projections and
	// access records included).
	CommitsPerCommand float64 `json:"postgresCommitsPerCommand"`
	RowsPerCommand    float64 `json:"postgresRowsWrittenPerCommand"`
	// PostgresRestarted says PostgreSQL restarted while sending, resetting
	// its counters: the two figures above are then not measured.
	PostgresRestarted bool            `json:"postgresRestarted,omitempty"`
	PublishRatio      float64         `json:"eventsPerRawPublish"`
	Loadgen           json.RawMessage `json:"loadgen"`
}

// report prints the end-to-end figures beside the baselines, as ratios,
// and writes them with loadgen's whole results to out.
func (b *benchmark) report(w io.Writer, loadgenResults, out string) error {
	raw, err := os.ReadFile(loadgenResults)
	if err != nil {
		return err
	}
	var lg loadgenFigures
	if err := json.Unmarshal(raw, &lg); err != nil {
		return fmt.Errorf("loadgen results: %w", err)
	}
	b.mu.Lock()
	published, window := b.end-b.start, b.to.Sub(b.from)
	pgDelta := pgStats{Commits: b.pgTo.Commits - b.pgFrom.Commits, Inserted: b.pgTo.Inserted - b.pgFrom.Inserted,
		Updated: b.pgTo.Updated - b.pgFrom.Updated, Deleted: b.pgTo.Deleted - b.pgFrom.Deleted}
	restarted := !b.pgTo.Started.Equal(b.pgFrom.Started)
	b.mu.Unlock()
	r := benchResult{Date: time.Now().UTC(), Insert: b.Insert, Publish: b.Publish, EventsPublished: published, Loadgen: raw}
	if window > 0 && b.end >= b.start {
		r.EventsPerSecond = float64(published) / window.Seconds()
	}
	r.CommandRatio = lg.AcceptedRate / b.Insert.Rate()
	r.PublishRatio = r.EventsPerSecond / b.Publish.Rate()
	// Commands accepted in the window: the rate over the sending phase
	// times the window (loadgen counts the same phase).
	r.PostgresRestarted = restarted
	if cmds := lg.AcceptedRate * window.Seconds(); cmds > 0 && !restarted {
		r.CommitsPerCommand = float64(pgDelta.Commits) / cmds
		r.RowsPerCommand = float64(pgDelta.Inserted+pgDelta.Updated+pgDelta.Deleted) / cmds
	}

	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	var s strings.Builder
	s.WriteString("\n## End-to-end benchmark beside the raw baselines (same run, same servers)\n\n")
	s.WriteString("| measure | Careweave | raw baseline | ratio |\n|---|---|---|---|\n")
	fmt.Fprintf(&s, "| throughput: accepted commands/s vs %s, commits/s | %.0f (%.0f after warm-up) | %.0f | %.3f |\n",
		b.Insert.What, lg.AcceptedRate, lg.AfterWarmRate, b.Insert.Rate(), r.CommandRatio)
	fmt.Fprintf(&s, "| latency p50: command round trip vs one bare INSERT commit, ms | %.1f | %.2f | %.1f× |\n",
		lg.RoundTrip.P50, ms(b.Insert.P50), lg.RoundTrip.P50/ms(b.Insert.P50))
	fmt.Fprintf(&s, "| latency p99: command round trip vs one bare INSERT commit, ms | %.1f | %.2f | %.1f× |\n",
		lg.RoundTrip.P99, ms(b.Insert.P99), lg.RoundTrip.P99/ms(b.Insert.P99))
	fmt.Fprintf(&s, "| publication: events into JetStream/s while sending (care events and access records, via the relays) vs %s, msgs/s | %.0f (%d events) | %.0f | %.3f |\n",
		b.Publish.What, r.EventsPerSecond, published, b.Publish.Rate(), r.PublishRatio)
	if restarted {
		s.WriteString("| PostgreSQL work per accepted command while sending | not measured: PostgreSQL restarted during the run, resetting its statistics | | |\n")
	} else {
		fmt.Fprintf(&s, "| PostgreSQL work per accepted command while sending (the whole stack: services, access records, relays' cursors, idempotency, projections; read-only transactions included) vs one bare INSERT | %.1f transactions, %.1f rows written | 1 transaction, 1 row | %.1f× the transactions |\n",
			r.CommitsPerCommand, r.RowsPerCommand, r.CommitsPerCommand)
	}
	if _, err := io.WriteString(w, s.String()); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(js, '\n'), 0o644)
}
