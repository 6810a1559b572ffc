package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/domain"
)

// ScheduleRoundCmd plans a care home's weekly multidisciplinary round.
//
// The API layer resolves from the directory, and passes in: Area, the ODS
// code of the PCN the care home is aligned to; ClinicalLeadRole, the role of
// ClinicalLead. It also checks that CareHomeID and ClinicalLead exist (the
// home's named clinical lead is the usual choice, but a deputy may lead).
type ScheduleRoundCmd struct {
	RoundID          string    // the new round's id: its stream is "round-<RoundID>"
	CareHomeID       string    // "careHomeId"
	Area             string    // "area": resolved, the home's PCN
	Week             string    // "week": ISO week, e.g. "2026-W48"
	PlannedStart     time.Time // "plannedStart": must fall in Week, in the rules' calendar
	ClinicalLead     string    // "clinicalLead": clinician id
	ClinicalLeadRole string    // "clinicalLeadRole": resolved
}

// ScheduleRound opens a round. It fails with domain.ErrAlreadyExists when
// the round exists.
func ScheduleRound(cmd ScheduleRoundCmd, rules Rules) func(s RoundState, version int64) ([]events.Data, error) {
	return func(s RoundState, version int64) ([]events.Data, error) {
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		e, err := cmd.event(rules)
		if err != nil {
			return nil, err
		}
		if version > 0 {
			return nil, domain.ErrAlreadyExists
		}
		return one(e)
	}
}

func (cmd ScheduleRoundCmd) event(rules Rules) (carehomes.RoundScheduled, error) {
	var e carehomes.RoundScheduled
	if err := checkLocalID("roundId", cmd.RoundID); err != nil {
		return e, err
	}
	if err := checkDirectoryID("careHomeId", cmd.CareHomeID); err != nil {
		return e, err
	}
	if err := checkArea("area", cmd.Area); err != nil {
		return e, err
	}
	if _, _, err := carehomes.ParseWeek(cmd.Week); err != nil {
		return e, domain.Invalid("week", err.Error())
	}
	if cmd.PlannedStart.IsZero() {
		return e, domain.Invalid("plannedStart", "is required")
	}
	if w := carehomes.WeekOf(cmd.PlannedStart, rules.Location); w != cmd.Week {
		return e, domain.Invalid("plannedStart", "falls in "+w+", not in the round's week "+cmd.Week)
	}
	if err := checkDirectoryID("clinicalLead", cmd.ClinicalLead); err != nil {
		return e, err
	}
	if err := checkRole("clinicalLeadRole", cmd.ClinicalLeadRole); err != nil {
		return e, err
	}
	return carehomes.RoundScheduled{
		RoundRef:     carehomes.RoundRef{RoundID: cmd.RoundID, CareHomeID: cmd.CareHomeID, Week: cmd.Week},
		Area:         cmd.Area,
		PlannedStart: cmd.PlannedStart.UTC(),
		ClinicalLead: cmd.ClinicalLead, ClinicalLeadRole: cmd.ClinicalLeadRole,
	}, nil
}
