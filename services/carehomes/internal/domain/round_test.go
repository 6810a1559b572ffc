package domain_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	kitdomain "github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

func scheduleCmd() domain.ScheduleRoundCmd {
	return domain.ScheduleRoundCmd{
		RoundID: ref.RoundID, CareHomeID: willow, Area: area, Week: "2026-W48",
		PlannedStart: plannedStart, ClinicalLead: leadGP, ClinicalLeadRole: "gp",
	}
}

func TestScheduleRound(t *testing.T) {
	t.Run("opens the round", func(t *testing.T) {
		aggregatetest.Then(t, roundType, nil, domain.ScheduleRound(scheduleCmd(), rules), roundScheduled())
	})
	t.Run("the week is the home's calendar week, not UTC's", func(t *testing.T) {
		// 23:30 UTC on Sunday 7 June 2026 is 00:30 BST on Monday 8 June: week 24.
		cmd := scheduleCmd()
		cmd.Week, cmd.PlannedStart = "2026-W24", time.Date(2026, 6, 7, 23, 30, 0, 0, time.UTC)
		want := roundScheduled()
		want.Week, want.PlannedStart = cmd.Week, cmd.PlannedStart
		aggregatetest.Then(t, roundType, nil, domain.ScheduleRound(cmd, rules), want)
		cmd.Week = "2026-W23"
		aggregatetest.Invalid(t, roundType, nil, domain.ScheduleRound(cmd, rules), "plannedStart")
	})
	for name, given := range roundStates() {
		t.Run("already exists when "+name, func(t *testing.T) {
			aggregatetest.Fails(t, roundType, given, domain.ScheduleRound(scheduleCmd(), rules), kitdomain.ErrAlreadyExists)
		})
	}
	invalid := map[string]func(*domain.ScheduleRoundCmd){
		"roundId":          func(c *domain.ScheduleRoundCmd) { c.RoundID = "r 1" },
		"careHomeId":       func(c *domain.ScheduleRoundCmd) { c.CareHomeID = "" },
		"area":             func(c *domain.ScheduleRoundCmd) { c.Area = "u84001" },
		"week":             func(c *domain.ScheduleRoundCmd) { c.Week = "2026-48" },
		"plannedStart":     func(c *domain.ScheduleRoundCmd) { c.PlannedStart = time.Time{} },
		"clinicalLead":     func(c *domain.ScheduleRoundCmd) { c.ClinicalLead = "Dr Okafor" },
		"clinicalLeadRole": func(c *domain.ScheduleRoundCmd) { c.ClinicalLeadRole = "" },
	}
	for field, spoil := range invalid {
		t.Run("invalid "+field, func(t *testing.T) {
			cmd := scheduleCmd()
			spoil(&cmd)
			aggregatetest.Invalid(t, roundType, nil, domain.ScheduleRound(cmd, rules), field)
		})
	}
	t.Run("planned start outside the week", func(t *testing.T) {
		cmd := scheduleCmd()
		cmd.PlannedStart = plannedStart.AddDate(0, 0, 7)
		aggregatetest.Invalid(t, roundType, nil, domain.ScheduleRound(cmd, rules), "plannedStart")
	})
	t.Run("unusable rules fail, recording nothing", func(t *testing.T) {
		got, err := domain.ScheduleRound(scheduleCmd(), domain.Rules{})(domain.RoundState{}, 0)
		if err == nil || len(got) != 0 {
			t.Fatalf("decide = %v, %v; want an error", got, err)
		}
	})
}

func nominateCy() domain.NominateResidentCmd {
	return domain.NominateResidentCmd{Patient: cy, NominatedBy: "home", Reason: "  weight loss  ", Priority: "urgent"}
}

func cyNominated() carehomes.ResidentNominated {
	return carehomes.ResidentNominated{RoundRef: ref, Patient: cy, NominatedBy: carehomes.NominatorHome, Reason: "weight loss", Priority: carehomes.PriorityUrgent}
}

