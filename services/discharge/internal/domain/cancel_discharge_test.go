package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func cancelCmd() dom.CancelDischargeCmd {
	return dom.CancelDischargeCmd{Reason: discharge.CancelTransportUnavailable, Now: dischargedAt.Add(2 * time.Hour)}
}

func TestCancelDischarge(t *testing.T) {
	aggregatetest.Then(t, stay, histories()["discharged"], dom.CancelDischarge(cancelCmd()), cancelled())
}

func TestCancelDischargeNamesWhatItWithdraws(t *testing.T) {
	h := then(histories()["follow-up assigned"], referred(),
		discharge.ReadmissionDetected{NewStayID: "stay-0002", ReadmittedAt: dischargedAt.Add(time.Hour),
			AdmissionMethod: discharge.AdmissionEmergency, DischargedAt: dischargedAt, Pathway: discharge.PathwayP1})
	want := cancelled()
	want.FollowUpTeamID, want.MedicinesPharmacy, want.ReadmissionStayID = team, "FA123", "stay-0002"
	aggregatetest.Then(t, stay, h, dom.CancelDischarge(cancelCmd()), want)
}

func TestCancelDischargeOfAClosedStayReopensIt(t *testing.T) {
	// The hospital is the authority on whether the patient left: a closed
	// stay whose discharge is cancelled is back on the ward.
	h := histories()["closed"]
	want := cancelled()
	want.FollowUpTeamID = team
	aggregatetest.Then(t, stay, h, dom.CancelDischarge(cancelCmd()), want)
	s, _ := aggregatetest.Given(stay, then(h, want)...)
	if s.Status != dom.StatusDischargePlanned || s.Discharge != nil || len(s.RetractedDischarges) != 1 ||
		s.RetractedDischarges[0].Closure == nil || s.RetractedDischarges[0].FollowUp.Status != dom.FollowUpCompleted {
		t.Fatalf("after cancelling a closed stay: %+v", s)
	}
}

func TestCancelDischargeTwiceRecordsNothing(t *testing.T) {
	for name, h := range in(t, "cancelled, back to plan", "cancelled, back on ward", "cancelled after closure") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.CancelDischarge(cancelCmd()))
		})
	}
}

func TestCancelDischargeTransitions(t *testing.T) {
	checkTransitions(t, dom.CancelDischarge(cancelCmd()), "admitted", "planned")
}

func TestCancelDischargeInvalid(t *testing.T) {
	cmd := cancelCmd()
	cmd.Reason = "changed mind"
	aggregatetest.Invalid(t, stay, histories()["discharged"], dom.CancelDischarge(cmd), "reason")
}

func TestCancelDischargeNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.CancelDischarge(cancelCmd()), domain.ErrNotFound)
}
