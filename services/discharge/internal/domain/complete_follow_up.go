package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// CompleteFollowUpCmd records the community follow-up done.
type CompleteFollowUpCmd struct {
	// ClinicianID is the directory id of who did it; ClinicianRole their
	// role from the directory. The API checks the clinician belongs to the
	// assigned team (Clinician(id).Org).
	ClinicianID   string
	ClinicianRole string
	Outcome       discharge.FollowUpOutcome
	// CompletedAt is when the follow-up happened, which may be before it is
	// recorded; it decides whether it was late.
	CompletedAt time.Time
	Now         time.Time
}

// CompleteFollowUp decides CompleteFollowUpCmd. Allowed while discharged with
// a follow-up assigned and not missed; the same completion again records
// nothing (closed included), another is refused. It is late when completed
// after the follow-up's DueBy. If the summary is in, the stay closes.
func CompleteFollowUp(cmd CompleteFollowUpCmd) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if err := cmd.validate(); err != nil {
			return nil, err
		}
		if s.Discharge == nil {
			return nil, refuse(s, "followed up before discharge")
		}
		d := s.Discharge
		f := d.FollowUp
		switch {
		case f == nil:
			return nil, refuse(s, "followed up: no follow-up is assigned")
		case f.Status == FollowUpMissed:
			return nil, refuse(s, "followed up: the follow-up was recorded as missed")
		case f.Status == FollowUpCompleted:
			if f.ClinicianID == cmd.ClinicianID && f.Outcome == cmd.Outcome && f.CompletedAt.Equal(cmd.CompletedAt) {
				return nil, nil
			}
			return nil, refuse(s, "followed up again: the follow-up is completed")
		}
		if err := checkTime("completedAt", cmd.CompletedAt, cmd.Now, d.DischargedAt, "the discharge"); err != nil {
			return nil, err
		}
		at := cmd.CompletedAt.UTC()
		return closeIfSettled(s, cmd.Now, discharge.FollowUpCompleted{
			TeamID: f.TeamID, ClinicianID: cmd.ClinicianID, ClinicianRole: cmd.ClinicianRole, Outcome: cmd.Outcome,
			CompletedAt: at, DueBy: f.DueBy, Late: at.After(f.DueBy),
		}), nil
	}
}

func (cmd CompleteFollowUpCmd) validate() error {
	if err := checkDirectoryID("clinicianId", cmd.ClinicianID); err != nil {
		return err
	}
	if err := checkRole("clinicianRole", cmd.ClinicianRole); err != nil {
		return err
	}
	if !cmd.Outcome.Valid() {
		return domain.Invalid("outcome", "must be needs-met, ongoing-support, escalated-to-gp, referred-to-ucr or conveyed-to-hospital")
	}
	if cmd.CompletedAt.IsZero() {
		return domain.Invalid("completedAt", "is required")
	}
	return nil
}
