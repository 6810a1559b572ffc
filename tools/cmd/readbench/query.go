package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/projections"
	"github.com/careweave/careweave/projections/synthetic"
	"github.com/careweave/careweave/tools/internal/benchstat"
)

// queryChunk is how many synthetic entries one INSERT writes.
const queryChunk = 500_000

// pageSQL is the query API's first-page timeline query, for the baseline.
const pageSQL = `SELECT event_id::text, occurred_at, recorded_at, stream_seq, service, event_type, category, summary, actor_id, actor_role, actor_org,
	source_service, source_aggregate, source_id, source_path, status, status_reason, coalesce(status_by_event::text, ''), status_at
	FROM %s.timeline WHERE patient = $1 ORDER BY occurred_at, stream_seq, event_id LIMIT 51`

// querySection loads a large synthetic timeline table straight into a
// generation of the read models (a decade of an Integrated Care System's
// entries), then times first pages of random patients' timelines through
// the query API over HTTP, and the bare SQL query of the same pages.
func (b *bench) querySection(ctx context.Context) error {
	control := b.schema("query")
	addr, stop, err := b.startComponent(ctx, "query", control, projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))
	if err != nil {
		return err
	}
	defer stop()
	models, err := b.modelsOf(ctx, control)
	if err != nil {
		return err
	}
	loadStart := time.Now()
	if err := b.loadTimeline(ctx, models); err != nil {
		return err
	}
	load := time.Since(loadStart)
	var size string
	if err := b.pool.QueryRow(ctx, "SELECT pg_size_pretty(pg_total_relation_size($1::regclass))", models+".timeline").Scan(&size); err != nil {
		return err
	}

	rng := rand.New(rand.NewPCG(1, 2))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	page := func(patient string) (time.Duration, int, error) {
		start := time.Now()
		resp, err := client.Get("http://" + addr + "/v1/patients/" + patient + "/timeline")
		if err != nil {
			return 0, 0, err
		}
		var p struct {
			Entries []json.RawMessage
		}
		err = json.NewDecoder(resp.Body).Decode(&p)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("timeline page: %s (%v)", resp.Status, err)
		}
		return time.Since(start), len(p.Entries), nil
	}
	raw := func(patient string) (time.Duration, int, error) {
		start := time.Now()
		rows, err := b.pool.Query(ctx, fmt.Sprintf(pageSQL, models), patient)
		if err != nil {
			return 0, 0, err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		return time.Since(start), n, rows.Err()
	}
	// Warm up both paths (connections, prepared statements), then time
	// them interleaved so both see the same machine.
	for range 1000 {
		p := synthetic.Patient(rng.IntN(b.cfg.QueryPatients))
		if _, _, err := page(p); err != nil {
			return err
		}
		if _, _, err := raw(p); err != nil {
			return err
		}
	}
	apiLat := make([]time.Duration, 0, b.cfg.QueryRequests)
	rawLat := make([]time.Duration, 0, b.cfg.QueryRequests)
	entries := 0
	last := time.Now()
	for i := range b.cfg.QueryRequests {
		p := synthetic.Patient(rng.IntN(b.cfg.QueryPatients))
		d, n, err := page(p)
		if err != nil {
			return err
		}
		apiLat, entries = append(apiLat, d), entries+n
		if d, _, err = raw(p); err != nil {
			return err
		}
		rawLat = append(rawLat, d)
		if time.Since(last) >= 2*time.Second {
			last = time.Now()
			b.status("query: %s of %s pages", benchstat.Int(int64(i+1)), benchstat.Int(int64(b.cfg.QueryRequests)))
		}
	}
	api, bare := benchstat.Summarize(apiLat), benchstat.Summarize(rawLat)

	w := b.out
	fmt.Fprintf(w, "## Timeline page latency\n\n%s timeline entries across %s patients (%s with indexes, loaded in %s) in a generation of the read models. "+
		"One client asks the query API (over HTTP, in-process server) for the first page of a random patient's timeline, %s times, "+
		"after 1,000 warm-up pages; each page is followed by the bare SQL query behind it (pgx, same patient), the raw baseline. "+
		"Pages held %.1f entries on average. Ratio = API / SQL.\n\n",
		benchstat.Int(int64(b.cfg.QueryEvents)), benchstat.Int(int64(b.cfg.QueryPatients)), size, load.Round(time.Second),
		benchstat.Int(int64(b.cfg.QueryRequests)), float64(entries)/float64(len(apiLat)))
	fmt.Fprintf(w, "| | query API page | bare SQL (baseline) | ratio |\n|---|--:|--:|--:|\n")
	for _, row := range []struct {
		name   string
		a, raw time.Duration
	}{{"p50", api.P50, bare.P50}, {"p90", api.P90, bare.P90}, {"**p99**", api.P99, bare.P99}, {"max", api.Max, bare.Max}} {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", row.name, benchstat.Ms(row.a), benchstat.Ms(row.raw), benchstat.Times(row.a, row.raw))
	}
	fmt.Fprintf(w, "\n| target | measured | verdict |\n|---|---|---|\n")
	fmt.Fprintf(w, "| timeline page p99 < 5 ms at 10,000,000 events / 1,000,000 patients | p99 %s at %s / %s | %s |\n\n",
		benchstat.Ms(api.P99), benchstat.Int(int64(b.cfg.QueryEvents)), benchstat.Int(int64(b.cfg.QueryPatients)),
		verdictAt(api.P99 < 5*time.Millisecond, b.cfg.QueryEvents >= 10_000_000 && b.cfg.QueryPatients >= 1_000_000))
	return nil
}

