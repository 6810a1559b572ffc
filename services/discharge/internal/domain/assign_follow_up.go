package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/domain"
)

// AssignFollowUpCmd gives the discharge's community follow-up to a team.
type AssignFollowUpCmd struct {
	// TeamID is the community team's directory id.
	TeamID string
	// TeamAreas are the areas (PCN ODS codes) the team covers, from the
	// directory (Team(id).Areas); the team must cover the stay's area.
	TeamAreas []string
	Now       time.Time
}

// AssignFollowUp decides AssignFollowUpCmd. Allowed while discharged and the
// follow-up is not yet completed or missed; assigning it to another team
// moves it (the deadline stays), to the same team records nothing.
//
// The follow-up is due by the discharge's FollowUpDueBy (its pathway's
// deadline in Rules); when the discharge required none (P0 without needs),
// the coordinator assigning one anyway makes it due
// Rules.FollowUpForNeedsWithin after discharge, and the stay will not close
// before it is completed or missed. A closed stay refuses: it owes nothing.
func AssignFollowUp(cmd AssignFollowUpCmd, rules Rules) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if err := rules.check(); err != nil {
			return nil, err
		}
		if err := checkDirectoryID("teamId", cmd.TeamID); err != nil {
			return nil, err
		}
		if s.Status != StatusDischarged {
			return nil, refuse(s, "assigned a community follow-up")
		}
		d := s.Discharge
		e := discharge.FollowUpAssigned{
			TeamID: cmd.TeamID, AssignedAt: cmd.Now.UTC(), DueBy: d.FollowUpDueBy,
			DischargedAt: d.DischargedAt, Pathway: d.Pathway, Needs: slices.Clone(d.Needs), Destination: d.Destination,
			CareHomeID: d.CareHomeID, Practice: s.Practice,
		}
		if f := d.FollowUp; f != nil {
			if f.Status != FollowUpAssigned {
				return nil, refuse(s, "assigned a community follow-up: the follow-up is "+string(f.Status))
			}
			if f.TeamID == cmd.TeamID {
				return nil, nil
			}
			e.PreviousTeamID, e.DueBy = f.TeamID, f.DueBy
		}
		if !slices.Contains(cmd.TeamAreas, s.Area) {
			return nil, domain.Invalid("teamId", fmt.Sprintf("the team does not cover area %s", s.Area))
		}
		if e.DueBy.IsZero() {
			e.DueBy = d.DischargedAt.Add(rules.FollowUpForNeedsWithin)
		}
		return []events.Data{e}, nil
	}
}
