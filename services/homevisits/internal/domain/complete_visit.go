package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/domain"
)

// CompleteVisitCmd records how a visit ended.
type CompleteVisitCmd struct {
	// ClinicianID is the acting clinician (the API sets it from the actor);
	// it must be the clinician the visit is assigned to.
	ClinicianID string
	Outcome     homevisits.Outcome
	// Notes is the clinician's summary (at most MaxNotesLen characters).
	Notes string
	Now   time.Time
}

// CompleteVisit closes a visit the clinician is on site for.
func CompleteVisit(cmd CompleteVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if s.Status != StatusOnSite {
			return nil, refuse(s, "completed")
		}
		if err := checkActing(s, cmd.ClinicianID); err != nil {
			return nil, err
		}
		if !cmd.Outcome.Valid() {
			return nil, domain.Invalid("outcome", "must be one of: "+homevisits.OneOf(homevisits.Outcomes()))
		}
		notes, err := text("notes", cmd.Notes, MaxNotesLen, false)
		if err != nil {
			return nil, err
		}
		return []events.Data{homevisits.VisitCompleted{
			ClinicianID: s.ClinicianID, Role: s.Role, Outcome: cmd.Outcome, Notes: notes, CompletedAt: cmd.Now.UTC(),
		}}, nil
	}
}
