package domain

import (
	"fmt"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// PlanDischargeCmd plans the discharge: the Discharge to Assess pathway and
// the expected date. Made again with the same pathway and another date it
// revises the expected date; a different pathway is a ChangePathwayCmd.
type PlanDischargeCmd struct {
	Pathway discharge.Pathway
	// ExpectedDate is a calendar date, YYYY-MM-DD, in Rules.Location.
	ExpectedDate string
	Now          time.Time
}

// PlanDischarge decides PlanDischargeCmd. Allowed while admitted or
// discharge-planned; refused once discharged or closed.
func PlanDischarge(cmd PlanDischargeCmd, rules Rules) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if err := rules.check(); err != nil {
			return nil, err
		}
		if !cmd.Pathway.Valid() {
			return nil, domain.Invalid("pathway", "must be P0, P1, P2 or P3")
		}
		if d, err := time.Parse(time.DateOnly, cmd.ExpectedDate); err != nil || d.Format(time.DateOnly) != cmd.ExpectedDate {
			return nil, domain.Invalid("expectedDate", "must be a date like 2026-11-27")
		}
		if s.Status != StatusAdmitted && s.Status != StatusDischargePlanned {
			return nil, refuse(s, "planned for discharge")
		}
		planned := discharge.DischargePlanned{Pathway: cmd.Pathway, ExpectedDate: cmd.ExpectedDate, PlannedAt: cmd.Now.UTC()}
		if p := s.Plan; p != nil {
			if p.Pathway != cmd.Pathway {
				return nil, domain.Invalid("pathway", fmt.Sprintf("differs from the planned pathway %s: record a pathway change", p.Pathway))
			}
			if p.ExpectedDate == cmd.ExpectedDate {
				return nil, nil
			}
			planned.PreviousExpectedDate = p.ExpectedDate
		}
		// YYYY-MM-DD strings compare as dates.
		if cmd.ExpectedDate < rules.localDate(cmd.Now) {
			return nil, domain.Invalid("expectedDate", "is in the past")
		}
		return []events.Data{planned}, nil
	}
}
