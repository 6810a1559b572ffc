// Package query serves what coordinators read: each patient's timeline,
// newest last, with cursor pagination and filters. Every response says how
// fresh it is: the stream position and event time the patient's partition
// has been applied up to, and when.
package query

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/events"
	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/projections/internal/access"
	"github.com/careweave/careweave/projections/internal/store"
	"github.com/careweave/careweave/projections/internal/worker"
)

// API serves the read models in one schema.
type API struct {
	pool          *pgxpool.Pool
	control       string
	gens          *store.Generations
	dir           *directory.Directory
	recorder      *audit.Recorder
	breakGlassFor string // an interval
	logger        *slog.Logger
	london        *time.Location // visit windows are shown to staff in Europe/London
	watch         *feedWatch
	feedRecheck   time.Duration
}

// Config is what the API needs besides the read models.
type Config struct {
	// Directory says which PCN a clinician works in, which PCNs a team
	// covers and which PCN a care home is aligned to.
	Directory *directory.Directory
	// Recorder puts every access on the audit trail.
	Recorder *audit.Recorder
	// BreakGlassFor is how long a break-glass grant lasts (default 30 min).
	BreakGlassFor time.Duration
	// FeedRecheck is how often an open live feed looks for changes by
	// itself, besides being woken by the watcher (default 5 s): the bound
	// on how late a change the watcher missed can be.
	FeedRecheck time.Duration
}

// New returns the API over the read models under the control schema: each
// request reads the generation live when it starts.
func New(pool *pgxpool.Pool, control string, cfg Config, logger *slog.Logger) (*API, error) {
	gens, err := store.NewGenerations(control)
	if err != nil {
		return nil, err
	}
	london, err := hv.London()
	if err != nil {
		return nil, err
	}
	if cfg.Directory == nil || cfg.Recorder == nil {
		return nil, errors.New("query: a directory and an audit recorder are required")
	}
	if cfg.BreakGlassFor <= 0 {
		cfg.BreakGlassFor = 30 * time.Minute
	}
	if cfg.FeedRecheck <= 0 {
		cfg.FeedRecheck = 5 * time.Second
	}
	return &API{pool: pool, control: control, gens: gens, dir: cfg.Directory, recorder: cfg.Recorder,
		breakGlassFor: fmt.Sprintf("%d seconds", int(cfg.BreakGlassFor.Seconds())), logger: logger, london: london,
		watch: &feedWatch{pool: pool, gens: gens, logger: logger}, feedRecheck: cfg.FeedRecheck}, nil
}

// Register puts the routes on r.
func (a *API) Register(r *httpkit.Router) {
	r.HandleFunc("GET /v1/patients/{patient}/timeline", a.timeline)
	r.HandleFunc("GET /v1/patients/{patient}/timeline/stream", a.stream)
	r.HandleFunc("GET /v1/clinicians/{clinician}/visits", a.board)
	r.HandleFunc("GET /v1/teams/{team}/discharges", a.worklist)
	r.HandleFunc("GET /v1/care-homes/{careHome}/rounds", a.rounds)
	r.HandleFunc("GET /v1/patients/{patient}/summary", a.summary)
	r.HandleFunc("GET /v1/patients/{patient}/access-log", a.accessLog)
	r.HandleFunc("POST /v1/patients/{patient}/break-glass", a.breakGlass)
	r.HandleFunc("GET /v1/patients/{patient}/break-glass", a.myBreakGlass)
}

// Entry is one timeline entry as served.
type Entry struct {
	EventID       string     `json:"eventId"`
	OccurredAt    time.Time  `json:"occurredAt"`
	RecordedAt    time.Time  `json:"recordedAt"`
	Service       string     `json:"service"`
	EventType     string     `json:"eventType"`
	Category      string     `json:"category"`
	Summary       string     `json:"summary"`
	Actor         Actor      `json:"actor"`
	Source        Source     `json:"source"`
	Status        string     `json:"status"`
	StatusReason  string     `json:"statusReason,omitempty"`
	StatusByEvent string     `json:"statusByEvent,omitempty"`
	StatusAt      *time.Time `json:"statusAt,omitempty"`
}

// Actor is who did it.
type Actor struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	Org  string `json:"org"`
}

// Source links to the record in the service that owns it.
type Source struct {
	Service   string `json:"service"`
	Aggregate string `json:"aggregate"`
	ID        string `json:"id"`
	Path      string `json:"path"`
}

// Freshness says how far the read model has got: every event up to
// StreamSeq of the patient's partition is in it.
type Freshness struct {
	Generation    int        `json:"generation"`
	Partition     int        `json:"partition"`
	StreamSeq     int64      `json:"streamSeq"`
	LastEventTime *time.Time `json:"lastEventTime,omitempty"`
	AppliedAt     *time.Time `json:"appliedAt,omitempty"`
}

// Page is one page of a timeline.
type Page struct {
	Patient    string    `json:"patient"`
	Entries    []Entry   `json:"entries"`
	NextCursor string    `json:"nextCursor,omitempty"`
	Freshness  Freshness `json:"freshness"`
}

// cursor is the keyset position after the last entry of a page.
type cursor struct {
	OccurredAt time.Time `json:"o"`
	StreamSeq  int64     `json:"s"`
	EventID    string    `json:"e"`
}

