package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func summaryCmd() dom.ReceiveSummaryCmd {
	return dom.ReceiveSummaryCmd{ReceivedAt: dischargedAt.Add(3 * time.Hour), Now: afterwards}
}

func TestReceiveSummary(t *testing.T) {
	// The follow-up is still owed, so the stay stays open.
	for name, h := range in(t, "discharged", "follow-up assigned", "re-discharged after undo") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.ReceiveSummary(summaryCmd()), summary())
		})
	}
}

func TestReceiveSummaryLateness(t *testing.T) {
	due := dischargedAt.Add(24 * time.Hour)
	for name, c := range map[string]struct {
		at   time.Time
		late bool
	}{
		"at the deadline":        {due, false},
		"a second after":         {due.Add(time.Second), true},
		"a day after":            {due.Add(24 * time.Hour), true},
		"as the patient leaves":  {dischargedAt, false},
		"sent from a BST offset": {due.In(time.FixedZone("BST", 3600)), false},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := dom.ReceiveSummaryCmd{ReceivedAt: c.at, Now: c.at.Add(time.Minute)}
			aggregatetest.Then(t, stay, histories()["discharged"], dom.ReceiveSummary(cmd),
				discharge.DischargeSummaryReceived{ReceivedAt: c.at.UTC(), DueBy: due, Late: c.late})
		})
	}
}

func TestReceiveSummaryClosesASettledStay(t *testing.T) {
	late := dom.ReceiveSummaryCmd{ReceivedAt: dischargedAt.Add(30 * time.Hour), Now: dischargedAt.Add(31 * time.Hour)}
	received := discharge.DischargeSummaryReceived{ReceivedAt: late.ReceivedAt, DueBy: dischargedAt.Add(24 * time.Hour), Late: true}
	cases := map[string]struct {
		given string
		how   discharge.FollowUpClosure
	}{
		"after the follow-up":      {"follow-up completed", discharge.ClosureFollowUpCompleted},
		"after a missed follow-up": {"follow-up missed", discharge.ClosureFollowUpMissed},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, histories()[c.given], dom.ReceiveSummary(late), received,
				discharge.StayClosed{ClosedAt: late.Now, FollowUp: c.how, SummaryLate: true})
		})
	}
	t.Run("when no follow-up is owed", func(t *testing.T) {
		aggregatetest.Then(t, stay, histories()["discharged, none owed"], dom.ReceiveSummary(summaryCmd()), summary(),
			discharge.StayClosed{ClosedAt: afterwards, FollowUp: discharge.ClosureFollowUpNotRequired})
	})
	t.Run("not when a follow-up was assigned anyway", func(t *testing.T) {
		anyway := assigned()
		anyway.Pathway, anyway.Needs, anyway.DueBy = discharge.PathwayP0, nil, dischargedAt.Add(72*time.Hour)
		h := then(histories()["discharged, none owed"], anyway)
		aggregatetest.Then(t, stay, h, dom.ReceiveSummary(summaryCmd()), summary())
	})
}

func TestReceiveSummaryAgainRecordsNothing(t *testing.T) {
	cmd := summaryCmd()
	cmd.ReceivedAt = cmd.ReceivedAt.In(time.FixedZone("+01:00", 3600)) // the same instant
	for name, h := range in(t, "discharged+summary", "closed", "closed, no follow-up") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.ReceiveSummary(cmd))
		})
	}
}

func TestReceiveSummaryTransitions(t *testing.T) {
	checkTransitions(t, dom.ReceiveSummary(summaryCmd()), notDischarged...)
	// Another summary than the one received is refused.
	other := summaryCmd()
	other.ReceivedAt = other.ReceivedAt.Add(time.Hour)
	for name, h := range in(t, "discharged+summary", "closed", "closed, no follow-up") {
		t.Run("second summary when "+name, func(t *testing.T) {
			aggregatetest.Refused(t, stay, h, dom.ReceiveSummary(other), statusOf(h))
		})
	}
}

func TestReceiveSummaryInvalid(t *testing.T) {
	cases := map[string]dom.ReceiveSummaryCmd{
		"no time":          {Now: afterwards},
		"before discharge": {ReceivedAt: dischargedAt.Add(-time.Minute), Now: afterwards},
		"in the future":    {ReceivedAt: afterwards.Add(dom.MaxClockSkew + time.Second), Now: afterwards},
	}
	for name, cmd := range cases {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Invalid(t, stay, histories()["discharged"], dom.ReceiveSummary(cmd), "receivedAt")
		})
	}
}

func TestReceiveSummaryNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.ReceiveSummary(summaryCmd()), domain.ErrNotFound)
}
