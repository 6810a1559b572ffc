package domain_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

// run decides each command on the state the previous ones left, as the
// repository would, and returns every event recorded.
func run(t *testing.T, cmds ...aggregate.Decide[dom.StayState]) ([]events.Data, dom.StayState) {
	t.Helper()
	var (
		s       dom.StayState
		version int64
		all     []events.Data
	)
	for i, decide := range cmds {
		decided, err := decide(s, version)
		if err != nil {
			t.Fatalf("command %d: %v", i+1, err)
		}
		for _, e := range decided {
			s = dom.EvolveStay(s, e)
			version++
		}
		all = append(all, decided...)
	}
	return all, s
}

func stepsData(g goldenHistory) []events.Data {
	out := make([]events.Data, len(g.steps))
	for i, s := range g.steps {
		out[i] = s.data
	}
	return out
}

// The golden histories are what today's commands decide: a fixture that no
// command could have produced would test nothing.
func TestGoldenHistoriesAreWhatTheCommandsDecide(t *testing.T) {
	t.Run("p2 closed after follow-up", func(t *testing.T) {
		g := closedAfterFollowUp()
		adm := time.Date(2026, 11, 2, 8, 15, 0, 0, time.UTC)
		dis := time.Date(2026, 11, 9, 15, 0, 0, 0, time.UTC)
		got, s := run(t,
			dom.Admit(dom.AdmitCmd{StayID: g.id, Patient: patient, HospitalSite: site, Ward: "AMU", AdmittedAt: adm,
				Method: discharge.AdmissionEmergency, Practice: practice, PCN: pcn, Now: adm}),
			dom.PlanDischarge(dom.PlanDischargeCmd{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-07",
				Now: time.Date(2026, 11, 4, 11, 0, 0, 0, time.UTC)}, rules),
			dom.ChangePathway(dom.ChangePathwayCmd{Pathway: discharge.PathwayP2, Reason: discharge.PathwayNeedsIncreased,
				Now: time.Date(2026, 11, 6, 10, 0, 0, 0, time.UTC)}),
			dom.DischargePatient(dom.DischargeCmd{DischargedAt: dis, Method: discharge.DischargeHospitalTransport,
				Destination: discharge.DestinationCommunityBed, Pathway: discharge.PathwayP2,
				Needs: []discharge.FollowUpNeed{discharge.NeedMedicationSupport, discharge.NeedReablement}, Now: dis}, rules),
			dom.ReferMedicines(dom.ReferMedicinesCmd{Pharmacy: "FA123", ReferredAt: dis.Add(-time.Hour), Now: dis}, rules),
			dom.AssignFollowUp(dom.AssignFollowUpCmd{TeamID: team, TeamAreas: []string{pcn}, Now: dis.Add(2 * time.Hour)}, rules),
			dom.ReceiveSummary(dom.ReceiveSummaryCmd{ReceivedAt: dis.Add(30 * time.Hour), Now: dis.Add(30 * time.Hour)}),
			dom.CompleteFollowUp(dom.CompleteFollowUpCmd{ClinicianID: nurse, ClinicianRole: "district-nurse",
				Outcome: discharge.OutcomeOngoingSupport, CompletedAt: dis.Add(40 * time.Hour), Now: dis.Add(42 * time.Hour)}),
		)
		compare(t, got, stepsData(g), s, g.want)
	})
	t.Run("discharge cancelled then redischarged", func(t *testing.T) {
		g := cancelledThenRedischarged()
		adm := time.Date(2026, 11, 10, 19, 40, 0, 0, time.UTC)
		dis1 := time.Date(2026, 11, 14, 11, 0, 0, 0, time.UTC)
		cancelAt := time.Date(2026, 11, 14, 13, 5, 0, 0, time.UTC)
		dis2 := time.Date(2026, 11, 15, 10, 30, 0, 0, time.UTC)
		readmitAt := time.Date(2026, 11, 27, 2, 10, 0, 0, time.UTC)
		home := func(at time.Time, m discharge.DischargeMethod) dom.DischargeCmd {
			return dom.DischargeCmd{DischargedAt: at, Method: m, Destination: discharge.DestinationUsualResidence,
				Pathway: discharge.PathwayP1, Needs: []discharge.FollowUpNeed{discharge.NeedReablement}, Now: at}
		}
		assign := dom.AssignFollowUpCmd{TeamID: team, TeamAreas: []string{pcn}}
		assign1, assign2 := assign, assign
		assign1.Now, assign2.Now = dis1.Add(30*time.Minute), dis2.Add(30*time.Minute)
		got, s := run(t,
			dom.Admit(dom.AdmitCmd{StayID: g.id, Patient: patient, HospitalSite: site, Ward: ward, AdmittedAt: adm,
				Method: discharge.AdmissionEmergency, Practice: practice, PCN: pcn, Now: adm}),
			dom.PlanDischarge(dom.PlanDischargeCmd{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-14",
				Now: time.Date(2026, 11, 12, 9, 30, 0, 0, time.UTC)}, rules),
			dom.DischargePatient(home(dis1, discharge.DischargeHospitalTransport), rules),
			dom.AssignFollowUp(assign1, rules),
			dom.ReferMedicines(dom.ReferMedicinesCmd{Pharmacy: "FA123", ReferredAt: dis1, Now: dis1.Add(40 * time.Minute)}, rules),
			dom.CancelDischarge(dom.CancelDischargeCmd{Reason: discharge.CancelTransportUnavailable, Now: cancelAt}),
			dom.CancelDischarge(dom.CancelDischargeCmd{Reason: discharge.CancelTransportUnavailable, Now: cancelAt.Add(time.Minute)}), // the feed repeats its A13
			dom.PlanDischarge(dom.PlanDischargeCmd{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-15", Now: cancelAt.Add(time.Hour)}, rules),
			dom.DischargePatient(home(dis2, discharge.DischargeOwnTransport), rules),
			dom.ReceiveSummary(dom.ReceiveSummaryCmd{ReceivedAt: dis2.Add(5 * time.Hour), Now: dis2.Add(5 * time.Hour)}),
			dom.AssignFollowUp(assign2, rules),
			dom.RecordFollowUpMissed(dom.RecordFollowUpMissedCmd{Reason: discharge.MissedNoAccess, Now: dis2.Add(27 * time.Hour)}),
			dom.DetectReadmission(dom.DetectReadmissionCmd{NewStayID: "golden-0003", AdmittedAt: readmitAt,
				Method: discharge.AdmissionEmergency, Now: readmitAt.Add(time.Minute)}, rules),
		)
		compare(t, got, stepsData(g), s, g.want)
	})
	t.Run("p0 closed then readmitted", func(t *testing.T) {
		g := p0Readmitted()
		adm := time.Date(2026, 11, 16, 7, 30, 0, 0, time.UTC)
		dis := time.Date(2026, 11, 17, 16, 45, 0, 0, time.UTC)
		readmitAt := time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC)
		got, s := run(t,
			dom.Admit(dom.AdmitCmd{StayID: g.id, Patient: patient, HospitalSite: "RTE02", Ward: "Day Surgery", AdmittedAt: adm,
				Method: discharge.AdmissionElective, Practice: "L84002", PCN: pcn, Now: adm}),
			dom.DischargePatient(dom.DischargeCmd{DischargedAt: dis, Method: discharge.DischargeOwnTransport,
				Destination: discharge.DestinationUsualResidence, Pathway: discharge.PathwayP0, Now: dis}, rules),
			dom.ReceiveSummary(dom.ReceiveSummaryCmd{ReceivedAt: dis.Add(2 * time.Hour), Now: dis.Add(2 * time.Hour)}),
			dom.DetectReadmission(dom.DetectReadmissionCmd{NewStayID: "golden-0005", AdmittedAt: readmitAt,
				Method: discharge.AdmissionEmergency, Now: readmitAt.Add(time.Minute)}, rules),
		)
		compare(t, got, stepsData(g), s, g.want)
	})
}

func compare(t *testing.T, got, want []events.Data, gotState, wantState dom.StayState) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("decided %d events, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("event %d:\n got %#v\nwant %#v", i+1, got[i], want[i])
		}
	}
	if !reflect.DeepEqual(gotState, wantState) {
		t.Errorf("state\n got %+v\nwant %+v", gotState, wantState)
	}
}
