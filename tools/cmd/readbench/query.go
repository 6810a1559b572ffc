package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	ea "github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/eventstore"
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

// factsSQL is the query API's access facts query for a patient's record
// (what relates the caller to the patient), for the baseline: %[1]s is the
// live generation, %[2]s the control schema.
const factsSQL = `SELECT
	coalesce((SELECT pcn FROM %[1]s.registrations WHERE patient = $1), ''),
	EXISTS (SELECT 1 FROM %[1]s.assignment_board WHERE patient = $1 AND clinician = $2
		AND (closed_at IS NULL OR closed_at > now() - interval '7 days')),
	$3 <> '' AND EXISTS (SELECT 1 FROM %[1]s.discharge_worklist WHERE patient = $1 AND team = $3
		AND (status = 'assigned' OR updated_at > now() - interval '30 days')),
	coalesce((SELECT reason FROM %[2]s.break_glass_grants WHERE patient = $1 AND subject = $2 AND until > now()
		ORDER BY until DESC LIMIT 1), '')`

// querySection loads a large synthetic timeline table straight into a
// generation of the read models (a decade of an Integrated Care System's
// entries), with every patient registered in the coordinator's PCN, then
// times first pages of random patients' timelines read by that coordinator
// through the query API over HTTP, and the bare SQL of the same pages; and,
// bare, what the API does besides: the access facts query and one audit
// append (kit/audit, in an event log of the same shape as the API's).
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
	regStart := time.Now()
	if err := b.loadRegistrations(ctx, models); err != nil {
		return err
	}
	regLoad := time.Since(regStart)
	settleStart := time.Now()
	if err := b.settle(ctx, models); err != nil {
		return err
	}
	settled := time.Since(settleStart)
	var size string
	if err := b.pool.QueryRow(ctx, "SELECT pg_size_pretty(pg_total_relation_size($1::regclass))", models+".timeline").Scan(&size); err != nil {
		return err
	}
	// The baseline's audit log: an event store like the API's, without a
	// relay, written through the same recorder code.
	baseLog, err := eventstore.New(b.pool, b.schema("auditbase"))
	if err != nil {
		return err
	}
	if err := baseLog.Migrate(ctx); err != nil {
		return err
	}
	recorder, err := audit.New(baseLog, "query", time.Now)
	if err != nil {
		return err
	}

	rng := rand.New(rand.NewPCG(1, 2))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	bearer := &tokens{iss: b.issuer, p: coordinator}
	page := func(patient string) (time.Duration, int, error) {
		tok, err := bearer.get()
		if err != nil {
			return 0, 0, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v1/patients/"+patient+"/timeline", nil)
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := client.Do(req)
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
			return 0, 0, fmt.Errorf("timeline page as %s of %s: %s (%v)", coordinator.Role, coordinator.PCN, resp.Status, err)
		}
		return time.Since(start), len(p.Entries), nil
	}
	pageQuery := fmt.Sprintf(pageSQL, models)
	raw := func(patient string) (time.Duration, int, error) {
		start := time.Now()
		rows, err := b.pool.Query(ctx, pageQuery, patient)
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
	factsQuery := fmt.Sprintf(factsSQL, models, control)
	facts := func(patient string) (time.Duration, error) {
		start := time.Now()
		var pcn, reason string
		var visit, discharge bool
		if err := b.pool.QueryRow(ctx, factsQuery, patient, coordinator.Subject, coordinator.Team).Scan(&pcn, &visit, &discharge, &reason); err != nil {
			return 0, fmt.Errorf("access facts: %w", err)
		}
		if pcn != coordinator.PCN {
			return 0, fmt.Errorf("patient registered in %q, want %s", pcn, coordinator.PCN)
		}
		return time.Since(start), nil
	}
	reads := 0
	record := func(patient string) (time.Duration, error) {
		reads++
		rec := audit.For(coordinator, fmt.Sprintf("readbench-%d", reads), audit.Access{Patient: patient, Action: ea.ReadTimeline,
			Basis: ea.Relationship(ea.RegisteredInPCN), Outcome: ea.Allowed, Status: http.StatusOK, Resource: "/v1/patients/" + patient + "/timeline"})
		start := time.Now()
		if err := recorder.Record(ctx, rec); err != nil {
			return 0, err
		}
		return time.Since(start), nil
	}
	// one reads a page through the API, then runs the bare statements
	// behind it for the same patient.
	type sample struct{ api, page, facts, audit time.Duration }
	one := func(patient string) (sample, int, error) {
		var s sample
		var n int
		var err error
		if s.api, n, err = page(patient); err != nil {
			return s, 0, err
		}
		if s.page, _, err = raw(patient); err != nil {
			return s, 0, err
		}
		if s.facts, err = facts(patient); err != nil {
			return s, 0, err
		}
		if s.audit, err = record(patient); err != nil {
			return s, 0, err
		}
		return s, n, nil
	}
	// Warm up every path (connections, prepared statements), then time
	// them interleaved so all see the same machine.
	const warmUp = 1000
	for range warmUp {
		if _, _, err := one(synthetic.Patient(rng.IntN(b.cfg.QueryPatients))); err != nil {
			return err
		}
	}
	n := b.cfg.QueryRequests
	apiLat, rawLat := make([]time.Duration, 0, n), make([]time.Duration, 0, n)
	factsLat, auditLat, bareLat := make([]time.Duration, 0, n), make([]time.Duration, 0, n), make([]time.Duration, 0, n)
	entries := 0
	last := time.Now()
	for i := range n {
		s, got, err := one(synthetic.Patient(rng.IntN(b.cfg.QueryPatients)))
		if err != nil {
			return err
		}
		entries += got
		apiLat, rawLat = append(apiLat, s.api), append(rawLat, s.page)
		factsLat, auditLat, bareLat = append(factsLat, s.facts), append(auditLat, s.audit), append(bareLat, s.facts+s.page+s.audit)
		if time.Since(last) >= 2*time.Second {
			last = time.Now()
			b.status("query: %s of %s pages", benchstat.Int(int64(i+1)), benchstat.Int(int64(n)))
		}
	}
	// Every page the API served must be on its audit trail, once.
	recorded, err := b.count(ctx, "SELECT count(*) FROM "+control+".events WHERE event_type = $1 AND envelope->'data'->>'basis' = $2",
		ea.AccessRecorded{}.EventType(), string(ea.Relationship(ea.RegisteredInPCN)))
	if err != nil {
		return err
	}
	if recorded != int64(warmUp+n) {
		return fmt.Errorf("the query API recorded %d reads on its audit trail, want %d", recorded, warmUp+n)
	}
	api, bare, all := benchstat.Summarize(apiLat), benchstat.Summarize(rawLat), benchstat.Summarize(bareLat)
	fct, aud := benchstat.Summarize(factsLat), benchstat.Summarize(auditLat)

	w := b.out
	fmt.Fprintf(w, "## Timeline page latency\n\n%s timeline entries across %s patients (%s with indexes, loaded in %s; every patient registered in %s, "+
		"loaded in %s; then vacuumed, analysed and checkpointed in %s, as tables in use would be) in a generation of the read models. One client, a care coordinator of %s with a bearer token from readbench's own issuer, "+
		"asks the query API (over HTTP, in-process server) for the first page of a random patient's timeline, %s times, after %s warm-up pages. "+
		"The API verifies the token, reads the access facts, decides (relationship: registered in the caller's PCN), reads the page, and records "+
		"the read on its audit trail (one durable transaction: advisory lock on the patient's audit stream, insert) before answering; its relay "+
		"publishes the records. Each page is followed by the bare SQL behind it (pgx, same patient): the page query, the raw baseline; then "+
		"the access facts query and one audit append through kit/audit into an event log of the same shape (no relay). "+
		"Pages held %.1f entries on average; the API recorded %s reads, one per page. Ratio = API / bare.\n\n",
		benchstat.Int(int64(b.cfg.QueryEvents)), benchstat.Int(int64(b.cfg.QueryPatients)), size, load.Round(time.Second), coordinator.PCN,
		regLoad.Round(100*time.Millisecond), settled.Round(time.Second), coordinator.PCN, benchstat.Int(int64(n)), benchstat.Int(warmUp),
		float64(entries)/float64(len(apiLat)), benchstat.Int(recorded))
	fmt.Fprintf(w, "| | query API page | bare page SQL (baseline) | ratio | bare facts + page + audit append | ratio |\n|---|--:|--:|--:|--:|--:|\n")
	for _, row := range []struct {
		name        string
		a, raw, all time.Duration
	}{{"p50", api.P50, bare.P50, all.P50}, {"p90", api.P90, bare.P90, all.P90}, {"**p99**", api.P99, bare.P99, all.P99}, {"max", api.Max, bare.Max, all.Max}} {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", row.name, benchstat.Ms(row.a), benchstat.Ms(row.raw), benchstat.Times(row.a, row.raw),
			benchstat.Ms(row.all), benchstat.Times(row.a, row.all))
	}
	fmt.Fprintf(w, "\nWhat access control and the audit record cost per read, measured bare in the same run:\n\n")
	fmt.Fprintf(w, "| | access facts query | audit append (transaction, advisory lock, insert, durable commit) |\n|---|--:|--:|\n")
	for _, row := range []struct {
		name string
		f, a time.Duration
	}{{"p50", fct.P50, aud.P50}, {"p90", fct.P90, aud.P90}, {"p99", fct.P99, aud.P99}, {"max", fct.Max, aud.Max}} {
		fmt.Fprintf(w, "| %s | %s | %s |\n", row.name, benchstat.Ms(row.f), benchstat.Ms(row.a))
	}
	fmt.Fprintf(w, "\n| target | measured | verdict |\n|---|---|---|\n")
	fmt.Fprintf(w, "| timeline page p99 < 5 ms at 10,000,000 events / 1,000,000 patients, access decided and recorded | p99 %s at %s / %s | %s |\n\n",
		benchstat.Ms(api.P99), benchstat.Int(int64(b.cfg.QueryEvents)), benchstat.Int(int64(b.cfg.QueryPatients)),
		verdictAt(api.P99 < 5*time.Millisecond, b.cfg.QueryEvents >= 10_000_000 && b.cfg.QueryPatients >= 1_000_000))
	return nil
}

