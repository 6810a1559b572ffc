package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func assignCmd(clinician string, role homevisits.Role) domain.AssignVisitCmd {
	return domain.AssignVisitCmd{ClinicianID: clinician, Role: role, Now: at(15 * time.Minute)}
}

func TestAssignVisit(t *testing.T) {
	t.Run("to a paramedic, carrying the urgency and window", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusTriaged],
			domain.AssignVisit(rules, assignCmd(jess, homevisits.RoleParamedic)), assigned)
	})
	for _, role := range homevisits.Roles() {
		t.Run("to a "+string(role), func(t *testing.T) {
			want := assigned
			want.ClinicianID, want.Role = "someone-"+string(role), role
			aggregatetest.Then(t, visitType, histories[domain.StatusTriaged],
				domain.AssignVisit(rules, assignCmd(want.ClinicianID, role)), want)
		})
	}
	for _, st := range []domain.Status{domain.StatusAssigned, domain.StatusAccepted} {
		t.Run("to whoever holds it already records nothing when "+string(st), func(t *testing.T) {
			aggregatetest.Then(t, visitType, histories[st], domain.AssignVisit(rules, assignCmd(jess, homevisits.RoleParamedic)))
		})
	}
	notFound(t, domain.AssignVisit(rules, assignCmd(owen, homevisits.RoleParamedic)))
	// To anyone else once assigned (use reassign), before triage, or after.
	refusedOutside(t, domain.AssignVisit(rules, assignCmd(owen, homevisits.RoleParamedic)), domain.StatusTriaged)
}

func TestAssignVisitInvalid(t *testing.T) {
	given := histories[domain.StatusTriaged]
	aggregatetest.Invalid(t, visitType, given, domain.AssignVisit(rules, assignCmd("", homevisits.RoleParamedic)), "clinicianId")
	aggregatetest.Invalid(t, visitType, given, domain.AssignVisit(rules, assignCmd("Jess Patel", homevisits.RoleParamedic)), "clinicianId")
	aggregatetest.Invalid(t, visitType, given, domain.AssignVisit(rules, assignCmd("pharm-ravi-shah", "clinical-pharmacist")), "clinicianId")
	aggregatetest.Invalid(t, visitType, given, domain.AssignVisit(rules, assignCmd(jess, "")), "clinicianId")

	noGPs := domain.DefaultRules()
	noGPs.VisitRoles = []homevisits.Role{homevisits.RoleParamedic, homevisits.RoleAdvancedPractitioner}
	aggregatetest.Invalid(t, visitType, given, domain.AssignVisit(noGPs, assignCmd("gp-tom-hughes", homevisits.RoleGP)), "clinicianId")
}