func TestNominateResident(t *testing.T) {
	t.Run("adds a resident to the list", func(t *testing.T) {
		aggregatetest.Then(t, roundType, scheduled(), domain.NominateResident(nominateCy()), cyNominated())
	})
	t.Run("puts a withdrawn resident back", func(t *testing.T) {
		given := with(scheduled(), cyNominated(), carehomes.NominationWithdrawn{RoundRef: ref, Patient: cy, Reason: "improved"})
		aggregatetest.Then(t, roundType, given, domain.NominateResident(nominateCy()), cyNominated())
	})
	t.Run("the same nomination again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, roundType, with(scheduled(), cyNominated()), domain.NominateResident(nominateCy()))
		again := domain.NominateResidentCmd{Patient: ada, NominatedBy: "home", Reason: "two falls this week", Priority: "high"}
		aggregatetest.Then(t, roundType, held(), domain.NominateResident(again))
	})
	for state, given := range except(roundStates(), "scheduled") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, roundType, given, domain.NominateResident(nominateCy()), state)
		})
	}
	t.Run("a second, different nomination is refused", func(t *testing.T) {
		cmd := nominateCy()
		cmd.Priority = "routine"
		aggregatetest.Refused(t, roundType, with(scheduled(), cyNominated()), domain.NominateResident(cmd), "scheduled")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.NominateResident(nominateCy()), kitdomain.ErrNotFound)
	})
	invalid := []struct {
		field string
		spoil func(*domain.NominateResidentCmd)
	}{
		{"patient", func(c *domain.NominateResidentCmd) { c.Patient = "" }},
		{"patient", func(c *domain.NominateResidentCmd) { c.Patient = nhsNumber }},
		{"patient", func(c *domain.NominateResidentCmd) { c.Patient = "Ada Lovelace" }},
		{"nominatedBy", func(c *domain.NominateResidentCmd) { c.NominatedBy = "gp" }},
		{"reason", func(c *domain.NominateResidentCmd) { c.Reason = "   " }},
		{"reason", func(c *domain.NominateResidentCmd) { c.Reason = longText }},
		{"reason", func(c *domain.NominateResidentCmd) { c.Reason = "falls\x00" }},
		{"priority", func(c *domain.NominateResidentCmd) { c.Priority = "" }},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.field, func(t *testing.T) {
			cmd := nominateCy()
			tc.spoil(&cmd)
			aggregatetest.Invalid(t, roundType, scheduled(), domain.NominateResident(cmd), tc.field)
		})
	}
}

func TestWithdrawNomination(t *testing.T) {
	cmd := domain.WithdrawNominationCmd{Patient: ada, Reason: "seen by the duty GP yesterday"}
	withdrawn := carehomes.NominationWithdrawn{RoundRef: ref, Patient: ada, Reason: cmd.Reason}
	t.Run("takes the resident off the list", func(t *testing.T) {
		aggregatetest.Then(t, roundType, scheduled(), domain.WithdrawNomination(cmd), withdrawn)
	})
	t.Run("withdrawing again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, roundType, with(scheduled(), withdrawn), domain.WithdrawNomination(cmd))
	})
	for state, given := range except(roundStates(), "scheduled") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, roundType, given, domain.WithdrawNomination(cmd), state)
		})
	}
	t.Run("refused for a resident not nominated", func(t *testing.T) {
		aggregatetest.Refused(t, roundType, scheduled(), domain.WithdrawNomination(domain.WithdrawNominationCmd{Patient: cy, Reason: "x"}), "scheduled")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.WithdrawNomination(cmd), kitdomain.ErrNotFound)
	})
	t.Run("invalid patient", func(t *testing.T) {
		aggregatetest.Invalid(t, roundType, scheduled(), domain.WithdrawNomination(domain.WithdrawNominationCmd{Patient: nhsNumber, Reason: "x"}), "patient")
	})
	t.Run("invalid reason", func(t *testing.T) {
		aggregatetest.Invalid(t, roundType, scheduled(), domain.WithdrawNomination(domain.WithdrawNominationCmd{Patient: ada}), "reason")
	})
}

func holdCmd() domain.HoldRoundCmd {
	return domain.HoldRoundCmd{Attendees: attendees, StartedAt: heldStart, EndedAt: heldEnd, Now: afterRound}
}

