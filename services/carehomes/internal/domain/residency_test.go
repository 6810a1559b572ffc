package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	kitdomain "github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

func admitCmd() domain.AdmitResidentCmd {
	return domain.AdmitResidentCmd{Patient: ada, CareHomeID: willow, Area: area, AdmittedAt: admittedAt, Now: admittedAt.Add(time.Hour)}
}

func TestAdmitResident(t *testing.T) {
	t.Run("starts the clock and prioritises the resident for an SMR", func(t *testing.T) {
		aggregatetest.Then(t, residencyType, nil, domain.AdmitResident(admitCmd(), rules), admitted())
	})
	t.Run("admitted now when no time is given", func(t *testing.T) {
		cmd := admitCmd()
		cmd.AdmittedAt, cmd.Now = time.Time{}, admittedAt
		aggregatetest.Then(t, residencyType, nil, domain.AdmitResident(cmd, rules), admitted())
	})
	t.Run("a return the caller knows of is a readmission", func(t *testing.T) {
		cmd := admitCmd()
		cmd.Readmission = true
		want := admitted()
		want.Readmission = true
		aggregatetest.Then(t, residencyType, nil, domain.AdmitResident(cmd, rules), want)
	})
	t.Run("readmits a discharged resident: a new stay, a new clock", func(t *testing.T) {
		back := time.Date(2026, 12, 18, 16, 0, 0, 0, time.UTC) // Friday: 25 and 28 December skipped, due Thursday 31st
		cmd := admitCmd()
		cmd.AdmittedAt, cmd.Now = back, back
		aggregatetest.Then(t, residencyType, residencyStates()["discharged"], domain.AdmitResident(cmd, rules),
			carehomes.ResidentAdmitted{Patient: ada, CareHomeID: willow, Area: area, Stay: 2, AdmittedAt: back,
				Readmission: true, PrioritisedForSMR: true, WorkingDays: 7, DueOn: "2026-12-31"})
	})
	for state, given := range only(residencyStates(), "admitted", "assessed", "care-planned") {
		t.Run("already exists when "+state, func(t *testing.T) {
			aggregatetest.Fails(t, residencyType, given, domain.AdmitResident(admitCmd(), rules), kitdomain.ErrAlreadyExists)
		})
	}
	t.Run("refused when died", func(t *testing.T) {
		cmd := admitCmd()
		cmd.AdmittedAt, cmd.Now = leftAt.Add(time.Hour), leftAt.Add(time.Hour)
		aggregatetest.Refused(t, residencyType, residencyStates()["died"], domain.AdmitResident(cmd, rules), "died")
	})
	invalid := []struct {
		field string
		given []events.Data
		spoil func(*domain.AdmitResidentCmd)
	}{
		{"patient", nil, func(c *domain.AdmitResidentCmd) { c.Patient = nhsNumber }},
		{"careHomeId", nil, func(c *domain.AdmitResidentCmd) { c.CareHomeID = "Willow Court" }},
		{"area", nil, func(c *domain.AdmitResidentCmd) { c.Area = "" }},
		{"admittedAt", nil, func(c *domain.AdmitResidentCmd) { c.AdmittedAt = c.Now.Add(time.Hour) }},
		{"patient", residencyStates()["discharged"], func(c *domain.AdmitResidentCmd) { c.Patient, c.Now = bo, leftAt.Add(time.Hour) }},
		{"careHomeId", residencyStates()["discharged"], func(c *domain.AdmitResidentCmd) { c.CareHomeID, c.Now = "home-meadowbank", leftAt.Add(time.Hour) }},
		{"admittedAt", residencyStates()["discharged"], func(c *domain.AdmitResidentCmd) { c.AdmittedAt, c.Now = leftAt.Add(-time.Hour), leftAt }},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.field, func(t *testing.T) {
			cmd := admitCmd()
			tc.spoil(&cmd)
			aggregatetest.Invalid(t, residencyType, tc.given, domain.AdmitResident(cmd, rules), tc.field)
		})
	}
}

func assessCmd() domain.CompleteAssessmentCmd {
	return domain.CompleteAssessmentCmd{AssessedBy: leadGP, AssessorRole: "gp", CompletedAt: assessedAt, Now: assessedAt.Add(time.Hour)}
}

