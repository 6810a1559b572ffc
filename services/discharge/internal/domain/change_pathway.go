package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// ChangePathwayCmd moves a planned patient to another pathway before
// discharge. (After discharge the pathway is the one discharged on; a move
// in the community is the community's record, not the hospital stay's.)
type ChangePathwayCmd struct {
	Pathway discharge.Pathway
	Reason  discharge.PathwayChangeReason
	Now     time.Time
}

// ChangePathway decides ChangePathwayCmd. Allowed only while
// discharge-planned; the same pathway records nothing.
func ChangePathway(cmd ChangePathwayCmd) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if !cmd.Pathway.Valid() {
			return nil, domain.Invalid("pathway", "must be P0, P1, P2 or P3")
		}
		if !cmd.Reason.Valid() {
			return nil, domain.Invalid("reason", "must be needs-increased, needs-reduced, capacity, patient-choice or other")
		}
		switch s.Status {
		case StatusAdmitted:
			return nil, refuse(s, "moved between pathways before a discharge is planned")
		case StatusDischargePlanned:
		default:
			return nil, refuse(s, "moved between pathways after discharge")
		}
		if s.Plan.Pathway == cmd.Pathway {
			return nil, nil
		}
		return []events.Data{discharge.PathwayChanged{
			From: s.Plan.Pathway, To: cmd.Pathway, Reason: cmd.Reason, ChangedAt: cmd.Now.UTC(),
		}}, nil
	}
}
