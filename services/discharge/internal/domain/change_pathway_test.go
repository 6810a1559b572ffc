package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func changeCmd() dom.ChangePathwayCmd {
	return dom.ChangePathwayCmd{Pathway: discharge.PathwayP2, Reason: discharge.PathwayNeedsIncreased, Now: plannedAt.Add(time.Hour)}
}

func TestChangePathway(t *testing.T) {
	want := discharge.PathwayChanged{From: discharge.PathwayP1, To: discharge.PathwayP2,
		Reason: discharge.PathwayNeedsIncreased, ChangedAt: plannedAt.Add(time.Hour)}
	for name, h := range in(t, "planned", "cancelled, back to plan") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.ChangePathway(changeCmd()), want)
		})
	}
}

func TestChangePathwayToTheSameRecordsNothing(t *testing.T) {
	cmd := changeCmd()
	cmd.Pathway = discharge.PathwayP1
	aggregatetest.Then(t, stay, histories()["planned"], dom.ChangePathway(cmd))
}

func TestChangePathwayAgainAndBack(t *testing.T) {
	first := discharge.PathwayChanged{From: "P1", To: "P2", Reason: discharge.PathwayNeedsIncreased, ChangedAt: plannedAt.Add(time.Hour)}
	cmd := dom.ChangePathwayCmd{Pathway: discharge.PathwayP1, Reason: discharge.PathwayNeedsReduced, Now: plannedAt.Add(2 * time.Hour)}
	aggregatetest.Then(t, stay, then(histories()["planned"], first), dom.ChangePathway(cmd),
		discharge.PathwayChanged{From: "P2", To: "P1", Reason: discharge.PathwayNeedsReduced, ChangedAt: cmd.Now})
}

func TestChangePathwayTransitions(t *testing.T) {
	checkTransitions(t, dom.ChangePathway(changeCmd()),
		append([]string{"admitted", "cancelled, back on ward", "cancelled after closure"}, dischargedStates...)...)
}

func TestChangePathwayInvalid(t *testing.T) {
	bad := changeCmd()
	bad.Pathway = "p2"
	aggregatetest.Invalid(t, stay, histories()["planned"], dom.ChangePathway(bad), "pathway")
	bad = changeCmd()
	bad.Reason = "because"
	aggregatetest.Invalid(t, stay, histories()["planned"], dom.ChangePathway(bad), "reason")
}

func TestChangePathwayNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.ChangePathway(changeCmd()), domain.ErrNotFound)
}
