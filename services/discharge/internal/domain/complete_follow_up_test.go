package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func completeCmd() dom.CompleteFollowUpCmd {
	return dom.CompleteFollowUpCmd{ClinicianID: nurse, ClinicianRole: "district-nurse", Outcome: discharge.OutcomeNeedsMet,
		CompletedAt: dischargedAt.Add(20 * time.Hour), Now: dischargedAt.Add(22 * time.Hour)}
}

func TestCompleteFollowUp(t *testing.T) {
	aggregatetest.Then(t, stay, histories()["follow-up assigned"], dom.CompleteFollowUp(completeCmd()), completed())
}

func TestCompleteFollowUpLateness(t *testing.T) {
	due := dischargedAt.Add(24 * time.Hour)
	for name, c := range map[string]struct {
		at   time.Time
		late bool
	}{
		"at the deadline": {due, false},
		"a minute after":  {due.Add(time.Minute), true},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := completeCmd()
			cmd.CompletedAt, cmd.Now = c.at, c.at.Add(time.Hour)
			want := completed()
			want.CompletedAt, want.Late = c.at, c.late
			aggregatetest.Then(t, stay, histories()["follow-up assigned"], dom.CompleteFollowUp(cmd), want)
		})
	}
}

func TestCompleteFollowUpClosesTheStayWhenTheSummaryIsIn(t *testing.T) {
	h := then(histories()["follow-up assigned"], summary())
	aggregatetest.Then(t, stay, h, dom.CompleteFollowUp(completeCmd()), completed(),
		discharge.StayClosed{ClosedAt: dischargedAt.Add(22 * time.Hour), FollowUp: discharge.ClosureFollowUpCompleted})
}

func TestCompleteFollowUpAgainRecordsNothing(t *testing.T) {
	cmd := completeCmd()
	cmd.Now = cmd.Now.Add(48 * time.Hour)
	for name, h := range in(t, "follow-up completed", "closed") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.CompleteFollowUp(cmd))
		})
	}
}

func TestCompleteFollowUpTransitions(t *testing.T) {
	checkTransitions(t, dom.CompleteFollowUp(completeCmd()),
		withoutDischarge("discharged", "discharged, none owed", "discharged+summary", "re-discharged after undo",
			"follow-up missed", "closed, no follow-up")...)
	// Another completion than the one recorded is refused.
	other := completeCmd()
	other.Outcome = discharge.OutcomeEscalatedToGP
	for name, h := range in(t, "follow-up completed", "closed") {
		t.Run("another completion when "+name, func(t *testing.T) {
			aggregatetest.Refused(t, stay, h, dom.CompleteFollowUp(other), statusOf(h))
		})
	}
}

func TestCompleteFollowUpInvalid(t *testing.T) {
	cases := map[string]struct {
		field  string
		mutate func(c *dom.CompleteFollowUpCmd)
	}{
		"no clinician":     {"clinicianId", func(c *dom.CompleteFollowUpCmd) { c.ClinicianID = "" }},
		"clinician name":   {"clinicianId", func(c *dom.CompleteFollowUpCmd) { c.ClinicianID = "Maria Silva" }},
		"no role":          {"clinicianRole", func(c *dom.CompleteFollowUpCmd) { c.ClinicianRole = "" }},
		"unknown outcome":  {"outcome", func(c *dom.CompleteFollowUpCmd) { c.Outcome = "fine" }},
		"no time":          {"completedAt", func(c *dom.CompleteFollowUpCmd) { c.CompletedAt = time.Time{} }},
		"before discharge": {"completedAt", func(c *dom.CompleteFollowUpCmd) { c.CompletedAt = dischargedAt.Add(-time.Minute) }},
		"in the future":    {"completedAt", func(c *dom.CompleteFollowUpCmd) { c.Now = c.CompletedAt.Add(-time.Hour) }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := completeCmd()
			c.mutate(&cmd)
			aggregatetest.Invalid(t, stay, histories()["follow-up assigned"], dom.CompleteFollowUp(cmd), c.field)
		})
	}
}

func TestCompleteFollowUpNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.CompleteFollowUp(completeCmd()), domain.ErrNotFound)
}