func TestCompleteAssessment(t *testing.T) {
	t.Run("on time", func(t *testing.T) {
		aggregatetest.Then(t, residencyType, residencyStates()["admitted"], domain.CompleteAssessment(assessCmd(), rules), assessed())
	})
	t.Run("on the due day, late in the evening, is on time", func(t *testing.T) {
		cmd := assessCmd()
		cmd.CompletedAt = time.Date(2026, 12, 2, 23, 59, 0, 0, time.UTC)
		cmd.Now = cmd.CompletedAt
		want := assessed()
		want.CompletedAt = cmd.CompletedAt
		aggregatetest.Then(t, residencyType, residencyStates()["admitted"], domain.CompleteAssessment(cmd, rules), want)
	})
	t.Run("late, at Now by default", func(t *testing.T) {
		cmd := assessCmd()
		cmd.CompletedAt, cmd.Now = time.Time{}, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		want := assessed()
		want.CompletedAt, want.OnTime = cmd.Now, false
		aggregatetest.Then(t, residencyType, residencyStates()["admitted"], domain.CompleteAssessment(cmd, rules), want)
	})
	t.Run("lateness is judged in the home's calendar", func(t *testing.T) {
		// Admitted Monday 1 June 2026: due Wednesday 10 June. 23:30 UTC on
		// the 10th is 00:30 BST on the 11th: late.
		june := carehomes.ResidentAdmitted{Patient: ada, CareHomeID: willow, Area: area, Stay: 1,
			AdmittedAt: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), PrioritisedForSMR: true, WorkingDays: 7, DueOn: "2026-06-10"}
		at := time.Date(2026, 6, 10, 23, 30, 0, 0, time.UTC)
		cmd := domain.CompleteAssessmentCmd{AssessedBy: leadGP, AssessorRole: "gp", CompletedAt: at, Now: at}
		aggregatetest.Then(t, residencyType, []events.Data{june}, domain.CompleteAssessment(cmd, rules),
			carehomes.AssessmentCompleted{Patient: ada, CareHomeID: willow, Stay: 1, AssessedBy: leadGP, AssessorRole: "gp",
				CompletedAt: at, DueOn: "2026-06-10", OnTime: false})
	})
	t.Run("the same assessment again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, residencyType, residencyStates()["assessed"], domain.CompleteAssessment(assessCmd(), rules))
		retry := assessCmd()
		retry.CompletedAt, retry.Now = time.Time{}, plannedAt.Add(time.Hour)
		aggregatetest.Then(t, residencyType, residencyStates()["care-planned"], domain.CompleteAssessment(retry, rules))
	})
	other := assessCmd()
	other.AssessedBy = "acp-sam-reid"
	for state, given := range except(residencyStates(), "admitted") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, residencyType, given, domain.CompleteAssessment(other, rules), state)
		})
	}
	t.Run("a different time for the same assessor is refused", func(t *testing.T) {
		cmd := assessCmd()
		cmd.CompletedAt = assessedAt.Add(-time.Hour)
		aggregatetest.Refused(t, residencyType, residencyStates()["assessed"], domain.CompleteAssessment(cmd, rules), "assessed")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, residencyType, nil, domain.CompleteAssessment(assessCmd(), rules), kitdomain.ErrNotFound)
	})
	invalid := []struct {
		field string
		spoil func(*domain.CompleteAssessmentCmd)
	}{
		{"assessedBy", func(c *domain.CompleteAssessmentCmd) { c.AssessedBy = "" }},
		{"assessorRole", func(c *domain.CompleteAssessmentCmd) { c.AssessorRole = "GP" }},
		{"completedAt", func(c *domain.CompleteAssessmentCmd) { c.CompletedAt = c.Now.Add(time.Hour) }},
		{"completedAt", func(c *domain.CompleteAssessmentCmd) { c.CompletedAt = admittedAt.Add(-time.Hour) }},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.field, func(t *testing.T) {
			cmd := assessCmd()
			tc.spoil(&cmd)
			aggregatetest.Invalid(t, residencyType, residencyStates()["admitted"], domain.CompleteAssessment(cmd, rules), tc.field)
		})
	}
}

func planCmd() domain.AgreeCarePlanCmd {
	return domain.AgreeCarePlanCmd{AgreedBy: leadGP, AgreedByRole: "gp", AgreedWith: "family", AgreedAt: plannedAt, Now: plannedAt.Add(time.Hour)}
}

