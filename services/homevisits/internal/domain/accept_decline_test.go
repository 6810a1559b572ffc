package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func acceptCmd(clinician string) domain.AcceptVisitCmd {
	return domain.AcceptVisitCmd{ClinicianID: clinician, Now: at(20 * time.Minute)}
}

func declineCmd(clinician, reason string) domain.DeclineVisitCmd {
	return domain.DeclineVisitCmd{ClinicianID: clinician, Reason: reason, Now: at(20 * time.Minute)}
}

func TestAcceptVisit(t *testing.T) {
	t.Run("by the assigned clinician", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAssigned], domain.AcceptVisit(acceptCmd(jess)), accepted)
	})
	t.Run("again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAccepted], domain.AcceptVisit(acceptCmd(jess)))
	})
	for _, st := range []domain.Status{domain.StatusAssigned, domain.StatusAccepted} {
		t.Run("by anyone else when "+string(st), func(t *testing.T) {
			aggregatetest.Invalid(t, visitType, histories[st], domain.AcceptVisit(acceptCmd(owen)), "clinicianId")
			aggregatetest.Invalid(t, visitType, histories[st], domain.AcceptVisit(acceptCmd("")), "clinicianId")
		})
	}
	notFound(t, domain.AcceptVisit(acceptCmd(jess)))
	// Declined included: a clinician who declined cannot take it back; the
	// coordinator reassigns.
	refusedOutside(t, domain.AcceptVisit(acceptCmd(jess)), domain.StatusAssigned, domain.StatusAccepted)
}

func TestDeclineVisit(t *testing.T) {
	t.Run("before accepting", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAssigned],
			domain.DeclineVisit(declineCmd(jess, "On a cardiac arrest call ")), declined)
	})
	t.Run("after accepting, before setting off", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAccepted],
			domain.DeclineVisit(declineCmd(jess, "On a cardiac arrest call")), declined)
		s, _ := aggregatetest.Given(visitType, given(domain.StatusAccepted, declined)...)
		if s.Status != domain.StatusDeclined || !s.AcceptedAt.IsZero() || s.DeclineReason != declined.Reason {
			t.Fatalf("state after declining: %+v", s)
		}
	})
	t.Run("again by the same clinician records nothing", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusDeclined], domain.DeclineVisit(declineCmd(jess, "Still busy")))
	})
	for _, st := range []domain.Status{domain.StatusAssigned, domain.StatusAccepted} {
		t.Run("by anyone else when "+string(st), func(t *testing.T) {
			aggregatetest.Invalid(t, visitType, histories[st], domain.DeclineVisit(declineCmd(owen, "Busy")), "clinicianId")
		})
	}
	t.Run("reason", func(t *testing.T) {
		h := histories[domain.StatusAssigned]
		aggregatetest.Invalid(t, visitType, h, domain.DeclineVisit(declineCmd(jess, "")), "reason")
		aggregatetest.Invalid(t, visitType, h, domain.DeclineVisit(declineCmd(jess, " \t")), "reason")
		aggregatetest.Invalid(t, visitType, h, domain.DeclineVisit(declineCmd(jess, strings.Repeat("r", domain.MaxReasonLen+1))), "reason")
	})
	notFound(t, domain.DeclineVisit(declineCmd(jess, "Busy")))
	refusedOutside(t, domain.DeclineVisit(declineCmd(jess, "Busy")),
		domain.StatusAssigned, domain.StatusAccepted, domain.StatusDeclined)
	t.Run("refused when declined, by anyone else", func(t *testing.T) {
		aggregatetest.Refused(t, visitType, histories[domain.StatusDeclined], domain.DeclineVisit(declineCmd(owen, "Busy")), "declined")
	})
}

// TestClinicianEventsNameTheAssignment: role and id on clinician events
// come from the assignment, never from the command.
func TestClinicianEventsNameTheAssignment(t *testing.T) {
	h := given(domain.StatusTriaged, homevisits.VisitAssigned{ClinicianID: sam, Role: homevisits.RoleAdvancedPractitioner,
		Urgency: "urgent", Window: urgentWindow, AssignedAt: at(15 * time.Minute)})
	aggregatetest.Then(t, visitType, h, domain.AcceptVisit(acceptCmd(sam)),
		homevisits.AssignmentAccepted{ClinicianID: sam, Role: homevisits.RoleAdvancedPractitioner, AcceptedAt: at(20 * time.Minute)})
}
