package api

import (
	"net/http"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/httpkit"
)

// ReadAssignments is the action a clinician's assignments and live feed
// are recorded as, on the trail of each patient they show.
const ReadAssignments access.Action = "read-assignments"

// recordReads puts one allowed read per patient shown on each patient's
// trail, all in one transaction, before anything about them is written to
// the caller: if they cannot be recorded the error is a 503 and nothing
// may be served. Showing no patient records nothing.
//
// Webhook administration (webhooks.go) shows a team's endpoint and
// delivery state, never a patient's data, so it records nothing.
func (a *API) recordReads(r *http.Request, basis access.Basis, patients []string) error {
	if len(patients) == 0 {
		return nil
	}
	patients = slices.Compact(slices.Sorted(slices.Values(patients)))
	recs := make([]access.AccessRecorded, 0, len(patients))
	for _, patient := range patients {
		rec, err := audit.Of(r, audit.Access{Patient: patient, Action: ReadAssignments, Basis: basis, Outcome: access.Allowed, Status: http.StatusOK})
		if err != nil {
			return err
		}
		recs = append(recs, rec)
	}
	ctx := r.Context()
	err := pgx.BeginFunc(ctx, a.pool, func(tx pgx.Tx) error {
		for _, rec := range recs {
			if err := a.audit.RecordTx(ctx, tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		a.logger.Error("access audit record failed", "request_id", httpkit.RequestID(ctx), "err", err)
		return &httpkit.Error{Kind: httpkit.KindUnavailable, Message: "the access could not be recorded, so nothing is served; try again", Err: err}
	}
	return nil
}

// unrecorded returns the patients of shown not in recorded, and adds them
// to recorded.
func unrecorded(recorded map[string]bool, shown []string) []string {
	var out []string
	for _, p := range shown {
		if p != "" && !recorded[p] {
			recorded[p] = true
			out = append(out, p)
		}
	}
	return out
}
