package domain_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

// -update writes the golden histories that do not exist yet. It never
// rewrites one: a recorded history is what production holds, so a schema
// change adds a fixture and today's code must still replay the old ones.
var update = flag.Bool("update", false, "write missing golden histories in testdata/ (never overwrites)")

// Who records what in the golden histories.
var (
	pasFeed     = events.Actor{ID: "pas-feed-rte", Role: "hospital-system", Org: "RTE"}
	coordinator = events.Actor{ID: "dc-hannah-lee", Role: "discharge-coordinator", Org: "RTE"}
	gpPractice  = events.Actor{ID: "docman-l84001", Role: "practice-system", Org: "L84001"}
	careCoord   = events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}
	nurseActor  = events.Actor{ID: "dn-maria-silva", Role: "district-nurse", Org: "U84001"}
	readmitter  = events.Actor{ID: "careweave-discharge", Role: "system", Org: "U84001"}
)

// step is one recorded event: what, by whom, when.
type step struct {
	data  events.Data
	actor events.Actor
	at    time.Time
}

type goldenHistory struct {
	file  string
	id    string
	steps []step
	want  dom.StayState
}

// goldenID returns a UUIDv7 made only of the time and a sequence number, so
// the fixtures are reproducible.
func goldenID(t *testing.T, at time.Time, seq int) events.ID {
	t.Helper()
	ms := uint64(at.UnixMilli())
	id, err := events.ParseID(fmt.Sprintf("%08x-%04x-7000-8000-%012x", ms>>16, ms&0xffff, seq))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (g goldenHistory) envelopes(t *testing.T) []events.Envelope {
	t.Helper()
	envs := make([]events.Envelope, len(g.steps))
	for i, s := range g.steps {
		env, err := events.New(s.data, events.Metadata{
			ID: goldenID(t, s.at, i+1), Time: s.at, Subject: patient, Area: pcn,
			CorrelationID: fmt.Sprintf("%s-%d", g.id, i+1), Actor: s.actor,
		})
		if err != nil {
			t.Fatal(err)
		}
		env.StreamID, env.StreamVersion = dom.AggregateName+"-"+g.id, int64(i+1)
		if err := env.Validate(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		envs[i] = env
	}
	return envs
}

func TestGoldenHistoriesReplay(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range goldenHistories() {
		t.Run(g.file, func(t *testing.T) {
			path := filepath.Join("testdata", g.file)
			b, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) && *update {
				b, err = json.MarshalIndent(g.envelopes(t), "", "  ")
				if err == nil {
					err = os.WriteFile(path, append(b, '\n'), 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", path)
			} else if err != nil {
				t.Fatalf("%v (run go test -update to record a new golden history)", err)
			}
			var raws []json.RawMessage
			if err := json.Unmarshal(b, &raws); err != nil {
				t.Fatal(err)
			}
			envs := make([]events.Envelope, len(raws))
			for i, raw := range raws {
				if envs[i], err = events.Decode(raw); err != nil {
					t.Fatalf("envelope %d: %v", i+1, err)
				}
				seen[envs[i].Type] = true
				if subject, area := envs[i].Subject, envs[i].Area; subject != patient || area != pcn {
					t.Errorf("envelope %d routed to %q, %q", i+1, subject, area)
				}
			}
			got, err := aggregate.Replay(stay, g.id, envs)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != int64(len(envs)) {
				t.Errorf("version %d, want %d", got.Version, len(envs))
			}
			if !reflect.DeepEqual(got.State, g.want) {
				gb, _ := json.MarshalIndent(got.State, "", "  ")
				wb, _ := json.MarshalIndent(g.want, "", "  ")
				t.Fatalf("replayed state\n%s\nwant\n%s", gb, wb)
			}
		})
	}
	for _, e := range discharge.All() {
		if !seen[e.EventType()] {
			t.Errorf("no golden history records %s", e.EventType())
		}
	}
}

func goldenHistories() []goldenHistory {
	return []goldenHistory{closedAfterFollowUp(), cancelledThenRedischarged(), p0Readmitted()}
}

// closedAfterFollowUp: planned P1, moved to P2 when needs increased,
// discharged to a community bed, referred to DMS, summary late, follow-up
// done on time, closed.
func closedAfterFollowUp() goldenHistory {
	const id = "golden-0001"
	adm := time.Date(2026, 11, 2, 8, 15, 0, 0, time.UTC)
	dis := time.Date(2026, 11, 9, 15, 0, 0, 0, time.UTC)
	needs := []discharge.FollowUpNeed{discharge.NeedReablement, discharge.NeedMedicationSupport}
	changedAt := time.Date(2026, 11, 6, 10, 0, 0, 0, time.UTC)
	return goldenHistory{
		file: "stay_p2_closed_after_follow_up.v1.json", id: id,
		steps: []step{
			{discharge.PatientAdmitted{StayID: id, Patient: patient, HospitalSite: site, Ward: "AMU", AdmittedAt: adm,
				Method: discharge.AdmissionEmergency, Practice: practice, PCN: pcn}, pasFeed, adm},
			{discharge.DischargePlanned{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-07",
				PlannedAt: time.Date(2026, 11, 4, 11, 0, 0, 0, time.UTC)}, coordinator, time.Date(2026, 11, 4, 11, 0, 0, 0, time.UTC)},
			{discharge.PathwayChanged{From: discharge.PathwayP1, To: discharge.PathwayP2, Reason: discharge.PathwayNeedsIncreased,
				ChangedAt: changedAt}, coordinator, changedAt},
			{discharge.PatientDischarged{DischargedAt: dis, Method: discharge.DischargeHospitalTransport,
				Destination: discharge.DestinationCommunityBed, Pathway: discharge.PathwayP2, Needs: needs,
				HospitalSite: site, Ward: "AMU", Practice: practice,
				SummaryDueBy: dis.Add(24 * time.Hour), FollowUpDueBy: dis.Add(48 * time.Hour)}, pasFeed, dis},
			{discharge.MedicinesServiceReferred{Pharmacy: "FA123", ReferredAt: dis.Add(-time.Hour),
				FirstCheckDueBy: dis.Add(71 * time.Hour)}, coordinator, dis.Add(-time.Hour + time.Minute)},
			{discharge.FollowUpAssigned{TeamID: team, AssignedAt: dis.Add(2 * time.Hour), DueBy: dis.Add(48 * time.Hour),
				DischargedAt: dis, Pathway: discharge.PathwayP2, Needs: needs, Destination: discharge.DestinationCommunityBed,
				Practice: practice}, careCoord, dis.Add(2 * time.Hour)},
			{discharge.DischargeSummaryReceived{ReceivedAt: dis.Add(30 * time.Hour), DueBy: dis.Add(24 * time.Hour), Late: true},
				gpPractice, dis.Add(30 * time.Hour)},
			{discharge.FollowUpCompleted{TeamID: team, ClinicianID: nurse, ClinicianRole: "district-nurse",
				Outcome: discharge.OutcomeOngoingSupport, CompletedAt: dis.Add(40 * time.Hour), DueBy: dis.Add(48 * time.Hour)},
				nurseActor, dis.Add(42 * time.Hour)},
			{discharge.StayClosed{ClosedAt: dis.Add(42 * time.Hour), FollowUp: discharge.ClosureFollowUpCompleted, SummaryLate: true},
				nurseActor, dis.Add(42 * time.Hour)},
		},
		want: dom.StayState{
			ID: id, Status: dom.StatusClosed, Patient: patient, HospitalSite: site, Ward: "AMU", AdmittedAt: adm,
			AdmissionMethod: discharge.AdmissionEmergency, Practice: practice, Area: pcn,
			Plan: &dom.Plan{Pathway: discharge.PathwayP2, ExpectedDate: "2026-11-07", PlannedAt: time.Date(2026, 11, 4, 11, 0, 0, 0, time.UTC),
				PathwayChanges: []dom.PathwayChange{{From: discharge.PathwayP1, To: discharge.PathwayP2, Reason: discharge.PathwayNeedsIncreased, ChangedAt: changedAt}}},
			Discharge: &dom.Discharge{
				DischargedAt: dis, Method: discharge.DischargeHospitalTransport, Destination: discharge.DestinationCommunityBed,
				Pathway: discharge.PathwayP2, Needs: needs, SummaryDueBy: dis.Add(24 * time.Hour), FollowUpDueBy: dis.Add(48 * time.Hour),
				Summary:   &dom.Summary{ReceivedAt: dis.Add(30 * time.Hour), Late: true},
				Medicines: &dom.MedicinesReferral{Pharmacy: "FA123", ReferredAt: dis.Add(-time.Hour), FirstCheckDueBy: dis.Add(71 * time.Hour)},
				FollowUp: &dom.FollowUp{Status: dom.FollowUpCompleted, TeamID: team, AssignedAt: dis.Add(2 * time.Hour), DueBy: dis.Add(48 * time.Hour),
					ClinicianID: nurse, ClinicianRole: "district-nurse", Outcome: discharge.OutcomeOngoingSupport, CompletedAt: dis.Add(40 * time.Hour)},
				Closure: &dom.Closure{ClosedAt: dis.Add(42 * time.Hour), FollowUp: discharge.ClosureFollowUpCompleted},
			},
		},
	}
}

// cancelledThenRedischarged: discharged, follow-up and DMS set up, the
// discharge cancelled (A13: no transport), replanned, discharged the next
// day, follow-up missed, closed, then an emergency readmission on day 12.
func cancelledThenRedischarged() goldenHistory {
	const id = "golden-0002"
	adm := time.Date(2026, 11, 10, 19, 40, 0, 0, time.UTC)
	planAt := time.Date(2026, 11, 12, 9, 30, 0, 0, time.UTC)
	dis1 := time.Date(2026, 11, 14, 11, 0, 0, 0, time.UTC)
	cancelAt := time.Date(2026, 11, 14, 13, 5, 0, 0, time.UTC)
	dis2 := time.Date(2026, 11, 15, 10, 30, 0, 0, time.UTC)
	readmitAt := time.Date(2026, 11, 27, 2, 10, 0, 0, time.UTC)
	needs := []discharge.FollowUpNeed{discharge.NeedReablement}
	first := discharge.PatientDischarged{DischargedAt: dis1, Method: discharge.DischargeHospitalTransport,
		Destination: discharge.DestinationUsualResidence, Pathway: discharge.PathwayP1, Needs: needs,
		HospitalSite: site, Ward: ward, Practice: practice, SummaryDueBy: dis1.Add(24 * time.Hour), FollowUpDueBy: dis1.Add(24 * time.Hour)}
	second := first
	second.DischargedAt, second.Method = dis2, discharge.DischargeOwnTransport
	second.SummaryDueBy, second.FollowUpDueBy = dis2.Add(24*time.Hour), dis2.Add(24*time.Hour)
	assign := func(dis time.Time) discharge.FollowUpAssigned {
		return discharge.FollowUpAssigned{TeamID: team, AssignedAt: dis.Add(30 * time.Minute), DueBy: dis.Add(24 * time.Hour),
			DischargedAt: dis, Pathway: discharge.PathwayP1, Needs: needs, Destination: discharge.DestinationUsualResidence, Practice: practice}
	}
	return goldenHistory{
		file: "stay_discharge_cancelled_then_redischarged.v1.json", id: id,
		steps: []step{
			{discharge.PatientAdmitted{StayID: id, Patient: patient, HospitalSite: site, Ward: ward, AdmittedAt: adm,
				Method: discharge.AdmissionEmergency, Practice: practice, PCN: pcn}, pasFeed, adm},
			{discharge.DischargePlanned{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-14", PlannedAt: planAt}, coordinator, planAt},
			{first, pasFeed, dis1},
			{assign(dis1), careCoord, dis1.Add(30 * time.Minute)},
			{discharge.MedicinesServiceReferred{Pharmacy: "FA123", ReferredAt: dis1, FirstCheckDueBy: dis1.Add(72 * time.Hour)},
				coordinator, dis1.Add(40 * time.Minute)},
			{discharge.DischargeCancelled{Reason: discharge.CancelTransportUnavailable, CancelledAt: cancelAt, DischargedAt: dis1,
				FollowUpTeamID: team, MedicinesPharmacy: "FA123"}, pasFeed, cancelAt},
			{discharge.DischargePlanned{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-15", PreviousExpectedDate: "2026-11-14",
				PlannedAt: cancelAt.Add(time.Hour)}, coordinator, cancelAt.Add(time.Hour)},
			{second, pasFeed, dis2},
			{discharge.DischargeSummaryReceived{ReceivedAt: dis2.Add(5 * time.Hour), DueBy: dis2.Add(24 * time.Hour)}, gpPractice, dis2.Add(5 * time.Hour)},
			{assign(dis2), careCoord, dis2.Add(30 * time.Minute)},
			{discharge.FollowUpMissed{TeamID: team, Reason: discharge.MissedNoAccess, DueBy: dis2.Add(24 * time.Hour),
				RecordedAt: dis2.Add(27 * time.Hour)}, nurseActor, dis2.Add(27 * time.Hour)},
			{discharge.StayClosed{ClosedAt: dis2.Add(27 * time.Hour), FollowUp: discharge.ClosureFollowUpMissed}, nurseActor, dis2.Add(27 * time.Hour)},
			{discharge.ReadmissionDetected{NewStayID: "golden-0003", ReadmittedAt: readmitAt, AdmissionMethod: discharge.AdmissionEmergency,
				DaysSinceDischarge: 12, DischargedAt: dis2, Pathway: discharge.PathwayP1}, readmitter, readmitAt.Add(time.Minute)},
		},
		want: dom.StayState{
			ID: id, Status: dom.StatusClosed, Patient: patient, HospitalSite: site, Ward: ward, AdmittedAt: adm,
			AdmissionMethod: discharge.AdmissionEmergency, Practice: practice, Area: pcn,
			Plan: &dom.Plan{Pathway: discharge.PathwayP1, ExpectedDate: "2026-11-15", PlannedAt: cancelAt.Add(time.Hour)},
			Discharge: &dom.Discharge{
				DischargedAt: dis2, Method: discharge.DischargeOwnTransport, Destination: discharge.DestinationUsualResidence,
				Pathway: discharge.PathwayP1, Needs: needs, SummaryDueBy: dis2.Add(24 * time.Hour), FollowUpDueBy: dis2.Add(24 * time.Hour),
				Summary: &dom.Summary{ReceivedAt: dis2.Add(5 * time.Hour)},
				FollowUp: &dom.FollowUp{Status: dom.FollowUpMissed, TeamID: team, AssignedAt: dis2.Add(30 * time.Minute), DueBy: dis2.Add(24 * time.Hour),
					MissedReason: discharge.MissedNoAccess, MissedAt: dis2.Add(27 * time.Hour)},
				Readmission: &dom.Readmission{NewStayID: "golden-0003", ReadmittedAt: readmitAt, DaysSinceDischarge: 12},
				Closure:     &dom.Closure{ClosedAt: dis2.Add(27 * time.Hour), FollowUp: discharge.ClosureFollowUpMissed},
			},
			RetractedDischarges: []dom.Discharge{{
				DischargedAt: dis1, Method: discharge.DischargeHospitalTransport, Destination: discharge.DestinationUsualResidence,
				Pathway: discharge.PathwayP1, Needs: needs, SummaryDueBy: dis1.Add(24 * time.Hour), FollowUpDueBy: dis1.Add(24 * time.Hour),
				Medicines:    &dom.MedicinesReferral{Pharmacy: "FA123", ReferredAt: dis1, FirstCheckDueBy: dis1.Add(72 * time.Hour)},
				FollowUp:     &dom.FollowUp{Status: dom.FollowUpAssigned, TeamID: team, AssignedAt: dis1.Add(30 * time.Minute), DueBy: dis1.Add(24 * time.Hour)},
				Cancellation: &dom.Cancellation{Reason: discharge.CancelTransportUnavailable, CancelledAt: cancelAt},
			}},
		},
	}
}

// p0Readmitted: an elective stay discharged home on P0 without a plan or
// needs, closed when the summary came (no follow-up owed), then readmitted
// as an emergency on day 3.
func p0Readmitted() goldenHistory {
	const id = "golden-0004"
	adm := time.Date(2026, 11, 16, 7, 30, 0, 0, time.UTC)
	dis := time.Date(2026, 11, 17, 16, 45, 0, 0, time.UTC)
	readmitAt := time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC)
	return goldenHistory{
		file: "stay_p0_closed_then_readmitted.v1.json", id: id,
		steps: []step{
			{discharge.PatientAdmitted{StayID: id, Patient: patient, HospitalSite: "RTE02", Ward: "Day Surgery", AdmittedAt: adm,
				Method: discharge.AdmissionElective, Practice: "L84002", PCN: pcn}, pasFeed, adm},
			{discharge.PatientDischarged{DischargedAt: dis, Method: discharge.DischargeOwnTransport,
				Destination: discharge.DestinationUsualResidence, Pathway: discharge.PathwayP0,
				HospitalSite: "RTE02", Ward: "Day Surgery", Practice: "L84002", SummaryDueBy: dis.Add(24 * time.Hour)}, pasFeed, dis},
			{discharge.DischargeSummaryReceived{ReceivedAt: dis.Add(2 * time.Hour), DueBy: dis.Add(24 * time.Hour)}, gpPractice, dis.Add(2 * time.Hour)},
			{discharge.StayClosed{ClosedAt: dis.Add(2 * time.Hour), FollowUp: discharge.ClosureFollowUpNotRequired}, gpPractice, dis.Add(2 * time.Hour)},
			{discharge.ReadmissionDetected{NewStayID: "golden-0005", ReadmittedAt: readmitAt, AdmissionMethod: discharge.AdmissionEmergency,
				DaysSinceDischarge: 3, DischargedAt: dis, Pathway: discharge.PathwayP0}, readmitter, readmitAt.Add(time.Minute)},
		},
		want: dom.StayState{
			ID: id, Status: dom.StatusClosed, Patient: patient, HospitalSite: "RTE02", Ward: "Day Surgery", AdmittedAt: adm,
			AdmissionMethod: discharge.AdmissionElective, Practice: "L84002", Area: pcn,
			Discharge: &dom.Discharge{
				DischargedAt: dis, Method: discharge.DischargeOwnTransport, Destination: discharge.DestinationUsualResidence,
				Pathway: discharge.PathwayP0, SummaryDueBy: dis.Add(24 * time.Hour),
				Summary:     &dom.Summary{ReceivedAt: dis.Add(2 * time.Hour)},
				Readmission: &dom.Readmission{NewStayID: "golden-0005", ReadmittedAt: readmitAt, DaysSinceDischarge: 3},
				Closure:     &dom.Closure{ClosedAt: dis.Add(2 * time.Hour), FollowUp: discharge.ClosureFollowUpNotRequired},
			},
		},
	}
}