func TestHoldRound(t *testing.T) {
	t.Run("records the round held", func(t *testing.T) {
		aggregatetest.Then(t, roundType, scheduled(), domain.HoldRound(holdCmd()), roundHeld())
	})
	t.Run("the same again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, roundType, held(), domain.HoldRound(holdCmd()))
		aggregatetest.Then(t, roundType, closed(), domain.HoldRound(holdCmd()))
	})
	for state, given := range only(roundStates(), "held", "closed") {
		t.Run("refused when "+state+" with other details", func(t *testing.T) {
			cmd := holdCmd()
			cmd.EndedAt = heldEnd.Add(time.Minute)
			aggregatetest.Refused(t, roundType, given, domain.HoldRound(cmd), state)
		})
	}
	for state, given := range only(roundStates(), "cancelled") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, roundType, given, domain.HoldRound(holdCmd()), state)
		})
	}
	t.Run("refused with nobody nominated", func(t *testing.T) {
		aggregatetest.Refused(t, roundType, []events.Data{roundScheduled()}, domain.HoldRound(holdCmd()), "scheduled")
		allWithdrawn := with(scheduled(),
			carehomes.NominationWithdrawn{RoundRef: ref, Patient: ada, Reason: "x"},
			carehomes.NominationWithdrawn{RoundRef: ref, Patient: bo, Reason: "y"})
		aggregatetest.Refused(t, roundType, allWithdrawn, domain.HoldRound(holdCmd()), "scheduled")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.HoldRound(holdCmd()), kitdomain.ErrNotFound)
	})
	invalid := []struct {
		field string
		spoil func(*domain.HoldRoundCmd)
	}{
		{"attendees", func(c *domain.HoldRoundCmd) { c.Attendees = nil }},
		{"attendees[1].clinicianId", func(c *domain.HoldRoundCmd) {
			c.Attendees = []carehomes.Attendee{attendees[0], {ClinicianID: "", Role: "gp"}}
		}},
		{"attendees[0].role", func(c *domain.HoldRoundCmd) { c.Attendees = []carehomes.Attendee{{ClinicianID: leadGP}} }},
		{"attendees[1].clinicianId", func(c *domain.HoldRoundCmd) { c.Attendees = []carehomes.Attendee{attendees[0], attendees[0]} }},
		{"startedAt", func(c *domain.HoldRoundCmd) { c.StartedAt = time.Time{} }},
		{"endedAt", func(c *domain.HoldRoundCmd) { c.EndedAt = time.Time{} }},
		{"endedAt", func(c *domain.HoldRoundCmd) { c.EndedAt = c.StartedAt }},
		{"endedAt", func(c *domain.HoldRoundCmd) { c.EndedAt = c.StartedAt.Add(13 * time.Hour); c.Now = c.EndedAt }},
		{"endedAt", func(c *domain.HoldRoundCmd) { c.Now = c.EndedAt.Add(-time.Hour) }},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.field, func(t *testing.T) {
			cmd := holdCmd()
			tc.spoil(&cmd)
			aggregatetest.Invalid(t, roundType, scheduled(), domain.HoldRound(cmd), tc.field)
		})
	}
}

func reviewAda() domain.ReviewResidentCmd {
	return domain.ReviewResidentCmd{Patient: ada, ReviewedBy: leadGP, Outcome: "no injury; lying and standing BP taken", FollowUp: "falls clinic referral"}
}

