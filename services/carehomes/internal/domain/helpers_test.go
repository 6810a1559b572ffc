package domain_test

import (
	"strings"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

// The aggregate types, as the API layer will declare them.
var (
	roundType = aggregate.Type[domain.RoundState]{
		Name: "round", Registry: carehomes.Registry(), Evolve: domain.EvolveRound, Route: domain.RouteRound,
	}
	residencyType = aggregate.Type[domain.ResidencyState]{
		Name: "residency", Registry: carehomes.Registry(), Evolve: domain.EvolveResidency, Route: domain.RouteResidency,
	}
	rules = domain.DefaultRules()
)

// Ids from kit/directory's demo PCN.
const (
	area      = "U84001"
	willow    = "home-willow-court"
	leadGP    = "gp-amara-okafor"
	pharm     = "pharm-ravi-shah"
	nurse     = "cn-kate-ward"
	ictTeam   = "team-severn-ict"
	ada       = "pt-ada-0001" // opaque patient references
	bo        = "pt-bo-0002"
	cy        = "pt-cy-0003"
	nhsNumber = "9434765919"
)

// A round on Tuesday 24 November 2026 (GMT: UTC is local time).
var (
	plannedStart = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	heldStart    = time.Date(2026, 11, 24, 10, 5, 0, 0, time.UTC)
	heldEnd      = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	afterRound   = time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)
	ref          = carehomes.RoundRef{RoundID: "r-willow-2026-w48", CareHomeID: willow, Week: "2026-W48"}
	attendees    = []carehomes.Attendee{{ClinicianID: leadGP, Role: "gp"}, {ClinicianID: pharm, Role: "clinical-pharmacist"}}
)

func roundScheduled() carehomes.RoundScheduled {
	return carehomes.RoundScheduled{RoundRef: ref, Area: area, PlannedStart: plannedStart, ClinicalLead: leadGP, ClinicalLeadRole: "gp"}
}

func adaNominated() carehomes.ResidentNominated {
	return carehomes.ResidentNominated{RoundRef: ref, Patient: ada, NominatedBy: carehomes.NominatorHome, Reason: "two falls this week", Priority: carehomes.PriorityHigh}
}

func boNominated() carehomes.ResidentNominated {
	return carehomes.ResidentNominated{RoundRef: ref, Patient: bo, NominatedBy: carehomes.NominatorMDT, Reason: "antipsychotic review", Priority: carehomes.PriorityRoutine}
}

func roundHeld() carehomes.RoundHeld {
	return carehomes.RoundHeld{RoundRef: ref, Attendees: attendees, StartedAt: heldStart, EndedAt: heldEnd}
}

func adaReviewed() carehomes.ResidentReviewed {
	return carehomes.ResidentReviewed{RoundRef: ref, Patient: ada, ReviewedBy: leadGP, ReviewerRole: "gp", Outcome: "no injury; lying and standing BP taken", FollowUp: "falls clinic referral"}
}

func boNotReviewed() carehomes.ResidentNotReviewed {
	return carehomes.ResidentNotReviewed{RoundRef: ref, Patient: bo, Reason: carehomes.NotReviewedAsleep}
}

func adaAction() carehomes.ActionRaised {
	return carehomes.ActionRaised{RoundRef: ref, ActionID: "a-1", Patient: ada, Description: "refer to falls clinic", OwnerClinicianID: nurse, OwnerRole: "community-nurse", DueOn: "2026-11-27"}
}

// Histories that reach each round status.
func scheduled() []events.Data { return []events.Data{roundScheduled(), adaNominated(), boNominated()} }
func held() []events.Data      { return append(scheduled(), roundHeld()) }
func closed() []events.Data {
	return append(held(), adaReviewed(), boNotReviewed(), adaAction(),
		carehomes.RoundClosed{RoundRef: ref, Reviewed: 1, NotReviewed: 1, OpenActions: 1})
}
func cancelled() []events.Data {
	return append(scheduled(), carehomes.RoundCancelled{RoundRef: ref, Reason: "norovirus outbreak", Nominated: []string{ada, bo}})
}

// roundStates maps every round status to a history reaching it.
func roundStates() map[string][]events.Data {
	return map[string][]events.Data{
		"scheduled": scheduled(), "held": held(), "closed": closed(), "cancelled": cancelled(),
	}
}

// A resident admitted on Monday 23 November 2026 at 14:00: due Wednesday 2
// December (7 working days).
var (
	admittedAt = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	dueOn      = carehomes.Date("2026-12-02")
	assessedAt = time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC)
	plannedAt  = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	leftAt     = time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
)

func admitted() carehomes.ResidentAdmitted {
	return carehomes.ResidentAdmitted{Patient: ada, CareHomeID: willow, Area: area, Stay: 1, AdmittedAt: admittedAt, PrioritisedForSMR: true, WorkingDays: 7, DueOn: dueOn}
}

func assessed() carehomes.AssessmentCompleted {
	return carehomes.AssessmentCompleted{Patient: ada, CareHomeID: willow, Stay: 1, AssessedBy: leadGP, AssessorRole: "gp", CompletedAt: assessedAt, DueOn: dueOn, OnTime: true}
}

func carePlanned() carehomes.CarePlanAgreed {
	return carehomes.CarePlanAgreed{Patient: ada, CareHomeID: willow, Stay: 1, AgreedBy: leadGP, AgreedByRole: "gp", AgreedWith: carehomes.AgreedWithFamily, AgreedAt: plannedAt, DueOn: dueOn, OnTime: true}
}

func dischargedToHospital() carehomes.ResidentDischarged {
	return carehomes.ResidentDischarged{Patient: ada, CareHomeID: willow, Stay: 1, DischargedAt: leftAt, Destination: carehomes.DestinationHospital}
}

// residencyStates maps every residency status to a history reaching it.
func residencyStates() map[string][]events.Data {
	return map[string][]events.Data{
		"admitted":     {admitted()},
		"assessed":     {admitted(), assessed()},
		"care-planned": {admitted(), assessed(), carePlanned()},
		"discharged":   {admitted(), assessed(), carePlanned(), dischargedToHospital()},
		"died":         {admitted(), assessed(), carehomes.ResidentDied{Patient: ada, CareHomeID: willow, Stay: 1, DiedAt: leftAt, CarePlanOutstanding: true}},
	}
}

// except returns states without the named ones.
func except(states map[string][]events.Data, names ...string) map[string][]events.Data {
	out := map[string][]events.Data{}
	for k, v := range states {
		out[k] = v
	}
	for _, n := range names {
		delete(out, n)
	}
	return out
}

func only(states map[string][]events.Data, names ...string) map[string][]events.Data {
	out := map[string][]events.Data{}
	for _, n := range names {
		out[n] = states[n]
	}
	return out
}

func with(history []events.Data, more ...events.Data) []events.Data {
	return append(append([]events.Data{}, history...), more...)
}

var longText = strings.Repeat("x", 2001)
