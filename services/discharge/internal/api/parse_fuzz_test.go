package api

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/services/discharge/internal/domain"
)

// The request parsers are pure: fuzzed with any body, each decoded request
// either parses or is refused with a 4xx-kind error, never a panic or an
// internal error; what parses is then decided on a stay in a state that
// accepts the command, which again refuses only with a 4xx kind.

var (
	fuzzNow   = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC) // the night the clocks go forward
	fuzzDir   = directory.Demo()
	fuzzRules = domain.DefaultRules()
)

// fuzzStay is a stay in state (admitted, planned, discharged with a
// follow-up assigned).
func fuzzStay(status domain.Status) (domain.StayState, int64) {
	s := domain.StayState{ID: "stay-1", Status: domain.StatusAdmitted, Patient: "p1", HospitalSite: "RTE01", Ward: "W1",
		AdmittedAt: fuzzNow.Add(-72 * time.Hour), AdmissionMethod: dischargeevents.AdmissionEmergency, Practice: "L84001", Area: "U84001"}
	if status == domain.StatusAdmitted {
		return s, 1
	}
	s.Status, s.Plan = domain.StatusDischargePlanned, &domain.Plan{Pathway: dischargeevents.PathwayP1, ExpectedDate: "2026-03-29", PlannedAt: fuzzNow.Add(-48 * time.Hour)}
	if status == domain.StatusDischargePlanned {
		return s, 2
	}
	at := fuzzNow.Add(-30 * time.Hour)
	s.Status, s.Discharge = domain.StatusDischarged, &domain.Discharge{DischargedAt: at, Method: dischargeevents.DischargeAmbulance,
		Destination: dischargeevents.DestinationUsualResidence, Pathway: dischargeevents.PathwayP1, SummaryDueBy: at.Add(24 * time.Hour),
		FollowUpDueBy: at.Add(24 * time.Hour), FollowUp: &domain.FollowUp{Status: domain.FollowUpAssigned, TeamID: "team-severn-ict", AssignedAt: at, DueBy: at.Add(24 * time.Hour)}}
	return s, 4
}

// fuzzParser runs one parser over fuzzed bodies.
func fuzzParser[R any, C any](f *testing.F, seeds []string, status domain.Status, parse func(R) (C, error), decide func(C) aggregate.Decide[domain.StayState]) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req R
		dec := json.NewDecoder(strings.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&req) != nil {
			return // the decoder's own refusals are fuzzed in kit/httpkit
		}
		cmd, err := parse(req)
		if err != nil {
			wantClientError(t, err)
			return
		}
		s, v := fuzzStay(status)
		if _, err := decide(cmd)(s, v); err != nil {
			wantClientError(t, err)
		}
	})
}

func wantClientError(t *testing.T, err error) {
	t.Helper()
	if k := httpkit.KindOf(err); k != httpkit.KindInvalid && k != httpkit.KindConflict {
		t.Fatalf("error of kind %d (not a 400/409): %v", k, err)
	}
}

func FuzzParseAdmit(f *testing.F) {
	reg := patientref.Registration{Patient: "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", Status: "registered", Practice: "L84001", PCN: "U84001"}
	fuzzParser(f, []string{
		`{"nhsNumber":"999 000 0018","hospitalSite":"RTE01","ward":"Ward 7","admittedAt":"2026-03-29T00:30:00Z","admissionMethod":"emergency"}`,
		`{"patient":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10","hospitalSite":"RTE01","ward":"W","admittedAt":"2026-03-28T23:59:00+00:00","admissionMethod":"transfer"}`,
		`{"nhsNumber":"9990000019","patient":"x","admittedAt":"2026-13-01T00:00:00Z"}`,
	}, "", func(req admitRequest) (domain.AdmitCmd, error) {
		if _, _, err := parsePatient(req); err != nil {
			return domain.AdmitCmd{}, err
		}
		return parseAdmit(req, "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d11", reg, fuzzDir, fuzzNow)
	}, func(c domain.AdmitCmd) aggregate.Decide[domain.StayState] { return domain.Admit(c) })
}

func FuzzParsePlan(f *testing.F) {
	fuzzParser(f, []string{`{"pathway":"P1","expectedDate":"2026-03-30"}`, `{"pathway":"P2","expectedDate":"2026-02-30"}`},
		domain.StatusAdmitted, func(req planRequest) (domain.PlanDischargeCmd, error) { return parsePlan(req, fuzzNow) },
		func(c domain.PlanDischargeCmd) aggregate.Decide[domain.StayState] {
			return domain.PlanDischarge(c, fuzzRules)
		})
}

func FuzzParseChangePathway(f *testing.F) {
	fuzzParser(f, []string{`{"pathway":"P3","reason":"needs-increased"}`, `{"pathway":"P1","reason":"capacity"}`},
		domain.StatusDischargePlanned, func(req changePathwayRequest) (domain.ChangePathwayCmd, error) {
			return parseChangePathway(req, fuzzNow)
		},
		func(c domain.ChangePathwayCmd) aggregate.Decide[domain.StayState] { return domain.ChangePathway(c) })
}

