package api

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/notify/internal/domain"
)

// Assignment is one visit a clinician holds, as their last notice about it
// described it.
type Assignment struct {
	Visit     string                `json:"visit"`
	Patient   string                `json:"patient"`
	Urgency   string                `json:"urgency"`
	NotBefore time.Time             `json:"notBefore"`
	VisitBy   time.Time             `json:"visitBy"`
	Kind      notify.AssignmentKind `json:"kind"`
}

// CurrentAssignments is what a device starts from: the visits the clinician
// holds, soonest deadline first, and the id of the last notice they
// reflect, to open the live feed after.
type CurrentAssignments struct {
	Clinician   string       `json:"clinician"`
	Assignments []Assignment `json:"assignments"`
	LastEventID string       `json:"lastEventId"`
}

// currentAssignments serves the visits the clinician holds to a caller the
// policy lets read them; each patient listed is recorded as read, on the
// policy's basis, before the list is answered.
func (a *API) currentAssignments(w http.ResponseWriter, r *http.Request) {
	clinician, basis, ok := a.clinician(w, r)
	if !ok {
		return
	}
	cur, err := a.readCurrentAssignments(r.Context(), clinician)
	if err == nil {
		patients := make([]string, 0, len(cur.Assignments))
		for _, as := range cur.Assignments {
			patients = append(patients, as.Patient)
		}
		err = a.recordReads(r, basis, patients)
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, cur)
}

// readCurrentAssignments reads the holdings and the feed version in one
// snapshot: a notice commits with the holding it changes, so the list is
// exactly what the feed up to that version says.
func (a *API) readCurrentAssignments(ctx context.Context, clinician string) (CurrentAssignments, error) {
	cur := CurrentAssignments{Clinician: clinician, Assignments: []Assignment{}}
	err := pgx.BeginTxFunc(ctx, a.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		version, err := a.feedVersion(ctx, tx, clinician)
		if err != nil {
			return err
		}
		cur.LastEventID = formatEventID(version)
		rows, err := tx.Query(ctx, a.holdingsSQL, clinician)
		if err != nil {
			return fmt.Errorf("read holdings: %w", err)
		}
		var raw []byte
		_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
			var h domain.Holding
			if err := json.Unmarshal(raw, &h); err != nil {
				return fmt.Errorf("decode holding: %w", err)
			}
			n := h.Assignment
			cur.Assignments = append(cur.Assignments, Assignment{Visit: n.Visit, Patient: n.Patient, Urgency: n.Urgency,
				NotBefore: n.NotBefore, VisitBy: n.VisitBy, Kind: n.Kind})
			return nil
		})
		if err != nil {
			return fmt.Errorf("read holdings: %w", err)
		}
		return nil
	})
	slices.SortFunc(cur.Assignments, func(x, y Assignment) int {
		return cmp.Or(x.VisitBy.Compare(y.VisitBy), cmp.Compare(x.Visit, y.Visit))
	})
	return cur, err
}
