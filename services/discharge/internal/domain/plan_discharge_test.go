package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func planCmd() dom.PlanDischargeCmd {
	return dom.PlanDischargeCmd{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-24", Now: plannedAt}
}

func TestPlanDischarge(t *testing.T) {
	aggregatetest.Then(t, stay, histories()["admitted"], dom.PlanDischarge(planCmd(), rules), planned())
}

func TestPlanDischargeAgainRevisesTheExpectedDate(t *testing.T) {
	cmd := planCmd()
	cmd.ExpectedDate, cmd.Now = "2026-11-26", plannedAt.Add(24*time.Hour)
	want := discharge.DischargePlanned{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-26",
		PreviousExpectedDate: "2026-11-24", PlannedAt: cmd.Now}
	for name, h := range in(t, "planned", "cancelled, back to plan") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.PlanDischarge(cmd, rules), want)
		})
	}
}

func TestPlanDischargeTheSamePlanRecordsNothing(t *testing.T) {
	cmd := planCmd()
	cmd.Now = plannedAt.Add(96 * time.Hour) // even once the date has passed
	aggregatetest.Then(t, stay, histories()["planned"], dom.PlanDischarge(cmd, rules))
}

func TestPlanDischargeExpectedTodayInLondon(t *testing.T) {
	// 23:30 UTC on 1 June is 00:30 on 2 June in London: 1 June is past.
	now := time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC)
	a := admitted()
	a.AdmittedAt = now.Add(-time.Hour)
	h := []events.Data{a}
	past := dom.PlanDischargeCmd{Pathway: discharge.PathwayP1, ExpectedDate: "2026-06-01", Now: now}
	aggregatetest.Invalid(t, stay, h, dom.PlanDischarge(past, rules), "expectedDate")
	today := dom.PlanDischargeCmd{Pathway: discharge.PathwayP1, ExpectedDate: "2026-06-02", Now: now}
	aggregatetest.Then(t, stay, h, dom.PlanDischarge(today, rules),
		discharge.DischargePlanned{Pathway: discharge.PathwayP1, ExpectedDate: "2026-06-02", PlannedAt: now})
}

func TestPlanDischargeTransitions(t *testing.T) {
	checkTransitions(t, dom.PlanDischarge(planCmd(), rules), dischargedStates...)
}

func TestPlanDischargeInvalid(t *testing.T) {
	cases := map[string]struct {
		given  string
		field  string
		mutate func(c *dom.PlanDischargeCmd)
	}{
		"unknown pathway":         {"admitted", "pathway", func(c *dom.PlanDischargeCmd) { c.Pathway = "P4" }},
		"no pathway":              {"admitted", "pathway", func(c *dom.PlanDischargeCmd) { c.Pathway = "" }},
		"date not ISO":            {"admitted", "expectedDate", func(c *dom.PlanDischargeCmd) { c.ExpectedDate = "24/11/2026" }},
		"date with a time":        {"admitted", "expectedDate", func(c *dom.PlanDischargeCmd) { c.ExpectedDate = "2026-11-24T12:00:00Z" }},
		"no such date":            {"admitted", "expectedDate", func(c *dom.PlanDischargeCmd) { c.ExpectedDate = "2026-02-30" }},
		"date in the past":        {"admitted", "expectedDate", func(c *dom.PlanDischargeCmd) { c.ExpectedDate = "2026-11-20" }},
		"revised into the past":   {"planned", "expectedDate", func(c *dom.PlanDischargeCmd) { c.ExpectedDate = "2026-11-20" }},
		"another pathway":         {"planned", "pathway", func(c *dom.PlanDischargeCmd) { c.Pathway = discharge.PathwayP2 }},
		"another pathway, undone": {"cancelled, back to plan", "pathway", func(c *dom.PlanDischargeCmd) { c.Pathway = discharge.PathwayP3 }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := planCmd()
			c.mutate(&cmd)
			aggregatetest.Invalid(t, stay, histories()[c.given], dom.PlanDischarge(cmd, rules), c.field)
		})
	}
}

func TestPlanDischargeNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.PlanDischarge(planCmd(), rules), domain.ErrNotFound)
}