// loadTimeline writes the synthetic entries in chunks, in the order a
// projector would (time order, patients interleaved), then analyses.
func (b *bench) loadTimeline(ctx context.Context, models string) error {
	total, patients := b.cfg.QueryEvents, b.cfg.QueryPatients
	decade := 10 * 365 * 24 * time.Hour
	step := decade / time.Duration(total)
	insert := `INSERT INTO ` + models + `.timeline (patient, event_id, occurred_at, recorded_at, stream_seq, service, event_type, category, summary,
			actor_id, actor_role, actor_org, source_service, source_aggregate, source_id, source_path, stream_id, stream_version, entry_key)
		SELECT p, gen_random_uuid(), t, t, i, s.service, s.event_type, s.category, s.summary, 'para-jess-patel', 'paramedic', 'U84001',
			s.service, s.aggregate, a, '/v1/' || s.aggregate || 's/' || a, s.aggregate || '-' || a, 1 + i / $3, ''
		FROM (SELECT i, '01a20900-0000-7000-8000-' || lpad((i % $3)::text, 12, '0') AS p,
				timestamptz '2016-11-23 00:00Z' + i * $4::interval AS t, gen_random_uuid()::text AS a
			FROM generate_series($1::bigint, $2::bigint) i) g
		JOIN (VALUES
			(0, 'homevisits', 'careweave.homevisits.visit_completed.v1', 'home-visit', 'visit', 'Home visit completed by a paramedic: managed at home'),
			(1, 'discharge', 'careweave.discharge.patient_discharged.v1', 'hospital', 'stay', 'Discharged home from hospital on pathway 1 (support at home)'),
			(2, 'medreviews', 'careweave.medreviews.review_completed.v1', 'medication-review', 'review', 'Structured medication review completed by a clinical pharmacist'),
			(3, 'carehomes', 'careweave.carehomes.resident_reviewed.v1', 'care-home', 'round', 'Reviewed on the weekly care-home round: plan unchanged'))
			AS s(k, service, event_type, category, aggregate, summary) ON s.k = g.i % 4`
	start := time.Now()
	for from := 1; from <= total; from += queryChunk {
		to := min(from+queryChunk-1, total)
		if _, err := b.pool.Exec(ctx, insert, from, to, patients, step); err != nil {
			return fmt.Errorf("load timeline entries %d-%d: %w", from, to, err)
		}
		done := int64(to)
		b.status("query: loaded %s of %s timeline entries (%s/s)", benchstat.Int(done), benchstat.Int(int64(total)),
			benchstat.RateString(benchstat.Rate(done, time.Since(start))))
	}
	if _, err := b.pool.Exec(ctx, `INSERT INTO `+models+`.positions (consumer, stream_seq, event_time, applied_at)
		SELECT 'timeline-p' || lpad(p::text, 2, '0'), $1, now(), now() FROM generate_series(0, 15) p`, total); err != nil {
		return err
	}
	_, err := b.pool.Exec(ctx, "ANALYZE "+models+".timeline")
	return err
}

func verdictAt(ok, atSize bool) string {
	if !atSize {
		return "not evaluated: smaller than the target size"
	}
	return verdict(ok)
}