// loadRegistrations registers every synthetic patient at the practice of
// the coordinator's PCN, as the projector would from their
// PatientRegistered events.
func (b *bench) loadRegistrations(ctx context.Context, models string) error {
	_, err := b.pool.Exec(ctx, `INSERT INTO `+models+`.registrations (patient, practice, pcn, stream_version, updated_at)
		SELECT `+synthetic.PatientSQL("i")+`, $1, $2, 1, now() FROM generate_series(0, $3::bigint - 1) i`,
		synthetic.Practice, synthetic.PCN, b.cfg.QueryPatients)
	if err != nil {
		return fmt.Errorf("register the synthetic patients: %w", err)
	}
	b.status("query: registered %s patients in %s", benchstat.Int(int64(b.cfg.QueryPatients)), synthetic.PCN)
	return nil
}

// settle brings the freshly loaded tables to the state of tables that have
// been in use: vacuumed (hint bits and visibility map set) and analysed,
// and their pages written out. Without it, autovacuum's first pass over
// the new timeline, and the checkpoints after the load, write gigabytes
// while pages are being timed; reads hardly notice, but the audit record's
// durable commit waits behind them.
func (b *bench) settle(ctx context.Context, models string) error {
	for _, t := range []string{"timeline", "registrations"} {
		if _, err := b.pool.Exec(ctx, "VACUUM (ANALYZE) "+models+"."+t); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	b.status("query: vacuumed and analysed; checkpoint")
	b.checkpoint(ctx)
	return nil
}

// loadTimeline writes the synthetic entries in chunks, in the order a
// projector would (time order, patients interleaved).
func (b *bench) loadTimeline(ctx context.Context, models string) error {
	total, patients := b.cfg.QueryEvents, b.cfg.QueryPatients
	decade := 10 * 365 * 24 * time.Hour
	step := decade / time.Duration(total)
	insert := `INSERT INTO ` + models + `.timeline (patient, event_id, occurred_at, recorded_at, stream_seq, service, event_type, category, summary,
			actor_id, actor_role, actor_org, source_service, source_aggregate, source_id, source_path, stream_id, stream_version, entry_key)
		SELECT p, gen_random_uuid(), t, t, i, s.service, s.event_type, s.category, s.summary, 'para-jess-patel', 'paramedic', 'U84001',
			s.service, s.aggregate, a, '/v1/' || s.aggregate || 's/' || a, s.aggregate || '-' || a, 1 + i / $3, ''
		FROM (SELECT i, ` + synthetic.PatientSQL("i % $3") + ` AS p,
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
	return nil
}

func verdictAt(ok, atSize bool) string {
	if !atSize {
		return "not evaluated: smaller than the target size"
	}
	return verdict(ok)
}
