package service

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
)

// Commands serves the command endpoints of one aggregate type: every
// service's POST/PUT/PATCH handlers run through Create and Change, so the
// rules (actor, Idempotency-Key, If-Match, strict JSON, one transaction,
// ETag) are written once.
type Commands[S any] struct {
	Repo   *aggregate.Repository[S]
	Idem   *idempotency.Store
	Logger *slog.Logger
	Now    func() time.Time
	// View renders the aggregate for responses and GET.
	View func(aggregate.Loaded[S]) any
	// Path returns an aggregate's URL, for Location headers.
	Path func(id string) string
	// Audit, if set, puts every change on the audit trail: one record per
	// event a command records about a patient, in the command's
	// transaction, with the basis the command's policy decided (Command.
	// Basis). A change that cannot say its basis is refused.
	Audit *audit.Recorder
	// Patients are the patients whose data an aggregate holds (a visit's
	// patient; a care-home round's nominated residents), for the records
	// of reads and refusals (required with Audit).
	Patients func(S) []string
	// BreakGlass, if set, lets a person whom the policy refused read the
	// aggregate while they hold a break-glass grant for each of its
	// patients (kit/breakglass); changes are never opened this way.
	BreakGlass breakglass.Checker
}

// Command is one request's decision: body is decoded into Body (a
// pointer), then Decide builds the decision, possibly looking things up.
// Also, if set, runs on the same transaction after the events are
// appended (for rows that must commit with them).
type Command[S any] struct {
	Body   any
	Decide func(ctx context.Context, meta aggregate.Meta) (aggregate.Decide[S], error)
	Also   func(ctx context.Context, tx pgx.Tx, l aggregate.Loaded[S]) error
	// Basis says on what grounds the caller may make the change (a
	// relationship, or break-glass), as the service's policy decided it,
	// possibly inside Decide on the state decided on; it is read after
	// the events are recorded. Required when Commands.Audit is set.
	Basis func() access.Basis
}

// Create handles a creating request for a new aggregate id: an
// Idempotency-Key is required, and a retry returns the first answer.
func (c *Commands[S]) Create(w http.ResponseWriter, r *http.Request, id string, cmd Command[S]) {
	key, err := idempotency.Key(r, true)
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	// Any version: a decision on an existing id refuses with ErrAlreadyExists.
	c.run(w, r, id, -1, key, http.StatusCreated, cmd)
}

// Change handles a change to an existing aggregate named by id: If-Match
// must carry the version the caller read.
func (c *Commands[S]) Change(w http.ResponseWriter, r *http.Request, id string, cmd Command[S]) {
	expected, err := httpkit.IfMatch(r)
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	key, err := idempotency.Key(r, false)
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	c.run(w, r, id, expected, key, http.StatusOK, cmd)
}

func (c *Commands[S]) run(w http.ResponseWriter, r *http.Request, id string, expected int64, key string, status int, cmd Command[S]) {
	meta, err := CommandMeta(r, c.Now())
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	var raw []byte
	if cmd.Body != nil {
		if err := httpkit.DecodeJSON(w, r, cmd.Body, 0); err != nil {
			httpkit.WriteError(w, r, c.Logger, err)
			return
		}
		raw, _ = json.Marshal(cmd.Body)
	}
	scope := r.Pattern + ":" + meta.Actor.ID
	hash := idempotency.Hash([]byte(r.Method+" "+r.URL.Path), raw)
	// A retry gets its first answer even if what the decision needs (the
	// registry, say) is down now.
	if resp, found, err := c.Idem.Replay(r.Context(), scope, key, hash); err != nil || found {
		if err != nil {
			httpkit.WriteError(w, r, c.Logger, err)
			return
		}
		idempotency.Write(w, resp, true)
		return
	}
	decide, err := cmd.Decide(r.Context(), meta)
	if err != nil {
		c.refused(w, r, id, err)
		return
	}
	resp, replayed, err := c.Idem.Do(r.Context(), scope, key, hash, func(ctx context.Context, tx pgx.Tx) (idempotency.Response, error) {
		l, envs, err := c.Repo.Execute(ctx, tx, id, expected, meta, decide)
		if err != nil {
			return idempotency.Response{}, err
		}
		if cmd.Also != nil {
			if err := cmd.Also(ctx, tx, l); err != nil {
				return idempotency.Response{}, err
			}
		}
		if err := c.audit(ctx, tx, r, cmd, envs, status); err != nil {
			return idempotency.Response{}, err
		}
		body, err := json.Marshal(c.View(l))
		if err != nil {
			return idempotency.Response{}, err
		}
		headers := map[string]string{"ETag": httpkit.ETag(l.Version)}
		if status == http.StatusCreated {
			headers["Location"] = c.Path(id)
		}
		return idempotency.Response{Status: status, Headers: headers, Body: body}, nil
	})
	if err != nil {
		c.refused(w, r, id, err)
		return
	}
	idempotency.Write(w, resp, replayed)
}

