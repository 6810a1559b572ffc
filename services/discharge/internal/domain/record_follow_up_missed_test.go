package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func missCmd() dom.RecordFollowUpMissedCmd {
	return dom.RecordFollowUpMissedCmd{Reason: discharge.MissedNoAccess, Now: dischargedAt.Add(26 * time.Hour)}
}

func TestRecordFollowUpMissed(t *testing.T) {
	aggregatetest.Then(t, stay, histories()["follow-up assigned"], dom.RecordFollowUpMissed(missCmd()), missed())
}

func TestRecordFollowUpMissedOnlyOnceOverdue(t *testing.T) {
	due := dischargedAt.Add(24 * time.Hour)
	h := histories()["follow-up assigned"]
	for _, r := range []discharge.MissedReason{discharge.MissedNoAccess, discharge.MissedNotContactable, discharge.MissedTeamCapacity, discharge.MissedOther} {
		t.Run(string(r)+" at the deadline", func(t *testing.T) {
			aggregatetest.Refused(t, stay, h, dom.RecordFollowUpMissed(dom.RecordFollowUpMissedCmd{Reason: r, Now: due}), "discharged")
		})
		t.Run(string(r)+" just after", func(t *testing.T) {
			now := due.Add(time.Second)
			aggregatetest.Then(t, stay, h, dom.RecordFollowUpMissed(dom.RecordFollowUpMissedCmd{Reason: r, Now: now}),
				discharge.FollowUpMissed{TeamID: team, Reason: r, DueBy: due, RecordedAt: now})
		})
	}
	for _, r := range []discharge.MissedReason{discharge.MissedPatientDeclined, discharge.MissedPatientReadmitted} {
		t.Run(string(r)+" before the deadline", func(t *testing.T) {
			now := dischargedAt.Add(2 * time.Hour)
			aggregatetest.Then(t, stay, h, dom.RecordFollowUpMissed(dom.RecordFollowUpMissedCmd{Reason: r, Now: now}),
				discharge.FollowUpMissed{TeamID: team, Reason: r, DueBy: due, RecordedAt: now})
		})
	}
}

func TestRecordFollowUpMissedClosesTheStayWhenTheSummaryIsIn(t *testing.T) {
	h := then(histories()["follow-up assigned"], summary())
	aggregatetest.Then(t, stay, h, dom.RecordFollowUpMissed(missCmd()), missed(),
		discharge.StayClosed{ClosedAt: missCmd().Now, FollowUp: discharge.ClosureFollowUpMissed})
}

func TestRecordFollowUpMissedAgainRecordsNothing(t *testing.T) {
	cmd := missCmd()
	cmd.Now = cmd.Now.Add(time.Hour)
	aggregatetest.Then(t, stay, histories()["follow-up missed"], dom.RecordFollowUpMissed(cmd))
}

func TestRecordFollowUpMissedTransitions(t *testing.T) {
	checkTransitions(t, dom.RecordFollowUpMissed(missCmd()),
		withoutDischarge("discharged", "discharged, none owed", "discharged+summary", "re-discharged after undo",
			"follow-up completed", "closed", "closed, no follow-up")...)
	other := missCmd()
	other.Reason = discharge.MissedTeamCapacity
	aggregatetest.Refused(t, stay, histories()["follow-up missed"], dom.RecordFollowUpMissed(other), "discharged")
}

func TestRecordFollowUpMissedInvalid(t *testing.T) {
	aggregatetest.Invalid(t, stay, histories()["follow-up assigned"],
		dom.RecordFollowUpMissed(dom.RecordFollowUpMissedCmd{Reason: "forgot", Now: afterwards}), "reason")
}

func TestRecordFollowUpMissedNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.RecordFollowUpMissed(missCmd()), domain.ErrNotFound)
}