type filters struct {
	after    *cursor
	limit    int
	services []string
	types    []string
	from, to *time.Time
}

func parseFilters(q map[string][]string) (filters, error) {
	f := filters{limit: 50}
	if v := first(q, "limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return f, httpkit.Invalid("limit", "must be a whole number from 1 to 500")
		}
		f.limit = n
	}
	if v := first(q, "cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		var c cursor
		if err != nil || json.Unmarshal(raw, &c) != nil || c.EventID == "" {
			return f, httpkit.Invalid("cursor", "is not a cursor this API returned")
		}
		f.after = &c
	}
	for _, s := range q["service"] {
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				if !isWord(part) {
					return f, httpkit.Invalid("service", "must be service names such as homevisits")
				}
				f.services = append(f.services, part)
			}
		}
	}
	for _, s := range q["type"] {
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				if _, err := events.ParseTypeName(part); err != nil {
					return f, httpkit.Invalid("type", "must be event type names such as careweave.discharge.patient_discharged.v1")
				}
				f.types = append(f.types, part)
			}
		}
	}
	for name, dst := range map[string]**time.Time{"from": &f.from, "to": &f.to} {
		if v := first(q, name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, httpkit.Invalid(name, "must be an RFC 3339 time such as 2026-11-23T09:00:00Z")
			}
			*dst = &t
		}
	}
	if f.from != nil && f.to != nil && !f.to.After(*f.from) {
		return f, httpkit.Invalid("to", "must be after from")
	}
	return f, nil
}

func (a *API) timeline(w http.ResponseWriter, r *http.Request) {
	patient, ok := a.patientRef(w, r)
	if !ok {
		return
	}
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	d, ok := a.authorize(w, r, access.ReadTimeline, patient, a.forPatient(patient))
	if !ok {
		return
	}
	page, err := a.page(r.Context(), patient, f)
	if err == nil {
		err = a.audited(r, access.ReadTimeline, []string{patient}, d)
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, page)
}

// page reads the freshness first, then the entries: what the page shows
// is at least as fresh as it claims.
func (a *API) page(ctx context.Context, patient string, f filters) (Page, error) {
	p := Page{Patient: patient, Entries: []Entry{}}
	partition := events.Partition(patient)
	p.Freshness.Partition = partition
	gen, err := a.gens.Live(ctx, a.pool)
	if err != nil {
		return p, err
	}
	p.Freshness.Generation = gen
	schema := a.gens.Schema(gen)
	err = a.pool.QueryRow(ctx, `SELECT stream_seq, event_time, applied_at FROM `+schema+`.positions WHERE consumer = $1`,
		worker.ConsumerName(partition)).Scan(&p.Freshness.StreamSeq, &p.Freshness.LastEventTime, &p.Freshness.AppliedAt)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("read freshness: %w", err)
	}

	sql := `SELECT event_id::text, occurred_at, recorded_at, stream_seq, service, event_type, category, summary, actor_id, actor_role, actor_org,
		source_service, source_aggregate, source_id, source_path, status, status_reason, coalesce(status_by_event::text, ''), status_at
		FROM ` + schema + `.timeline WHERE patient = $1`
	args := []any{patient}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.after != nil {
		sql += ` AND (occurred_at, stream_seq, event_id) > (` + arg(f.after.OccurredAt) + `, ` + arg(f.after.StreamSeq) + `, ` + arg(f.after.EventID) + `::uuid)`
	}
	if len(f.services) > 0 {
		sql += ` AND service = ANY(` + arg(f.services) + `)`
	}
	if len(f.types) > 0 {
		sql += ` AND event_type = ANY(` + arg(f.types) + `)`
	}
	if f.from != nil {
		sql += ` AND occurred_at >= ` + arg(*f.from)
	}
	if f.to != nil {
		sql += ` AND occurred_at < ` + arg(*f.to)
	}
	sql += ` ORDER BY occurred_at, stream_seq, event_id LIMIT ` + arg(f.limit+1)
	rows, err := a.pool.Query(ctx, sql, args...)
	if err != nil {
		return p, fmt.Errorf("read timeline: %w", err)
	}
	var last cursor
	for rows.Next() {
		var e Entry
		var seq int64
		if err := rows.Scan(&e.EventID, &e.OccurredAt, &e.RecordedAt, &seq, &e.Service, &e.EventType, &e.Category, &e.Summary,
			&e.Actor.ID, &e.Actor.Role, &e.Actor.Org, &e.Source.Service, &e.Source.Aggregate, &e.Source.ID, &e.Source.Path,
			&e.Status, &e.StatusReason, &e.StatusByEvent, &e.StatusAt); err != nil {
			return p, fmt.Errorf("read timeline: %w", err)
		}
		if len(p.Entries) == f.limit {
			b, _ := json.Marshal(last)
			p.NextCursor = base64.RawURLEncoding.EncodeToString(b)
			break
		}
		p.Entries = append(p.Entries, e)
		last = cursor{OccurredAt: e.OccurredAt, StreamSeq: seq, EventID: e.EventID}
	}
	rows.Close()
	return p, rows.Err()
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func isWord(s string) bool {
	if len(s) > 32 {
		return false
	}
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}