func TestReviewResident(t *testing.T) {
	t.Run("records the review with the reviewer's role from the attendance", func(t *testing.T) {
		aggregatetest.Then(t, roundType, held(), domain.ReviewResident(reviewAda()), adaReviewed())
		cmd := domain.ReviewResidentCmd{Patient: bo, ReviewedBy: pharm, Outcome: "reduce risperidone"}
		aggregatetest.Then(t, roundType, held(), domain.ReviewResident(cmd), carehomes.ResidentReviewed{
			RoundRef: ref, Patient: bo, ReviewedBy: pharm, ReviewerRole: "clinical-pharmacist", Outcome: "reduce risperidone",
		})
	})
	t.Run("the same review again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, roundType, with(held(), adaReviewed()), domain.ReviewResident(reviewAda()))
		aggregatetest.Then(t, roundType, closed(), domain.ReviewResident(reviewAda()))
	})
	for state, given := range except(roundStates(), "held") {
		t.Run("refused when "+state, func(t *testing.T) {
			cmd := reviewAda()
			cmd.Outcome = "something else"
			aggregatetest.Refused(t, roundType, given, domain.ReviewResident(cmd), state)
		})
	}
	t.Run("refused for a resident who was not nominated", func(t *testing.T) {
		cmd := reviewAda()
		cmd.Patient = cy
		aggregatetest.Refused(t, roundType, held(), domain.ReviewResident(cmd), "held")
	})
	t.Run("refused for a resident whose nomination was withdrawn", func(t *testing.T) {
		given := with(scheduled(), cyNominated(), carehomes.NominationWithdrawn{RoundRef: ref, Patient: cy, Reason: "x"}, roundHeld())
		cmd := reviewAda()
		cmd.Patient = cy
		aggregatetest.Refused(t, roundType, given, domain.ReviewResident(cmd), "held")
	})
	t.Run("refused for a resident who already has an outcome", func(t *testing.T) {
		cmd := reviewAda()
		cmd.Outcome = "a second opinion"
		aggregatetest.Refused(t, roundType, with(held(), adaReviewed()), domain.ReviewResident(cmd), "held")
		cmd.Patient = bo
		aggregatetest.Refused(t, roundType, with(held(), boNotReviewed()), domain.ReviewResident(cmd), "held")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.ReviewResident(reviewAda()), kitdomain.ErrNotFound)
	})
	invalid := []struct {
		field string
		spoil func(*domain.ReviewResidentCmd)
	}{
		{"patient", func(c *domain.ReviewResidentCmd) { c.Patient = nhsNumber }},
		{"reviewedBy", func(c *domain.ReviewResidentCmd) { c.ReviewedBy = "" }},
		{"reviewedBy", func(c *domain.ReviewResidentCmd) { c.ReviewedBy = nurse }}, // did not attend
		{"outcome", func(c *domain.ReviewResidentCmd) { c.Outcome = "" }},
		{"outcome", func(c *domain.ReviewResidentCmd) { c.Outcome = longText }},
		{"followUp", func(c *domain.ReviewResidentCmd) { c.FollowUp = longText }},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.field, func(t *testing.T) {
			cmd := reviewAda()
			tc.spoil(&cmd)
			aggregatetest.Invalid(t, roundType, held(), domain.ReviewResident(cmd), tc.field)
		})
	}
}

func TestRecordNotReviewed(t *testing.T) {
	cmd := domain.RecordNotReviewedCmd{Patient: bo, Reason: "asleep"}
	t.Run("records the outcome", func(t *testing.T) {
		aggregatetest.Then(t, roundType, held(), domain.RecordNotReviewed(cmd), boNotReviewed())
		other := domain.RecordNotReviewedCmd{Patient: bo, Reason: "other", Note: "at the dentist"}
		aggregatetest.Then(t, roundType, held(), domain.RecordNotReviewed(other),
			carehomes.ResidentNotReviewed{RoundRef: ref, Patient: bo, Reason: carehomes.NotReviewedOther, Note: "at the dentist"})
	})
	t.Run("the same outcome again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, roundType, with(held(), boNotReviewed()), domain.RecordNotReviewed(cmd))
		aggregatetest.Then(t, roundType, closed(), domain.RecordNotReviewed(cmd))
	})
	for state, given := range except(roundStates(), "held") {
		t.Run("refused when "+state, func(t *testing.T) {
			c := cmd
			c.Reason = "unwell"
			aggregatetest.Refused(t, roundType, given, domain.RecordNotReviewed(c), state)
		})
	}
	t.Run("refused for a resident who was not nominated", func(t *testing.T) {
		aggregatetest.Refused(t, roundType, held(), domain.RecordNotReviewed(domain.RecordNotReviewedCmd{Patient: cy, Reason: "asleep"}), "held")
	})
	t.Run("refused for a resident who already has an outcome", func(t *testing.T) {
		aggregatetest.Refused(t, roundType, with(held(), adaReviewed()), domain.RecordNotReviewed(domain.RecordNotReviewedCmd{Patient: ada, Reason: "asleep"}), "held")
		aggregatetest.Refused(t, roundType, with(held(), boNotReviewed()), domain.RecordNotReviewed(domain.RecordNotReviewedCmd{Patient: bo, Reason: "time"}), "held")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.RecordNotReviewed(cmd), kitdomain.ErrNotFound)
	})
	for field, c := range map[string]domain.RecordNotReviewedCmd{
		"patient": {Patient: "", Reason: "asleep"},
		"reason":  {Patient: bo, Reason: "on holiday"},
		"note":    {Patient: bo, Reason: "other"},
	} {
		t.Run("invalid "+field, func(t *testing.T) {
			aggregatetest.Invalid(t, roundType, held(), domain.RecordNotReviewed(c), field)
		})
	}
}

