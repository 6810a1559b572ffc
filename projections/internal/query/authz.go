package query

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/careweave/careweave/events"
	ea "github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/projections/internal/access"
	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations create the query API's own tables (break-glass grants).
func Migrations() pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return pgkit.Migrations{Name: "query", FS: sub}
}

// How long relationships last after the visit or discharge that made them.
const (
	visitRelationship     = "7 days"
	dischargeRelationship = "30 days"
)

// patientFacts reads what relates the caller to the patient, in the live
// generation: the patient's PCN, a visit assigned to the caller, a
// discharge routed to the caller's team, a break-glass grant.
func (a *API) patientFacts(ctx context.Context, p auth.Principal, patient string) (access.Facts, error) {
	var f access.Facts
	gen, err := a.gens.Live(ctx, a.pool)
	if err != nil {
		return f, err
	}
	g := a.gens.Schema(gen)
	err = a.pool.QueryRow(ctx, `SELECT
			coalesce((SELECT pcn FROM `+g+`.registrations WHERE patient = $1), ''),
			EXISTS (SELECT 1 FROM `+g+`.assignment_board WHERE patient = $1 AND clinician = $2
				AND (closed_at IS NULL OR closed_at > now() - interval '`+visitRelationship+`')),
			$3 <> '' AND EXISTS (SELECT 1 FROM `+g+`.discharge_worklist WHERE patient = $1 AND team = $3
				AND (status = 'assigned' OR updated_at > now() - interval '`+dischargeRelationship+`')),
			coalesce((SELECT reason FROM `+a.control+`.break_glass_grants WHERE patient = $1 AND subject = $2 AND until > now()
				ORDER BY until DESC LIMIT 1), '')`,
		patient, p.Subject, p.Team).Scan(&f.PatientPCN, &f.AssignedVisit, &f.RoutedDischarge, &f.BreakGlassReason)
	f.BreakGlass = f.BreakGlassReason != ""
	if err != nil {
		return f, fmt.Errorf("read access facts: %w", err)
	}
	return f, nil
}

// clinicianPCN is the PCN a clinician works in: their organisation, or
// their practice's PCN.
func clinicianPCN(dir *directory.Directory, id string) string {
	c, ok := dir.Clinician(id)
	if !ok {
		return ""
	}
	if pcn, ok := dir.PCN(c.Org); ok {
		return pcn.ODS
	}
	if pr, ok := dir.Practice(c.Org); ok {
		return pr.PCN
	}
	return ""
}

// authorize decides whether the request may do action, puts the decision
// on the audit trail, and for a denial answers 403. Only when it returns
// true may the handler go on; it must then call a.audited before answering.
func (a *API) authorize(w http.ResponseWriter, r *http.Request, action access.Action, patient string, facts func(context.Context, auth.Principal) (access.Facts, error)) (access.Decision, bool) {
	p, ok := auth.From(r.Context())
	if !ok {
		httpkit.WriteError(w, r, a.logger, &httpkit.Error{Kind: httpkit.KindUnauthorized, Message: "the caller is not authenticated"})
		return access.Decision{}, false
	}
	f, err := facts(r.Context(), p)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return access.Decision{}, false
	}
	d := access.Decide(p, action, f)
	if d.Allowed {
		return d, true
	}
	if err := a.audit(r.Context(), r, p, action, patients(patient), d, http.StatusForbidden, ""); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return d, false
	}
	httpkit.WriteError(w, r, a.logger, &httpkit.Error{Kind: httpkit.KindForbidden, Message: d.Reason})
	return d, false
}

// audited records an allowed access to each patient whose data the answer
// holds, before the answer is written: a read that succeeded always has its
// records (if recording fails, the caller gets a 503 and no data).
func (a *API) audited(r *http.Request, action access.Action, shown []string, d access.Decision) error {
	p, _ := auth.From(r.Context())
	reason := ""
	if d.Basis == access.BreakGlassBasis {
		reason = d.Reason
	}
	return a.audit(r.Context(), r, p, action, shown, d, http.StatusOK, reason)
}

// patients is the one patient a decision was about, if any.
func patients(patient string) []string {
	if patient == "" {
		return nil
	}
	return []string{patient}
}

