package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func reassignCmd(clinician string, role homevisits.Role, reason string) domain.ReassignVisitCmd {
	return domain.ReassignVisitCmd{ClinicianID: clinician, Role: role, Reason: reason, Now: at(25 * time.Minute)}
}

func reassigned(to string, role homevisits.Role, reason string) homevisits.VisitReassigned {
	return homevisits.VisitReassigned{FromClinicianID: jess, FromRole: homevisits.RoleParamedic, ClinicianID: to,
		Role: role, Reason: reason, Urgency: "urgent", Window: urgentWindow, ReassignedAt: at(25 * time.Minute)}
}

func TestReassignVisit(t *testing.T) {
	for _, st := range []domain.Status{domain.StatusAssigned, domain.StatusAccepted, domain.StatusDeclined, domain.StatusTimedOut} {
		t.Run("when "+string(st), func(t *testing.T) {
			aggregatetest.Then(t, visitType, histories[st],
				domain.ReassignVisit(rules, reassignCmd(sam, homevisits.RoleAdvancedPractitioner, " Nearer ")),
				reassigned(sam, homevisits.RoleAdvancedPractitioner, "Nearer"))
		})
	}
	t.Run("without a reason", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAssigned],
			domain.ReassignVisit(rules, reassignCmd(owen, homevisits.RoleParamedic, "")),
			reassigned(owen, homevisits.RoleParamedic, ""))
	})
	t.Run("acceptance does not carry over: the new clinician must accept", func(t *testing.T) {
		h := given(domain.StatusAccepted, reassigned(owen, homevisits.RoleParamedic, ""))
		aggregatetest.Then(t, visitType, h, domain.AcceptVisit(domain.AcceptVisitCmd{ClinicianID: owen, Now: at(time.Hour)}),
			homevisits.AssignmentAccepted{ClinicianID: owen, Role: homevisits.RoleParamedic, AcceptedAt: at(time.Hour)})
		aggregatetest.Invalid(t, visitType, h, domain.AcceptVisit(domain.AcceptVisitCmd{ClinicianID: jess, Now: at(time.Hour)}), "clinicianId")
		aggregatetest.Invalid(t, visitType, h, domain.MarkEnRoute(domain.MarkEnRouteCmd{ClinicianID: jess, Now: at(time.Hour)}), "clinicianId")
	})
	for _, st := range []domain.Status{domain.StatusAssigned, domain.StatusAccepted} {
		t.Run("to whoever holds it records nothing when "+string(st), func(t *testing.T) {
			aggregatetest.Then(t, visitType, histories[st],
				domain.ReassignVisit(rules, reassignCmd(jess, homevisits.RoleParamedic, "")))
		})
	}
	notFound(t, domain.ReassignVisit(rules, reassignCmd(owen, homevisits.RoleParamedic, "")))
	refusedOutside(t, domain.ReassignVisit(rules, reassignCmd(owen, homevisits.RoleParamedic, "")),
		domain.StatusAssigned, domain.StatusAccepted, domain.StatusDeclined, domain.StatusTimedOut)
}

func TestReassignVisitInvalid(t *testing.T) {
	given := histories[domain.StatusAssigned]
	aggregatetest.Invalid(t, visitType, given, domain.ReassignVisit(rules, reassignCmd("", homevisits.RoleParamedic, "")), "clinicianId")
	aggregatetest.Invalid(t, visitType, given, domain.ReassignVisit(rules, reassignCmd("cc-nia-brown", "care-coordinator", "")), "clinicianId")
	aggregatetest.Invalid(t, visitType, given,
		domain.ReassignVisit(rules, reassignCmd(owen, homevisits.RoleParamedic, strings.Repeat("r", domain.MaxReasonLen+1))), "reason")
	// Back to the clinician who has just declined it.
	aggregatetest.Invalid(t, visitType, histories[domain.StatusDeclined],
		domain.ReassignVisit(rules, reassignCmd(jess, homevisits.RoleParamedic, "")), "clinicianId")
}