func TestAgreeCarePlan(t *testing.T) {
	t.Run("on time", func(t *testing.T) {
		aggregatetest.Then(t, residencyType, residencyStates()["assessed"], domain.AgreeCarePlan(planCmd(), rules), carePlanned())
	})
	t.Run("late", func(t *testing.T) {
		cmd := planCmd()
		cmd.AgreedAt = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
		cmd.Now = cmd.AgreedAt
		want := carePlanned()
		want.AgreedAt, want.OnTime = cmd.AgreedAt, false
		aggregatetest.Then(t, residencyType, residencyStates()["assessed"], domain.AgreeCarePlan(cmd, rules), want)
	})
	t.Run("the same agreement again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, residencyType, residencyStates()["care-planned"], domain.AgreeCarePlan(planCmd(), rules))
	})
	t.Run("refused before the holistic assessment", func(t *testing.T) {
		cmd := planCmd()
		aggregatetest.Refused(t, residencyType, residencyStates()["admitted"], domain.AgreeCarePlan(cmd, rules), "admitted")
	})
	other := planCmd()
	other.AgreedWith = "resident"
	for state, given := range except(residencyStates(), "assessed", "admitted") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, residencyType, given, domain.AgreeCarePlan(other, rules), state)
		})
	}
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, residencyType, nil, domain.AgreeCarePlan(planCmd(), rules), kitdomain.ErrNotFound)
	})
	invalid := []struct {
		field string
		spoil func(*domain.AgreeCarePlanCmd)
	}{
		{"agreedBy", func(c *domain.AgreeCarePlanCmd) { c.AgreedBy = "" }},
		{"agreedByRole", func(c *domain.AgreeCarePlanCmd) { c.AgreedByRole = "" }},
		{"agreedWith", func(c *domain.AgreeCarePlanCmd) { c.AgreedWith = "neighbour" }},
		{"agreedAt", func(c *domain.AgreeCarePlanCmd) { c.AgreedAt = c.Now.Add(time.Hour) }},
		{"agreedAt", func(c *domain.AgreeCarePlanCmd) { c.AgreedAt = assessedAt.Add(-time.Minute) }},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.field, func(t *testing.T) {
			cmd := planCmd()
			tc.spoil(&cmd)
			aggregatetest.Invalid(t, residencyType, residencyStates()["assessed"], domain.AgreeCarePlan(cmd, rules), tc.field)
		})
	}
}

func TestDischargeResident(t *testing.T) {
	cmd := domain.DischargeResidentCmd{DischargedAt: leftAt, Destination: "hospital", Now: leftAt.Add(time.Hour)}
	t.Run("says what was still outstanding", func(t *testing.T) {
		want := dischargedToHospital()
		aggregatetest.Then(t, residencyType, residencyStates()["care-planned"], domain.DischargeResident(cmd), want)
		want.CarePlanOutstanding = true
		aggregatetest.Then(t, residencyType, residencyStates()["assessed"], domain.DischargeResident(cmd), want)
		want.AssessmentOutstanding = true
		aggregatetest.Then(t, residencyType, residencyStates()["admitted"], domain.DischargeResident(cmd), want)
	})
	t.Run("to another destination, with a note", func(t *testing.T) {
		c := domain.DischargeResidentCmd{Destination: "other", Note: "moved abroad with family", Now: leftAt}
		aggregatetest.Then(t, residencyType, residencyStates()["care-planned"], domain.DischargeResident(c),
			carehomes.ResidentDischarged{Patient: ada, CareHomeID: willow, Stay: 1, DischargedAt: leftAt,
				Destination: carehomes.DestinationOther, Note: "moved abroad with family"})
	})
	t.Run("the same discharge again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, residencyType, residencyStates()["discharged"], domain.DischargeResident(cmd))
		retry := domain.DischargeResidentCmd{Destination: "hospital", Now: leftAt.Add(48 * time.Hour)}
		aggregatetest.Then(t, residencyType, residencyStates()["discharged"], domain.DischargeResident(retry))
	})
	other := domain.DischargeResidentCmd{Destination: "own-home", Now: leftAt.Add(time.Hour)}
	for state, given := range only(residencyStates(), "discharged", "died") {
		t.Run("refused when "+state, func(t *testing.T) {
			aggregatetest.Refused(t, residencyType, given, domain.DischargeResident(other), state)
		})
	}
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, residencyType, nil, domain.DischargeResident(cmd), kitdomain.ErrNotFound)
	})
	for field, c := range map[string]domain.DischargeResidentCmd{
		"destination":  {Destination: "the moon", Now: leftAt},
		"note":         {Destination: "other", Now: leftAt},
		"dischargedAt": {DischargedAt: leftAt.Add(time.Hour), Destination: "hospital", Now: leftAt},
	} {
		t.Run("invalid "+field, func(t *testing.T) {
			aggregatetest.Invalid(t, residencyType, residencyStates()["care-planned"], domain.DischargeResident(c), field)
		})
	}
	t.Run("invalid dischargedAt before admission", func(t *testing.T) {
		c := domain.DischargeResidentCmd{DischargedAt: admittedAt.Add(-time.Hour), Destination: "hospital", Now: leftAt}
		aggregatetest.Invalid(t, residencyType, residencyStates()["admitted"], domain.DischargeResident(c), "dischargedAt")
	})
}