// audit puts an access on the trail: one record per patient, all in one
// transaction. A denial about no patient in particular (another clinician's
// board, say) has no patient to file it under: it is logged, without
// identifiers.
func (a *API) audit(ctx context.Context, r *http.Request, p auth.Principal, action access.Action, shown []string, d access.Decision, status int, reason string) error {
	outcome := ea.Allowed
	if !d.Allowed {
		outcome = ea.Denied
	}
	if len(shown) == 0 {
		if !d.Allowed {
			a.logger.Warn("access denied", "action", string(action), "role", p.Role, "status", status)
		}
		return nil
	}
	shown = slices.Compact(slices.Sorted(slices.Values(shown)))
	err := pgx.BeginFunc(ctx, a.pool, func(tx pgx.Tx) error {
		for _, patient := range shown {
			rec := audit.For(p, httpkit.RequestID(ctx), audit.Access{Patient: patient, Action: ea.Action(action), Basis: ea.Basis(d.Basis),
				Reason: reason, Outcome: outcome, Status: status, Resource: r.URL.Path})
			if err := a.recorder.RecordTx(ctx, tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		a.logger.Error("access audit record failed", "err", err)
		return &httpkit.Error{Kind: httpkit.KindUnavailable, Message: "the access could not be recorded; try again"}
	}
	return nil
}

type breakGlassRequest struct {
	Reason string `json:"reason"`
}

// BreakGlassGrant is what breaking glass answers, and what a service asks
// about (kit/breakglass).
type BreakGlassGrant = breakglass.Grant

// myBreakGlass answers the caller's own unexpired grant for the patient (a
// service asks with the caller's token before it lets them read on broken
// glass), or 404. It shows nothing of the patient's record, so it is not
// itself an access to put on the trail; no one learns of another's grant.
func (a *API) myBreakGlass(w http.ResponseWriter, r *http.Request) {
	patient, ok := a.patientRef(w, r)
	if !ok {
		return
	}
	p, ok := auth.From(r.Context())
	if !ok {
		httpkit.WriteError(w, r, a.logger, &httpkit.Error{Kind: httpkit.KindUnauthorized, Message: "the caller is not authenticated"})
		return
	}
	g := BreakGlassGrant{Patient: patient}
	err := a.pool.QueryRow(r.Context(), `SELECT reason, until FROM `+a.control+`.break_glass_grants
		WHERE patient = $1 AND subject = $2 AND until > now() ORDER BY until DESC LIMIT 1`, patient, p.Subject).Scan(&g.Reason, &g.Until)
	if errors.Is(err, pgx.ErrNoRows) {
		httpkit.WriteError(w, r, a.logger, &httpkit.Error{Kind: httpkit.KindNotFound, Message: "the caller holds no unexpired break-glass grant for this patient"})
		return
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, fmt.Errorf("read break-glass grant: %w", err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, g)
}

// breakGlass grants the caller access to a patient's record for a short
// time, on a stated reason, recorded and alerted.
func (a *API) breakGlass(w http.ResponseWriter, r *http.Request) {
	patient, ok := a.patientRef(w, r)
	if !ok {
		return
	}
	var req breakGlassRequest
	if err := httpkit.DecodeJSON(w, r, &req, 4<<10); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if err := ea.CheckReason(req.Reason); err != nil {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("reason", err.Error()))
		return
	}
	if _, ok := a.authorize(w, r, access.BreakGlass, patient, noFacts); !ok {
		return
	}
	p, _ := auth.From(r.Context())
	g := BreakGlassGrant{Patient: patient, Reason: req.Reason}
	// The grant, its alert event and the access record commit together.
	err := pgx.BeginFunc(r.Context(), a.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(r.Context(), `INSERT INTO `+a.control+`.break_glass_grants (subject, role, patient, reason, until)
			VALUES ($1, $2, $3, $4, now() + $5::interval) RETURNING until`, p.Subject, p.Role, patient, req.Reason, a.breakGlassFor).Scan(&g.Until)
		if err != nil {
			return fmt.Errorf("grant break-glass: %w", err)
		}
		if err := a.recorder.RecordBreakGlassTx(r.Context(), tx, audit.BreakGlassFor(p, patient, req.Reason, g.Until)); err != nil {
			return err
		}
		return a.recorder.RecordTx(r.Context(), tx, audit.For(p, httpkit.RequestID(r.Context()), audit.Access{Patient: patient,
			Action: ea.Action(access.BreakGlass), Basis: ea.BreakGlass, Reason: req.Reason, Outcome: ea.Allowed, Status: http.StatusCreated, Resource: r.URL.Path}))
	})
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	// The alert: who broke glass is on the audit trail and its event; the
	// log says only that it happened.
	a.logger.Warn("break-glass access granted", "role", p.Role, "until", g.Until)
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusCreated, g)
}

func noFacts(context.Context, auth.Principal) (access.Facts, error) { return access.Facts{}, nil }

// patientRef is the request's patient reference, or a 400.
func (a *API) patientRef(w http.ResponseWriter, r *http.Request) (string, bool) {
	patient := r.PathValue("patient")
	if _, err := events.ParseID(patient); err != nil {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("patient", "must be a patient reference"))
		return "", false
	}
	return patient, true
}

// forPatient gathers the facts about the caller and patient.
func (a *API) forPatient(patient string) func(context.Context, auth.Principal) (access.Facts, error) {
	return func(ctx context.Context, p auth.Principal) (access.Facts, error) {
		return a.patientFacts(ctx, p, patient)
	}
}