// refused answers a command's error; a refusal by the service's policy
// is first put on the trail of the patient the aggregate is about, as
// denied.
func (c *Commands[S]) refused(w http.ResponseWriter, r *http.Request, id string, err error) {
	if httpkit.KindOf(err) == httpkit.KindForbidden && c.Audit != nil && c.Patients != nil {
		if l, lerr := c.Repo.Load(r.Context(), id); lerr == nil && l.Version > 0 {
			if rerr := c.record(r, c.Patients(l.State), access.Action("change"), access.NoBasis, "", access.Denied, http.StatusForbidden); rerr != nil {
				err = rerr
			}
		}
	}
	httpkit.WriteError(w, r, c.Logger, err)
}

// record puts one access to each of patients on the trail, all in one
// transaction of its own (a read's before it is answered, a refusal's
// before it is sent).
func (c *Commands[S]) record(r *http.Request, patients []string, action access.Action, basis access.Basis, reason string, outcome access.Outcome, status int) error {
	recs := make([]access.AccessRecorded, 0, len(patients))
	for _, patient := range slices.Compact(slices.Sorted(slices.Values(patients))) {
		if patient == "" {
			continue
		}
		rec, err := audit.Of(r, audit.Access{Patient: patient, Action: action, Basis: basis, Reason: reason, Outcome: outcome, Status: status})
		if err != nil {
			return err
		}
		recs = append(recs, rec)
	}
	return c.Audit.RecordAll(r.Context(), recs...)
}

// audit records each of a change's events about a patient on the trail,
// on the change's transaction: they commit together or not at all.
func (c *Commands[S]) audit(ctx context.Context, tx pgx.Tx, r *http.Request, cmd Command[S], envs []events.Envelope, status int) error {
	if c.Audit == nil {
		return nil
	}
	var basis access.Basis
	if cmd.Basis != nil {
		basis = cmd.Basis()
	}
	if !basis.Valid() || basis == access.NoBasis {
		return fmt.Errorf("audit: the change %s has no basis from the service's policy", r.Pattern)
	}
	for _, en := range envs {
		patient := aboutPatient(en)
		if patient == "" {
			continue // about no patient (a care-home round scheduled)
		}
		rec, err := audit.Of(r, audit.Access{Patient: patient, Action: access.Change(en.Type), Basis: basis, Outcome: access.Allowed, Status: status})
		if err != nil {
			return err
		}
		if err := c.Audit.RecordTx(ctx, tx, rec); err != nil {
			return err
		}
	}
	return nil
}

// Read serves GET of aggregate id to a caller authorize lets in, saying
// on what basis (or returning a 403 error), or, if authorize refuses and
// BreakGlass is set, to a person holding a break-glass grant for each of
// its patients. The read is recorded on the trail of each of the
// aggregate's patients before it is answered (503, and nothing served, if
// it cannot be), and a refusal is recorded as denied. It needs Audit and
// Patients.
func (c *Commands[S]) Read(w http.ResponseWriter, r *http.Request, id string, authorize func(aggregate.Loaded[S]) (access.Basis, error)) {
	l, err := c.Repo.Load(r.Context(), id)
	if err == nil && l.Version == 0 {
		err = domain.ErrNotFound
	}
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	patients := c.Patients(l.State)
	reason := ""
	basis, err := authorize(l)
	if httpkit.KindOf(err) == httpkit.KindForbidden {
		if reason, err = breakglass.Override(c.BreakGlass, r, patients, err); err == nil {
			basis = access.BreakGlass
		}
	}
	if err != nil {
		if httpkit.KindOf(err) == httpkit.KindForbidden {
			if rerr := c.record(r, patients, access.ReadRecord, access.NoBasis, "", access.Denied, http.StatusForbidden); rerr != nil {
				err = rerr
			}
		}
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	if err := c.record(r, patients, access.ReadRecord, basis, reason, access.Allowed, http.StatusOK); err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	w.Header().Set("ETag", httpkit.ETag(l.Version))
	httpkit.WriteJSON(w, http.StatusOK, c.View(l))
}

// aboutPatient is the patient an event is about: its subject, or, for an
// event of an aggregate that is not one patient's (a care-home round), the
// patient its data names.
func aboutPatient(en events.Envelope) string {
	if en.Subject != "" {
		return en.Subject
	}
	var d struct {
		Patient string `json:"patient"`
	}
	if json.Unmarshal(en.Data, &d) != nil {
		return ""
	}
	return d.Patient
}

// Get serves GET of aggregate id with its ETag; an aggregate that does not
// exist is a 404. It records nothing: see Read.
func (c *Commands[S]) Get(w http.ResponseWriter, r *http.Request, id string) {
	l, err := c.Repo.Load(r.Context(), id)
	if err == nil && l.Version == 0 {
		err = domain.ErrNotFound
	}
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	w.Header().Set("ETag", httpkit.ETag(l.Version))
	httpkit.WriteJSON(w, http.StatusOK, c.View(l))
}
