package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func assignCmd() dom.AssignFollowUpCmd {
	return dom.AssignFollowUpCmd{TeamID: team, TeamAreas: []string{pcn}, Now: dischargedAt.Add(time.Hour)}
}

func TestAssignFollowUp(t *testing.T) {
	for name, h := range in(t, "discharged", "discharged+summary", "re-discharged after undo") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.AssignFollowUp(assignCmd(), rules), assigned())
		})
	}
}

func TestAssignFollowUpCarriesTheCareHome(t *testing.T) {
	d := dischargedP1()
	d.Pathway, d.Destination, d.CareHomeID, d.FollowUpDueBy = discharge.PathwayP3, discharge.DestinationCareHome, "home-willow-court", dischargedAt.Add(72*time.Hour)
	want := assigned()
	want.Pathway, want.Destination, want.CareHomeID, want.DueBy = discharge.PathwayP3, discharge.DestinationCareHome, "home-willow-court", dischargedAt.Add(72*time.Hour)
	aggregatetest.Then(t, stay, then(histories()["planned"], d), dom.AssignFollowUp(assignCmd(), rules), want)
}

func TestAssignFollowUpWhenNoneIsOwed(t *testing.T) {
	// P0 with no needs owes no follow-up; assigning one anyway gives it the
	// needs deadline.
	want := discharge.FollowUpAssigned{TeamID: team, AssignedAt: dischargedAt.Add(time.Hour), DueBy: dischargedAt.Add(72 * time.Hour),
		DischargedAt: dischargedAt, Pathway: discharge.PathwayP0, Destination: discharge.DestinationUsualResidence, Practice: practice}
	aggregatetest.Then(t, stay, histories()["discharged, none owed"], dom.AssignFollowUp(assignCmd(), rules), want)
}

func TestAssignFollowUpToAnotherTeamKeepsTheDeadline(t *testing.T) {
	cmd := dom.AssignFollowUpCmd{TeamID: team2, TeamAreas: []string{"U84002", pcn}, Now: dischargedAt.Add(30 * time.Hour)}
	local := dom.DefaultRules()
	local.FollowUpWithin[discharge.PathwayP1] = 96 * time.Hour // a rule change since cannot move it
	want := assigned()
	want.TeamID, want.PreviousTeamID, want.AssignedAt = team2, team, cmd.Now
	aggregatetest.Then(t, stay, histories()["follow-up assigned"], dom.AssignFollowUp(cmd, local), want)
}

func TestAssignFollowUpToTheSameTeamRecordsNothing(t *testing.T) {
	cmd := assignCmd()
	cmd.Now = cmd.Now.Add(time.Hour)
	aggregatetest.Then(t, stay, histories()["follow-up assigned"], dom.AssignFollowUp(cmd, rules))
}

func TestAssignFollowUpTransitions(t *testing.T) {
	checkTransitions(t, dom.AssignFollowUp(assignCmd(), rules),
		withoutDischarge("follow-up completed", "follow-up missed", "closed", "closed, no follow-up")...)
}

func TestAssignFollowUpInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		cmd   dom.AssignFollowUpCmd
	}{
		"no team":                 {"teamId", dom.AssignFollowUpCmd{TeamAreas: []string{pcn}, Now: afterwards}},
		"team id not a directory": {"teamId", dom.AssignFollowUpCmd{TeamID: "Severn ICT", TeamAreas: []string{pcn}, Now: afterwards}},
		"team of another PCN":     {"teamId", dom.AssignFollowUpCmd{TeamID: "team-forest-ict", TeamAreas: []string{"U84002"}, Now: afterwards}},
		"team covering nowhere":   {"teamId", dom.AssignFollowUpCmd{TeamID: "team-forest-ict", Now: afterwards}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Invalid(t, stay, histories()["discharged"], dom.AssignFollowUp(c.cmd, rules), c.field)
		})
	}
	t.Run("moving it to a team of another PCN", func(t *testing.T) {
		c := cases["team of another PCN"].cmd
		aggregatetest.Invalid(t, stay, histories()["follow-up assigned"], dom.AssignFollowUp(c, rules), "teamId")
	})
}

func TestAssignFollowUpNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.AssignFollowUp(assignCmd(), rules), domain.ErrNotFound)
}
