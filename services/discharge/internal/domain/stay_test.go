package domain_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/discharge/internal/domain"
)

// stay is the aggregate as the API layer will wire it.
var stay = aggregate.Type[domain.StayState]{
	Name:     domain.AggregateName,
	Registry: discharge.Registry(),
	Evolve:   domain.EvolveStay,
	Route:    domain.RouteStay,
}

var rules = domain.DefaultRules()

// The timeline every test shares (November: GMT, so UTC is local time).
var (
	admittedAt   = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	plannedAt    = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	dischargedAt = time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	afterwards   = dischargedAt.Add(6 * time.Hour) // a Now after discharge, before any deadline
)

const (
	stayID   = "stay-0001"
	patient  = "pt-0190f4c2"
	site     = "RTE01"
	ward     = "Ward 7B"
	practice = "L84001"
	pcn      = "U84001"
	team     = "team-severn-ict"
	team2    = "team-severn-social"
	nurse    = "dn-maria-silva"
)

func admitted() discharge.PatientAdmitted {
	return discharge.PatientAdmitted{StayID: stayID, Patient: patient, HospitalSite: site, Ward: ward,
		AdmittedAt: admittedAt, Method: discharge.AdmissionEmergency, Practice: practice, PCN: pcn}
}

func planned() discharge.DischargePlanned {
	return discharge.DischargePlanned{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-24", PlannedAt: plannedAt}
}

// dischargedP1 is a discharge home with reablement: follow-up due in 24h.
func dischargedP1() discharge.PatientDischarged {
	return discharge.PatientDischarged{DischargedAt: dischargedAt, Method: discharge.DischargeHospitalTransport,
		Destination: discharge.DestinationUsualResidence, Pathway: discharge.PathwayP1,
		Needs:        []discharge.FollowUpNeed{discharge.NeedReablement},
		HospitalSite: site, Ward: ward, Practice: practice,
		SummaryDueBy: dischargedAt.Add(24 * time.Hour), FollowUpDueBy: dischargedAt.Add(24 * time.Hour)}
}

// dischargedP0 is a discharge home with no new support: no follow-up owed.
func dischargedP0() discharge.PatientDischarged {
	return discharge.PatientDischarged{DischargedAt: dischargedAt, Method: discharge.DischargeOwnTransport,
		Destination: discharge.DestinationUsualResidence, Pathway: discharge.PathwayP0,
		HospitalSite: site, Ward: ward, Practice: practice, SummaryDueBy: dischargedAt.Add(24 * time.Hour)}
}

func assigned() discharge.FollowUpAssigned {
	return discharge.FollowUpAssigned{TeamID: team, AssignedAt: dischargedAt.Add(time.Hour),
		DueBy: dischargedAt.Add(24 * time.Hour), DischargedAt: dischargedAt, Pathway: discharge.PathwayP1,
		Needs:       []discharge.FollowUpNeed{discharge.NeedReablement},
		Destination: discharge.DestinationUsualResidence, Practice: practice}
}

func summary() discharge.DischargeSummaryReceived {
	return discharge.DischargeSummaryReceived{ReceivedAt: dischargedAt.Add(3 * time.Hour), DueBy: dischargedAt.Add(24 * time.Hour)}
}

func completed() discharge.FollowUpCompleted {
	return discharge.FollowUpCompleted{TeamID: team, ClinicianID: nurse, ClinicianRole: "district-nurse",
		Outcome: discharge.OutcomeNeedsMet, CompletedAt: dischargedAt.Add(20 * time.Hour), DueBy: dischargedAt.Add(24 * time.Hour)}
}

func missed() discharge.FollowUpMissed {
	return discharge.FollowUpMissed{TeamID: team, Reason: discharge.MissedNoAccess, DueBy: dischargedAt.Add(24 * time.Hour),
		RecordedAt: dischargedAt.Add(26 * time.Hour)}
}

func referred() discharge.MedicinesServiceReferred {
	return discharge.MedicinesServiceReferred{Pharmacy: "FA123", ReferredAt: dischargedAt,
		FirstCheckDueBy: dischargedAt.Add(72 * time.Hour)}
}

func cancelled() discharge.DischargeCancelled {
	return discharge.DischargeCancelled{Reason: discharge.CancelTransportUnavailable, CancelledAt: dischargedAt.Add(2 * time.Hour),
		DischargedAt: dischargedAt}
}

// histories returns a given history for every state a stay can be in,
// named for the tables of refused transitions.
func histories() map[string][]events.Data {
	closedAt := dischargedAt.Add(20 * time.Hour)
	return map[string][]events.Data{
		"admitted":                 {admitted()},
		"planned":                  {admitted(), planned()},
		"discharged":               {admitted(), planned(), dischargedP1()},
		"discharged, none owed":    {admitted(), dischargedP0()},
		"discharged+summary":       {admitted(), planned(), dischargedP1(), summary()},
		"follow-up assigned":       {admitted(), planned(), dischargedP1(), assigned()},
		"follow-up completed":      {admitted(), planned(), dischargedP1(), assigned(), completed()},
		"follow-up missed":         {admitted(), planned(), dischargedP1(), assigned(), missed()},
		"closed":                   {admitted(), planned(), dischargedP1(), assigned(), summary(), completed(), discharge.StayClosed{ClosedAt: closedAt, FollowUp: discharge.ClosureFollowUpCompleted}},
		"closed, no follow-up":     {admitted(), dischargedP0(), summary(), discharge.StayClosed{ClosedAt: closedAt, FollowUp: discharge.ClosureFollowUpNotRequired}},
		"cancelled, back to plan":  {admitted(), planned(), dischargedP1(), cancelled()},
		"cancelled, back on ward":  {admitted(), dischargedP0(), cancelled()},
		"cancelled after closure":  {admitted(), dischargedP0(), summary(), discharge.StayClosed{ClosedAt: closedAt, FollowUp: discharge.ClosureFollowUpNotRequired}, cancelled()},
		"re-discharged after undo": {admitted(), planned(), dischargedP1(), cancelled(), dischargedP1()},
	}
}

// statusOf folds a history and returns its status.
func statusOf(h []events.Data) string {
	s, _ := aggregateGiven(h)
	return string(s.Status)
}

func aggregateGiven(h []events.Data) (domain.StayState, int64) {
	return aggregatetest.Given(stay, h...)
}

// in returns the named histories, failing on an unknown name.
func in(t *testing.T, names ...string) map[string][]events.Data {
	t.Helper()
	all := histories()
	out := map[string][]events.Data{}
	for _, n := range names {
		h, ok := all[n]
		if !ok {
			t.Fatalf("no history named %q", n)
		}
		out[n] = h
	}
	return out
}

// then appends events to a history without touching it.
func then(h []events.Data, more ...events.Data) []events.Data {
	return append(append([]events.Data{}, h...), more...)
}

func TestHistoriesReachTheirStates(t *testing.T) {
	want := map[string]domain.Status{
		"admitted": domain.StatusAdmitted, "planned": domain.StatusDischargePlanned,
		"discharged": domain.StatusDischarged, "discharged+summary": domain.StatusDischarged,
		"discharged, none owed": domain.StatusDischarged,
		"follow-up assigned":    domain.StatusDischarged, "follow-up completed": domain.StatusDischarged,
		"follow-up missed": domain.StatusDischarged, "closed": domain.StatusClosed,
		"closed, no follow-up": domain.StatusClosed, "cancelled, back to plan": domain.StatusDischargePlanned,
		"cancelled, back on ward": domain.StatusAdmitted, "cancelled after closure": domain.StatusAdmitted,
		"re-discharged after undo": domain.StatusDischarged,
	}
	for name, h := range histories() {
		if got := statusOf(h); got != string(want[name]) {
			t.Errorf("%s: status %q, want %q", name, got, want[name])
		}
	}
	if len(want) != len(histories()) {
		t.Errorf("a history has no expected status")
	}
}

func TestRouteIsThePatientAndThePCN(t *testing.T) {
	s, _ := aggregateGiven([]events.Data{admitted()})
	if subject, area := domain.RouteStay(s); subject != patient || area != pcn {
		t.Fatalf("route = %q, %q", subject, area)
	}
}

type unknownEvent struct{}

func (unknownEvent) EventType() string { return "careweave.discharge.something_else.v1" }

func TestEvolveIgnoresWhatDoesNotFit(t *testing.T) {
	base, _ := aggregateGiven(histories()["follow-up assigned"])
	for _, e := range []events.Data{unknownEvent{}} {
		if got := domain.EvolveStay(base, e); !reflect.DeepEqual(got, base) {
			t.Errorf("%T changed the state", e)
		}
	}
	// Events that need a discharge do nothing without one.
	onWard, _ := aggregateGiven([]events.Data{admitted()})
	for _, e := range []events.Data{summary(), referred(), assigned(), completed(), missed(), cancelled(),
		discharge.ReadmissionDetected{NewStayID: "stay-0002"}, discharge.StayClosed{},
		discharge.PathwayChanged{From: "P1", To: "P2"}} {
		if got := domain.EvolveStay(onWard, e); !reflect.DeepEqual(got, onWard) {
			t.Errorf("%s changed a stay on the ward: %+v", e.EventType(), got)
		}
	}
	// Follow-up outcomes do nothing without a follow-up.
	unassigned, _ := aggregateGiven(histories()["discharged"])
	for _, e := range []events.Data{completed(), missed()} {
		if got := domain.EvolveStay(unassigned, e); !reflect.DeepEqual(got, unassigned) {
			t.Errorf("%s changed a discharge with no follow-up: %+v", e.EventType(), got.Discharge)
		}
	}
}

// TestEvolveNeverChangesAnEarlierState guards copy-on-write: the repository
// keeps the loaded state while it evolves the decided events.
func TestEvolveNeverChangesAnEarlierState(t *testing.T) {
	h := then(histories()["follow-up assigned"], referred())
	h = append(h, discharge.PathwayChanged{})
	for i := range h {
		before, _ := aggregateGiven(h[:i])
		snapshot, _ := aggregateGiven(h[:i])
		rest := before
		for _, e := range h[i:] {
			rest = domain.EvolveStay(rest, e)
		}
		_ = domain.EvolveStay(rest, cancelled())
		if !reflect.DeepEqual(before, snapshot) {
			t.Fatalf("evolving after event %d changed the earlier state", i)
		}
	}
	// Pathway changes append to a slice: appending to a copy must not show
	// through to the original.
	s, _ := aggregateGiven([]events.Data{admitted(), planned(),
		discharge.PathwayChanged{From: "P1", To: "P2", Reason: discharge.PathwayNeedsIncreased, ChangedAt: plannedAt}})
	a := domain.EvolveStay(s, discharge.PathwayChanged{From: "P2", To: "P3", Reason: discharge.PathwayCapacity, ChangedAt: plannedAt})
	b := domain.EvolveStay(s, discharge.PathwayChanged{From: "P2", To: "P1", Reason: discharge.PathwayNeedsReduced, ChangedAt: plannedAt})
	if a.Plan.PathwayChanges[1].To != "P3" || b.Plan.PathwayChanges[1].To != "P1" || len(s.Plan.PathwayChanges) != 1 {
		t.Fatalf("pathway changes share storage: %+v / %+v / %+v", a.Plan.PathwayChanges, b.Plan.PathwayChanges, s.Plan.PathwayChanges)
	}
}

func TestCancelledDischargeIsKeptAsHistory(t *testing.T) {
	h := then(histories()["follow-up assigned"], referred(), discharge.DischargeCancelled{
		Reason: discharge.CancelClinicallyUnfit, CancelledAt: afterwards, DischargedAt: dischargedAt,
		FollowUpTeamID: team, MedicinesPharmacy: "FA123"})
	s, _ := aggregateGiven(h)
	if s.Status != domain.StatusDischargePlanned || s.Discharge != nil || s.Pathway() != discharge.PathwayP1 {
		t.Fatalf("after cancellation: status %s, discharge %+v, pathway %s", s.Status, s.Discharge, s.Pathway())
	}
	if len(s.RetractedDischarges) != 1 {
		t.Fatalf("retracted discharges = %d, want 1", len(s.RetractedDischarges))
	}
	r := s.RetractedDischarges[0]
	if r.Cancellation == nil || r.Cancellation.Reason != discharge.CancelClinicallyUnfit || !r.DischargedAt.Equal(dischargedAt) ||
		r.FollowUp == nil || r.FollowUp.TeamID != team || r.Medicines == nil {
		t.Fatalf("retracted discharge lost its history: %+v", r)
	}
}

func TestPathwayIsTheDischargesThenThePlans(t *testing.T) {
	s, _ := aggregateGiven([]events.Data{admitted()})
	if s.Pathway() != "" {
		t.Fatalf("pathway before a plan = %q", s.Pathway())
	}
	s = domain.EvolveStay(s, planned())
	if s.Pathway() != discharge.PathwayP1 {
		t.Fatalf("planned pathway = %q", s.Pathway())
	}
	d := dischargedP1()
	d.Pathway, d.Destination = discharge.PathwayP2, discharge.DestinationCommunityBed
	s = domain.EvolveStay(s, d)
	if s.Pathway() != discharge.PathwayP2 {
		t.Fatalf("discharged pathway = %q", s.Pathway())
	}
	s = domain.EvolveStay(s, cancelled())
	if s.Pathway() != discharge.PathwayP1 {
		t.Fatalf("pathway after cancellation = %q, want the plan's", s.Pathway())
	}
}
