package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/domain"
)

// TriageVisitCmd records a GP's triage: either a visit is needed (Urgency,
// with an optional window) or it is not (Outcome). Give one or the other.
type TriageVisitCmd struct {
	// TriagedBy is the directory id of the triaging clinician and
	// TriagedByRole their role, looked up by the API; the role must be one of
	// Rules.TriageRoles.
	TriagedBy     string
	TriagedByRole homevisits.Role
	// Urgency names a band of Rules.Bands. NotBefore and VisitBy are the
	// window; either may be zero for the band's default (see
	// Rules.TriageWindow).
	Urgency   string
	NotBefore time.Time
	VisitBy   time.Time
	// Outcome is what the GP did instead of a visit.
	Outcome homevisits.TriageOutcome
	// Notes are the GP's triage notes (at most MaxNotesLen characters).
	Notes string
	Now   time.Time
}

// TriageVisit triages a requested visit. A GP may triage again (change the
// band and window, or decide no visit is needed after all) while the visit is
// triaged, assigned, accepted or declined, but not once a clinician has set
// off. A re-triage that changes nothing records nothing.
func TriageVisit(rules Rules, cmd TriageVisitCmd) func(s VisitState, version int64) ([]events.Data, error) {
	return func(s VisitState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusRequested, StatusTriaged, StatusAssigned, StatusAccepted, StatusDeclined, StatusTimedOut:
		default:
			return nil, refuse(s, "triaged")
		}
		if err := checkDirectoryID("triagedBy", cmd.TriagedBy); err != nil {
			return nil, err
		}
		if err := rules.checkTriager(cmd.TriagedByRole); err != nil {
			return nil, err
		}
		notes, err := text("notes", cmd.Notes, MaxNotesLen, false)
		if err != nil {
			return nil, err
		}
		now := cmd.Now.UTC()
		holder, holderRole := s.holder()

		if cmd.Outcome != "" {
			if cmd.Urgency != "" || !cmd.NotBefore.IsZero() || !cmd.VisitBy.IsZero() {
				return nil, domain.Invalid("outcome", "an outcome that needs no visit takes no urgency or window")
			}
			if !cmd.Outcome.Valid() {
				return nil, domain.Invalid("outcome", "must be one of: "+homevisits.OneOf(homevisits.TriageOutcomes()))
			}
			return []events.Data{homevisits.TriagedWithoutVisit{
				TriagedBy: cmd.TriagedBy, TriagedByRole: cmd.TriagedByRole, Outcome: cmd.Outcome, Notes: notes,
				ClinicianID: holder, Role: holderRole, TriagedAt: now,
			}}, nil
		}

		w, err := rules.TriageWindow(cmd.Urgency, cmd.NotBefore, cmd.VisitBy, now)
		if err != nil {
			return nil, err
		}
		e := homevisits.VisitTriaged{
			TriagedBy: cmd.TriagedBy, TriagedByRole: cmd.TriagedByRole, Urgency: cmd.Urgency, Window: w,
			Notes: notes, TriagedAt: now,
		}
		if s.Status != StatusRequested {
			if s.Urgency == cmd.Urgency && sameWindow(s.Window, w) && s.TriageNotes == notes {
				return nil, nil
			}
			e.PreviousUrgency, e.ClinicianID, e.Role = s.Urgency, holder, holderRole
		}
		return []events.Data{e}, nil
	}
}

func sameWindow(a, b homevisits.Window) bool {
	return a.NotBefore.Equal(b.NotBefore) && a.VisitBy.Equal(b.VisitBy)
}