func raiseCmd() domain.RaiseActionCmd {
	return domain.RaiseActionCmd{ActionID: "a-1", Patient: ada, Description: "refer to falls clinic", OwnerClinicianID: nurse, OwnerRole: "community-nurse", DueOn: "2026-11-27", Now: afterRound}
}

func TestRaiseAction(t *testing.T) {
	t.Run("raises an action owned by a clinician", func(t *testing.T) {
		aggregatetest.Then(t, roundType, held(), domain.RaiseAction(raiseCmd(), rules), adaAction())
	})
	t.Run("raises an action owned by a team, due today", func(t *testing.T) {
		cmd := domain.RaiseActionCmd{ActionID: "a-2", Patient: bo, Description: "weigh weekly", OwnerTeamID: ictTeam, DueOn: "2026-11-24", Now: afterRound}
		aggregatetest.Then(t, roundType, held(), domain.RaiseAction(cmd, rules), carehomes.ActionRaised{
			RoundRef: ref, ActionID: "a-2", Patient: bo, Description: "weigh weekly", OwnerTeamID: ictTeam, DueOn: "2026-11-24",
		})
	})
	t.Run("the same action again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, roundType, with(held(), adaAction()), domain.RaiseAction(raiseCmd(), rules))
		later := raiseCmd()
		later.Now = time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC) // after the due date: still a retry
		aggregatetest.Then(t, roundType, closed(), domain.RaiseAction(later, rules))
	})
	for state, given := range except(roundStates(), "held") {
		t.Run("refused when "+state, func(t *testing.T) {
			cmd := raiseCmd()
			cmd.ActionID = "a-9"
			aggregatetest.Refused(t, roundType, given, domain.RaiseAction(cmd, rules), state)
		})
	}
	t.Run("refused when the id is taken by another action", func(t *testing.T) {
		cmd := raiseCmd()
		cmd.Description = "something else"
		aggregatetest.Refused(t, roundType, with(held(), adaAction()), domain.RaiseAction(cmd, rules), "held")
	})
	t.Run("refused for a resident not nominated", func(t *testing.T) {
		cmd := raiseCmd()
		cmd.Patient = cy
		aggregatetest.Refused(t, roundType, held(), domain.RaiseAction(cmd, rules), "held")
		given := with(scheduled(), cyNominated(), carehomes.NominationWithdrawn{RoundRef: ref, Patient: cy, Reason: "x"}, roundHeld())
		aggregatetest.Refused(t, roundType, given, domain.RaiseAction(cmd, rules), "held")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.RaiseAction(raiseCmd(), rules), kitdomain.ErrNotFound)
	})
	invalid := []struct {
		field string
		spoil func(*domain.RaiseActionCmd)
	}{
		{"actionId", func(c *domain.RaiseActionCmd) { c.ActionID = "" }},
		{"patient", func(c *domain.RaiseActionCmd) { c.Patient = nhsNumber }},
		{"description", func(c *domain.RaiseActionCmd) { c.Description = "" }},
		{"ownerClinicianId", func(c *domain.RaiseActionCmd) { c.OwnerClinicianID, c.OwnerRole = "", "" }},
		{"ownerClinicianId", func(c *domain.RaiseActionCmd) { c.OwnerClinicianID = "Kate Ward" }},
		{"ownerTeamId", func(c *domain.RaiseActionCmd) { c.OwnerTeamID = ictTeam }},
		{"ownerTeamId", func(c *domain.RaiseActionCmd) { c.OwnerClinicianID, c.OwnerRole, c.OwnerTeamID = "", "", "Team!" }},
		{"ownerRole", func(c *domain.RaiseActionCmd) { c.OwnerRole = "" }},
		{"ownerRole", func(c *domain.RaiseActionCmd) { c.OwnerClinicianID, c.OwnerTeamID = "", ictTeam }},
		{"dueOn", func(c *domain.RaiseActionCmd) { c.DueOn = "27/11/2026" }},
		{"dueOn", func(c *domain.RaiseActionCmd) { c.DueOn = "2026-11-23" }}, // yesterday
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.field, func(t *testing.T) {
			cmd := raiseCmd()
			tc.spoil(&cmd)
			aggregatetest.Invalid(t, roundType, held(), domain.RaiseAction(cmd, rules), tc.field)
		})
	}
}

