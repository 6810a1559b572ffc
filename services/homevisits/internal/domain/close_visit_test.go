package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func completeCmd(clinician string, outcome homevisits.Outcome, notes string) domain.CompleteVisitCmd {
	return domain.CompleteVisitCmd{ClinicianID: clinician, Outcome: outcome, Notes: notes, Now: at(90 * time.Minute)}
}

func TestCompleteVisit(t *testing.T) {
	on := histories[domain.StatusOnSite]
	t.Run("managed at home", func(t *testing.T) {
		aggregatetest.Then(t, visitType, on, domain.CompleteVisit(completeCmd(jess, homevisits.OutcomeManagedAtHome, "")), complete)
	})
	for _, o := range homevisits.Outcomes() {
		t.Run(string(o)+" with notes", func(t *testing.T) {
			want := complete
			want.Outcome, want.Notes = o, strings.Repeat("n", domain.MaxNotesLen)
			aggregatetest.Then(t, visitType, on, domain.CompleteVisit(completeCmd(jess, o, want.Notes)), want)
		})
	}
	t.Run("invalid", func(t *testing.T) {
		aggregatetest.Invalid(t, visitType, on, domain.CompleteVisit(completeCmd(owen, homevisits.OutcomeManagedAtHome, "")), "clinicianId")
		aggregatetest.Invalid(t, visitType, on, domain.CompleteVisit(completeCmd(jess, "", "")), "outcome")
		aggregatetest.Invalid(t, visitType, on, domain.CompleteVisit(completeCmd(jess, "admitted", "")), "outcome")
		aggregatetest.Invalid(t, visitType, on, domain.CompleteVisit(completeCmd(jess, homevisits.OutcomeManagedAtHome,
			strings.Repeat("n", domain.MaxNotesLen+1))), "notes")
	})
	notFound(t, domain.CompleteVisit(completeCmd(jess, homevisits.OutcomeManagedAtHome, "")))
	// Only on site: a visit is not complete until someone has been there, and
	// a completed one cannot be completed again.
	refusedOutside(t, domain.CompleteVisit(completeCmd(jess, homevisits.OutcomeManagedAtHome, "")), domain.StatusOnSite)
}

func noAccessCmd(clinician, reason string) domain.RecordNoAccessCmd {
	return domain.RecordNoAccessCmd{ClinicianID: clinician, Reason: reason, Now: at(60 * time.Minute)}
}

func TestRecordNoAccess(t *testing.T) {
	for _, st := range []domain.Status{domain.StatusEnRoute, domain.StatusOnSite} {
		t.Run("when "+string(st), func(t *testing.T) {
			aggregatetest.Then(t, visitType, histories[st],
				domain.RecordNoAccess(noAccessCmd(jess, "No answer at the door or by phone")), noAccess)
		})
	}
	t.Run("invalid", func(t *testing.T) {
		h := histories[domain.StatusOnSite]
		aggregatetest.Invalid(t, visitType, h, domain.RecordNoAccess(noAccessCmd(owen, "No answer")), "clinicianId")
		aggregatetest.Invalid(t, visitType, h, domain.RecordNoAccess(noAccessCmd(jess, "")), "reason")
		aggregatetest.Invalid(t, visitType, h, domain.RecordNoAccess(noAccessCmd(jess, strings.Repeat("r", domain.MaxReasonLen+1))), "reason")
	})
	notFound(t, domain.RecordNoAccess(noAccessCmd(jess, "No answer")))
	refusedOutside(t, domain.RecordNoAccess(noAccessCmd(jess, "No answer")), domain.StatusEnRoute, domain.StatusOnSite)
}

var openStatuses = []domain.Status{domain.StatusRequested, domain.StatusTriaged, domain.StatusAssigned, domain.StatusAccepted,
	domain.StatusDeclined, domain.StatusTimedOut, domain.StatusEnRoute, domain.StatusOnSite}

// holderIn is who must be stood down when a visit in st closes.
func holderIn(st domain.Status) (string, homevisits.Role) {
	switch st {
	case domain.StatusAssigned, domain.StatusAccepted, domain.StatusEnRoute, domain.StatusOnSite:
		return jess, homevisits.RoleParamedic
	}
	return "", ""
}