func TestRecordDeath(t *testing.T) {
	cmd := domain.RecordDeathCmd{DiedAt: leftAt, Now: leftAt.Add(time.Hour)}
	t.Run("ends the residency", func(t *testing.T) {
		aggregatetest.Then(t, residencyType, residencyStates()["admitted"], domain.RecordDeath(cmd),
			carehomes.ResidentDied{Patient: ada, CareHomeID: willow, Stay: 1, DiedAt: leftAt, AssessmentOutstanding: true, CarePlanOutstanding: true})
		aggregatetest.Then(t, residencyType, residencyStates()["care-planned"], domain.RecordDeath(cmd),
			carehomes.ResidentDied{Patient: ada, CareHomeID: willow, Stay: 1, DiedAt: leftAt})
	})
	t.Run("the same death again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, residencyType, residencyStates()["died"], domain.RecordDeath(cmd))
		aggregatetest.Then(t, residencyType, residencyStates()["died"], domain.RecordDeath(domain.RecordDeathCmd{Now: leftAt.Add(time.Hour)}))
	})
	t.Run("refused when died at another time", func(t *testing.T) {
		c := domain.RecordDeathCmd{DiedAt: leftAt.Add(-time.Hour), Now: leftAt}
		aggregatetest.Refused(t, residencyType, residencyStates()["died"], domain.RecordDeath(c), "died")
	})
	t.Run("refused when discharged", func(t *testing.T) {
		aggregatetest.Refused(t, residencyType, residencyStates()["discharged"], domain.RecordDeath(domain.RecordDeathCmd{Now: leftAt.Add(time.Hour)}), "discharged")
	})
	t.Run("not found", func(t *testing.T) {
		aggregatetest.Fails(t, residencyType, nil, domain.RecordDeath(cmd), kitdomain.ErrNotFound)
	})
	t.Run("invalid diedAt", func(t *testing.T) {
		aggregatetest.Invalid(t, residencyType, residencyStates()["admitted"], domain.RecordDeath(domain.RecordDeathCmd{DiedAt: leftAt.Add(time.Hour), Now: leftAt}), "diedAt")
		aggregatetest.Invalid(t, residencyType, residencyStates()["admitted"], domain.RecordDeath(domain.RecordDeathCmd{DiedAt: admittedAt.Add(-time.Hour), Now: leftAt}), "diedAt")
	})
}

func TestRouteResidency(t *testing.T) {
	s, _ := aggregatetest.Given(residencyType, admitted())
	if subject, a := domain.RouteResidency(s); subject != ada || a != area {
		t.Fatalf("RouteResidency = %q, %q; want %s, %s", subject, a, ada, area)
	}
}

func TestACommandWithoutAClockFails(t *testing.T) {
	s, v := aggregatetest.Given(residencyType, admitted())
	got, err := domain.RecordDeath(domain.RecordDeathCmd{DiedAt: leftAt})(s, v)
	var fe *kitdomain.FieldError
	if err == nil || errors.As(err, &fe) || len(got) != 0 {
		t.Fatalf("decide = %v, %v; want a non-field error", got, err)
	}
}