func TestCompleteAction(t *testing.T) {
	done := time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC)
	cmd := domain.CompleteActionCmd{ActionID: "a-1", Note: "referral sent", CompletedAt: done, Now: done.Add(time.Hour)}
	completed := carehomes.ActionCompleted{RoundRef: ref, ActionID: "a-1", Patient: ada, Note: "referral sent", CompletedAt: done, DueOn: "2026-11-27", OnTime: true}
	t.Run("completes an action on a held round", func(t *testing.T) {
		aggregatetest.Then(t, roundType, with(held(), adaAction()), domain.CompleteAction(cmd, rules), completed)
	})
	t.Run("completes an action after the round closed, late, at Now by default", func(t *testing.T) {
		now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		late := domain.CompleteActionCmd{ActionID: "a-1", Note: "referral sent", Now: now}
		want := completed
		want.CompletedAt, want.OnTime = now, false
		aggregatetest.Then(t, roundType, closed(), domain.CompleteAction(late, rules), want)
	})
	t.Run("completing twice records nothing", func(t *testing.T) {
		again := cmd
		again.Note, again.CompletedAt = "a different note", time.Time{}
		aggregatetest.Then(t, roundType, with(closed(), completed), domain.CompleteAction(again, rules))
	})
	for state, given := range only(roundStates(), "scheduled", "cancelled") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, roundType, given, domain.CompleteAction(cmd, rules), state)
		})
	}
	t.Run("refused for an action never raised", func(t *testing.T) {
		aggregatetest.Refused(t, roundType, held(), domain.CompleteAction(cmd, rules), "held")
		other := cmd
		other.ActionID = "a-9"
		aggregatetest.Refused(t, roundType, closed(), domain.CompleteAction(other, rules), "closed")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.CompleteAction(cmd, rules), kitdomain.ErrNotFound)
	})
	invalid := []struct {
		field string
		spoil func(*domain.CompleteActionCmd)
	}{
		{"actionId", func(c *domain.CompleteActionCmd) { c.ActionID = "a 1" }},
		{"note", func(c *domain.CompleteActionCmd) { c.Note = "" }},
		{"completedAt", func(c *domain.CompleteActionCmd) { c.CompletedAt = c.Now.Add(time.Hour) }},
		{"completedAt", func(c *domain.CompleteActionCmd) { c.CompletedAt = heldStart.Add(-time.Minute) }},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.field, func(t *testing.T) {
			c := cmd
			tc.spoil(&c)
			aggregatetest.Invalid(t, roundType, with(held(), adaAction()), domain.CompleteAction(c, rules), tc.field)
		})
	}
}

func TestCloseRound(t *testing.T) {
	t.Run("closes when every nominated resident has an outcome", func(t *testing.T) {
		given := with(held(), adaReviewed(), boNotReviewed(), adaAction())
		aggregatetest.Then(t, roundType, given, domain.CloseRound(domain.CloseRoundCmd{}),
			carehomes.RoundClosed{RoundRef: ref, Reviewed: 1, NotReviewed: 1, OpenActions: 1})
	})
	t.Run("withdrawn residents need no outcome", func(t *testing.T) {
		given := with(scheduled(), cyNominated(), carehomes.NominationWithdrawn{RoundRef: ref, Patient: cy, Reason: "x"},
			roundHeld(), adaReviewed(), boNotReviewed())
		aggregatetest.Then(t, roundType, given, domain.CloseRound(domain.CloseRoundCmd{}),
			carehomes.RoundClosed{RoundRef: ref, Reviewed: 1, NotReviewed: 1, Withdrawn: 1})
	})
	t.Run("closing again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, roundType, closed(), domain.CloseRound(domain.CloseRoundCmd{}))
	})
	for state, given := range only(roundStates(), "scheduled", "cancelled") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, roundType, given, domain.CloseRound(domain.CloseRoundCmd{}), state)
		})
	}
	t.Run("refused while a resident has no outcome", func(t *testing.T) {
		aggregatetest.Refused(t, roundType, with(held(), adaReviewed()), domain.CloseRound(domain.CloseRoundCmd{}), "held")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.CloseRound(domain.CloseRoundCmd{}), kitdomain.ErrNotFound)
	})
}

