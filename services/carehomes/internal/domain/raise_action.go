package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// RaiseActionCmd gives someone something to do for a nominated resident,
// by a date. The owner is a clinician or a team, never both. The API layer
// resolves from the directory: OwnerRole, the owning clinician's role; it
// also checks that OwnerClinicianID or OwnerTeamID exists (and that the team
// covers the round's area).
type RaiseActionCmd struct {
	ActionID         string    // "actionId": unique within the round, chosen by the caller
	Patient          string    // "patient": a resident nominated on the round
	Description      string    // "description"
	OwnerClinicianID string    // "ownerClinicianId"
	OwnerRole        string    // "ownerRole": resolved, with ownerClinicianId only
	OwnerTeamID      string    // "ownerTeamId"
	DueOn            string    // "dueOn": a date like 2026-12-01, today or later
	Now              time.Time // today is taken from it, in the rules' calendar
}

// RaiseAction raises an action on a held round. Raising the same action
// again records nothing; reusing its id for a different action is refused.
// A closed round takes no new actions: raise them on the next round.
func RaiseAction(cmd RaiseActionCmd, rules Rules) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		e, err := cmd.event()
		if err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, domain.ErrNotFound
		}
		e.RoundRef = s.ref()
		if a, raised := s.Action(cmd.ActionID); raised {
			if a.Patient == e.Patient && a.Description == e.Description && a.OwnerClinicianID == e.OwnerClinicianID &&
				a.OwnerRole == e.OwnerRole && a.OwnerTeamID == e.OwnerTeamID && a.DueOn == e.DueOn {
				return nil, nil
			}
		}
		if s.Status != RoundStatusHeld {
			return nil, refuseRound(s, "given new actions")
		}
		if _, raised := s.Action(cmd.ActionID); raised {
			return nil, refuseRound(s, "given a second, different action with an id it already used")
		}
		n, nominated := s.Nomination(cmd.Patient)
		if !nominated || n.Withdrawn {
			return nil, refuseRound(s, "given an action for a resident who is not nominated on it")
		}
		if cmd.Now.IsZero() {
			return nil, errNoClock
		}
		if today := rules.today(cmd.Now); e.DueOn < today {
			return nil, domain.Invalid("dueOn", "is in the past: today is "+string(today))
		}
		return one(e)
	}
}

func (cmd RaiseActionCmd) event() (carehomes.ActionRaised, error) {
	var e carehomes.ActionRaised
	if err := checkLocalID("actionId", cmd.ActionID); err != nil {
		return e, err
	}
	if err := checkPatient("patient", cmd.Patient); err != nil {
		return e, err
	}
	description, err := text("description", cmd.Description, maxLongText, true)
	if err != nil {
		return e, err
	}
	switch {
	case cmd.OwnerClinicianID == "" && cmd.OwnerTeamID == "":
		return e, domain.Invalid("ownerClinicianId", "name the action's owner: a clinician or a team")
	case cmd.OwnerClinicianID != "" && cmd.OwnerTeamID != "":
		return e, domain.Invalid("ownerTeamId", "name a clinician or a team as owner, not both")
	case cmd.OwnerClinicianID != "":
		if err := checkDirectoryID("ownerClinicianId", cmd.OwnerClinicianID); err != nil {
			return e, err
		}
		if err := checkRole("ownerRole", cmd.OwnerRole); err != nil {
			return e, err
		}
	default:
		if err := checkDirectoryID("ownerTeamId", cmd.OwnerTeamID); err != nil {
			return e, err
		}
		if cmd.OwnerRole != "" {
			return e, domain.Invalid("ownerRole", "applies to a clinician owner, not a team")
		}
	}
	due, err := carehomes.ParseDate(cmd.DueOn)
	if err != nil {
		return e, domain.Invalid("dueOn", err.Error())
	}
	return carehomes.ActionRaised{
		ActionID: cmd.ActionID, Patient: cmd.Patient, Description: description,
		OwnerClinicianID: cmd.OwnerClinicianID, OwnerRole: cmd.OwnerRole, OwnerTeamID: cmd.OwnerTeamID,
		DueOn: due,
	}, nil
}