func FuzzParseDischarge(f *testing.F) {
	fuzzParser(f, []string{
		`{"dischargedAt":"2026-03-29T00:10:00Z","method":"ambulance","destination":"care-home","careHomeId":"home-willow-court","pathway":"P3","needs":["equipment","reablement"]}`,
		`{"dischargedAt":"2026-03-28T12:00:00+01:00","method":"own-transport","destination":"usual-residence","pathway":"P0"}`,
		`{"dischargedAt":"2026-03-28T12:00:00Z","method":"own-transport","destination":"community-bed","pathway":"P1","needs":["x"]}`,
	}, domain.StatusDischargePlanned, func(req dischargeRequest) (domain.DischargeCmd, error) { return parseDischarge(req, fuzzDir, fuzzNow) },
		func(c domain.DischargeCmd) aggregate.Decide[domain.StayState] {
			return domain.DischargePatient(c, fuzzRules)
		})
}

func FuzzParseCancelDischarge(f *testing.F) {
	fuzzParser(f, []string{`{"reason":"entered-in-error"}`, `{"reason":""}`},
		domain.StatusDischarged, func(req cancelDischargeRequest) (domain.CancelDischargeCmd, error) {
			return parseCancelDischarge(req, fuzzNow)
		},
		func(c domain.CancelDischargeCmd) aggregate.Decide[domain.StayState] { return domain.CancelDischarge(c) })
}

func FuzzParseSummary(f *testing.F) {
	fuzzParser(f, []string{`{"receivedAt":"2026-03-29T01:00:00Z"}`, `{"receivedAt":"2026-03-27T01:00:00Z"}`},
		domain.StatusDischarged, func(req summaryRequest) (domain.ReceiveSummaryCmd, error) { return parseSummary(req, fuzzNow) },
		func(c domain.ReceiveSummaryCmd) aggregate.Decide[domain.StayState] { return domain.ReceiveSummary(c) })
}

func FuzzParseMedicinesReferral(f *testing.F) {
	fuzzParser(f, []string{`{"pharmacy":"FQA12","referredAt":"2026-03-28T20:00:00Z"}`, `{"pharmacy":"fqa","referredAt":"2030-01-01T00:00:00Z"}`},
		domain.StatusDischarged, func(req medicinesReferralRequest) (domain.ReferMedicinesCmd, error) {
			return parseMedicinesReferral(req, fuzzNow)
		},
		func(c domain.ReferMedicinesCmd) aggregate.Decide[domain.StayState] {
			return domain.ReferMedicines(c, fuzzRules)
		})
}

func FuzzParseAssignFollowUp(f *testing.F) {
	fuzzParser(f, []string{`{"teamId":"team-severn-social"}`, `{"teamId":"team-forest-ict"}`, `{"teamId":"Team"}`},
		domain.StatusDischarged, func(req assignFollowUpRequest) (domain.AssignFollowUpCmd, error) {
			return parseAssignFollowUp(req, fuzzDir, fuzzNow)
		},
		func(c domain.AssignFollowUpCmd) aggregate.Decide[domain.StayState] {
			return domain.AssignFollowUp(c, fuzzRules)
		})
}

func FuzzParseCompleteFollowUp(f *testing.F) {
	fuzzParser(f, []string{
		`{"clinicianId":"dn-maria-silva","outcome":"needs-met","completedAt":"2026-03-29T00:00:00Z"}`,
		`{"clinicianId":"sw-david-ross","outcome":"escalated-to-gp","completedAt":"2026-03-20T00:00:00Z"}`,
	}, domain.StatusDischarged, func(req completeFollowUpRequest) (domain.CompleteFollowUpCmd, error) {
		return parseCompleteFollowUp(req, fuzzDir, fuzzNow)
	}, func(c domain.CompleteFollowUpCmd) aggregate.Decide[domain.StayState] {
		cl, _ := fuzzDir.Clinician(c.ClinicianID)
		return inTeam(domain.CompleteFollowUp(c), cl.Org)
	})
}

func FuzzParseFollowUpMissed(f *testing.F) {
	fuzzParser(f, []string{`{"reason":"no-access"}`, `{"reason":"patient-readmitted"}`},
		domain.StatusDischarged, func(req followUpMissedRequest) (domain.RecordFollowUpMissedCmd, error) {
			return parseFollowUpMissed(req, fuzzNow)
		},
		func(c domain.RecordFollowUpMissedCmd) aggregate.Decide[domain.StayState] {
			return domain.RecordFollowUpMissed(c)
		})
}

// TestStayViewRendersLondonTime pins the local rendering across the
// spring clock change: 00:30 UTC is 00:30 GMT, 01:30 UTC is 02:30 BST.
func TestStayViewRendersLondonTime(t *testing.T) {
	s, v := fuzzStay(domain.StatusDischarged)
	s.AdmittedAt = time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	s.Discharge.DischargedAt = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
	view := newStayView(aggregate.Loaded[domain.StayState]{ID: "x", State: s, Version: v}, fuzzRules.Location)
	if view.Local.AdmittedAt != "2026-03-29T00:30:00Z" || view.Local.DischargedAt != "2026-03-29T02:30:00+01:00" || view.CurrentPathway != "P1" {
		t.Fatalf("local times %+v", view.Local)
	}
}