func TestCancelRound(t *testing.T) {
	cmd := domain.CancelRoundCmd{Reason: "norovirus outbreak"}
	t.Run("cancels, naming who was still on the list", func(t *testing.T) {
		given := with(scheduled(), carehomes.NominationWithdrawn{RoundRef: ref, Patient: bo, Reason: "x"})
		aggregatetest.Then(t, roundType, given, domain.CancelRound(cmd),
			carehomes.RoundCancelled{RoundRef: ref, Reason: "norovirus outbreak", Nominated: []string{ada}})
		aggregatetest.Then(t, roundType, []events.Data{roundScheduled()}, domain.CancelRound(cmd),
			carehomes.RoundCancelled{RoundRef: ref, Reason: "norovirus outbreak", Nominated: []string{}})
	})
	t.Run("cancelling again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, roundType, cancelled(), domain.CancelRound(cmd))
	})
	for state, given := range only(roundStates(), "held", "closed") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, roundType, given, domain.CancelRound(cmd), state)
		})
	}
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, roundType, nil, domain.CancelRound(cmd), kitdomain.ErrNotFound)
	})
	t.Run("invalid reason", func(t *testing.T) {
		aggregatetest.Invalid(t, roundType, scheduled(), domain.CancelRound(domain.CancelRoundCmd{}), "reason")
	})
}

func TestRefusalNamesTheRoundAndItsState(t *testing.T) {
	s, v := aggregatetestGiven(held())
	_, err := domain.ReviewResident(domain.ReviewResidentCmd{Patient: cy, ReviewedBy: leadGP, Outcome: "x"})(s, v)
	want := "the round is held; it cannot be given an outcome for a resident who was not nominated"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v; want %q", err, want)
	}
}

func TestRouteRound(t *testing.T) {
	s, _ := aggregatetestGiven(held())
	if subject, a := domain.RouteRound(s); subject != "" || a != area {
		t.Fatalf("RouteRound = %q, %q; want no subject (many patients) and area %s", subject, a, area)
	}
}

// TestEvolveRoundLeavesItsInputAlone: the repository keeps the state it
// decided on while it evolves a copy, so evolving must not write through
// shared slices.
func TestEvolveRoundLeavesItsInputAlone(t *testing.T) {
	s, _ := aggregatetestGiven(with(held(), adaAction()))
	before, _ := json.Marshal(s)
	for _, e := range []events.Data{
		adaReviewed(), boNotReviewed(), cyNominated(),
		carehomes.NominationWithdrawn{RoundRef: ref, Patient: ada, Reason: "x"},
		carehomes.ActionCompleted{RoundRef: ref, ActionID: "a-1", Patient: ada, Note: "done", CompletedAt: afterRound, DueOn: "2026-11-27", OnTime: true},
		adaAction(),
	} {
		_ = domain.EvolveRound(s, e)
	}
	if after, _ := json.Marshal(s); string(after) != string(before) {
		t.Fatalf("EvolveRound changed its input:\nbefore %s\nafter  %s", before, after)
	}
}

func TestEvolveRoundIgnoresOtherEvents(t *testing.T) {
	s, _ := aggregatetestGiven(held())
	before, _ := json.Marshal(s)
	after, _ := json.Marshal(domain.EvolveRound(s, admitted()))
	if string(after) != string(before) {
		t.Fatal("a residency event changed a round")
	}
}

func aggregatetestGiven(given []events.Data) (domain.RoundState, int64) {
	return aggregatetest.Given(roundType, given...)
}