func TestCancelVisit(t *testing.T) {
	for _, st := range openStatuses {
		t.Run("when "+string(st)+", naming whoever holds it", func(t *testing.T) {
			cmd := domain.CancelVisitCmd{Reason: homevisits.CancelAdmittedBeforeVisit, Now: at(time.Hour)}
			want := homevisits.VisitCancelled{Reason: homevisits.CancelAdmittedBeforeVisit, CancelledAt: at(time.Hour)}
			want.ClinicianID, want.Role = holderIn(st)
			aggregatetest.Then(t, visitType, histories[st], domain.CancelVisit(cmd), want)
		})
	}
	t.Run("every reason", func(t *testing.T) {
		for _, r := range homevisits.CancelReasons() {
			cmd := domain.CancelVisitCmd{Reason: r, Notes: "Daughter rang back", Now: at(time.Hour)}
			aggregatetest.Then(t, visitType, histories[domain.StatusRequested], domain.CancelVisit(cmd),
				homevisits.VisitCancelled{Reason: r, Notes: "Daughter rang back", CancelledAt: at(time.Hour)})
		}
	})
	t.Run("a duplicate of another visit", func(t *testing.T) {
		cmd := domain.CancelVisitCmd{Reason: homevisits.CancelDuplicate, DuplicateOf: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", Now: at(time.Hour)}
		aggregatetest.Then(t, visitType, histories[domain.StatusTriaged], domain.CancelVisit(cmd),
			homevisits.VisitCancelled{Reason: homevisits.CancelDuplicate, DuplicateOf: cmd.DuplicateOf, CancelledAt: at(time.Hour)})
	})
	t.Run("invalid", func(t *testing.T) {
		h := histories[domain.StatusTriaged]
		for _, c := range []struct {
			field string
			cmd   domain.CancelVisitCmd
		}{
			{"reason", domain.CancelVisitCmd{}},
			{"reason", domain.CancelVisitCmd{Reason: "changed-mind"}},
			{"notes", domain.CancelVisitCmd{Reason: homevisits.CancelOther}},
			{"notes", domain.CancelVisitCmd{Reason: homevisits.CancelDied, Notes: strings.Repeat("n", domain.MaxReasonLen+1)}},
			{"duplicateOf", domain.CancelVisitCmd{Reason: homevisits.CancelPatientCancelled, DuplicateOf: "v-1"}},
			{"duplicateOf", domain.CancelVisitCmd{Reason: homevisits.CancelDuplicate, DuplicateOf: "visit 1"}},
		} {
			aggregatetest.Invalid(t, visitType, h, domain.CancelVisit(c.cmd), c.field)
		}
	})
	cmd := domain.CancelVisitCmd{Reason: homevisits.CancelPatientCancelled, Now: at(time.Hour)}
	notFound(t, domain.CancelVisit(cmd))
	refusedOutside(t, domain.CancelVisit(cmd), openStatuses...)
}

func TestEscalateVisit(t *testing.T) {
	for _, st := range openStatuses {
		t.Run("to 999 when "+string(st)+", naming whoever holds it", func(t *testing.T) {
			cmd := domain.EscalateVisitCmd{To: homevisits.EscalateTo999, Reason: " Chest pain ", Now: at(time.Hour)}
			want := homevisits.VisitEscalated{To: homevisits.EscalateTo999, Reason: "Chest pain", EscalatedAt: at(time.Hour)}
			want.ClinicianID, want.Role = holderIn(st)
			aggregatetest.Then(t, visitType, histories[st], domain.EscalateVisit(cmd), want)
		})
	}
	t.Run("to the GP or UCR once triaged", func(t *testing.T) {
		for _, to := range []homevisits.EscalationTarget{homevisits.EscalateToGP, homevisits.EscalateToUCR} {
			cmd := domain.EscalateVisitCmd{To: to, Reason: "Needs a GP review", Now: at(time.Hour)}
			aggregatetest.Then(t, visitType, histories[domain.StatusOnSite], domain.EscalateVisit(cmd),
				homevisits.VisitEscalated{To: to, Reason: "Needs a GP review", ClinicianID: jess,
					Role: homevisits.RoleParamedic, EscalatedAt: at(time.Hour)})
		}
	})
	t.Run("invalid", func(t *testing.T) {
		h := histories[domain.StatusTriaged]
		aggregatetest.Invalid(t, visitType, h, domain.EscalateVisit(domain.EscalateVisitCmd{Reason: "x"}), "to")
		aggregatetest.Invalid(t, visitType, h, domain.EscalateVisit(domain.EscalateVisitCmd{To: "police", Reason: "x"}), "to")
		aggregatetest.Invalid(t, visitType, h, domain.EscalateVisit(domain.EscalateVisitCmd{To: homevisits.EscalateTo999}), "reason")
		aggregatetest.Invalid(t, visitType, h, domain.EscalateVisit(domain.EscalateVisitCmd{To: homevisits.EscalateTo999,
			Reason: strings.Repeat("r", domain.MaxReasonLen+1)}), "reason")
		// Not yet triaged, the request is with the duty GP already.
		aggregatetest.Invalid(t, visitType, histories[domain.StatusRequested],
			domain.EscalateVisit(domain.EscalateVisitCmd{To: homevisits.EscalateToGP, Reason: "x"}), "to")
	})
	cmd := domain.EscalateVisitCmd{To: homevisits.EscalateToUCR, Reason: "Nobody free", Now: at(time.Hour)}
	notFound(t, domain.EscalateVisit(cmd))
	refusedOutside(t, domain.EscalateVisit(cmd), openStatuses...)
}
