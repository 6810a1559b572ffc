package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/domain"
)

// CancelVisitCmd says the visit is no longer wanted.
type CancelVisitCmd struct {
	Reason homevisits.CancelReason
	// Notes are free text (at most MaxReasonLen characters), required when
	// Reason is "other".
	Notes string
	// DuplicateOf is the id of the visit this one duplicates; only with
	// Reason "duplicate", and optional there.
	DuplicateOf string
	Now         time.Time
}

// CancelVisit cancels a visit at any point until it is closed, including
// while the clinician is on the way or there. The event names the clinician
// who held the visit so they can be stood down.
func CancelVisit(cmd CancelVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if s.Status.Terminal() {
			return nil, refuse(s, "cancelled")
		}
		if !cmd.Reason.Valid() {
			return nil, domain.Invalid("reason", "must be one of: "+homevisits.OneOf(homevisits.CancelReasons()))
		}
		notes, err := text("notes", cmd.Notes, MaxReasonLen, cmd.Reason == homevisits.CancelOther)
		if err != nil {
			return nil, err
		}
		if cmd.DuplicateOf != "" {
			if cmd.Reason != homevisits.CancelDuplicate {
				return nil, domain.Invalid("duplicateOf", `is only for the reason "duplicate"`)
			}
			if !isToken(cmd.DuplicateOf, 64) {
				return nil, domain.Invalid("duplicateOf", "must be a visit id of 1-64 letters, digits, '-' or '_'")
			}
		}
		holder, role := s.holder()
		return []events.Data{homevisits.VisitCancelled{
			Reason: cmd.Reason, Notes: notes, DuplicateOf: cmd.DuplicateOf, ClinicianID: holder, Role: role,
			CancelledAt: cmd.Now.UTC(),
		}}, nil
	}
}
