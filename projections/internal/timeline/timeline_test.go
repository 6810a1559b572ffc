package timeline_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone database

	"github.com/careweave/careweave/events"
	ac "github.com/careweave/careweave/events/access"
	ch "github.com/careweave/careweave/events/carehomes"
	dc "github.com/careweave/careweave/events/discharge"
	hv "github.com/careweave/careweave/events/homevisits"
	mr "github.com/careweave/careweave/events/medreviews"
	nt "github.com/careweave/careweave/events/notify"
	pe "github.com/careweave/careweave/events/patients"
	"github.com/careweave/careweave/projections/internal/timeline"
)

const pt = "pt-0190f4c2"

var (
	at     = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC) // Mon, GMT
	window = hv.Window{NotBefore: at, VisitBy: at.Add(2 * time.Hour)}
	round  = ch.RoundRef{RoundID: "r-1", CareHomeID: "home-willow-court", Week: "2026-W48"}
)

// testCase is one sample event and what its timeline effect must be.
type testCase struct {
	data     events.Data
	subject  string // envelope subject; round events have none
	stream   string
	patients []string // one entry per patient, in order
	summary  string   // exact summary of the first entry, when set
	contains []string // fragments the first entry's summary must hold
	category string
	path     string
	key      string
	marks    []timeline.Mark // Patient, StreamID, EventTypes, Key, Status compared
}

const (
	visit  = "visit-0190f4c2"
	review = "review-7"
	stay   = "stay-0001"
	rnd    = "round-r-1"
	res    = "residency-42"
	patStr = "patient-" + pt
)

func ty(d events.Data) string { return d.EventType() }

// cases holds a sample of every event type of every service.
func cases() []testCase {
	hvPaths, mrPath, dcPath := "/v1/visits/0190f4c2", "/v1/reviews/7", "/v1/stays/0001"
	assignments := []string{ty(hv.VisitAssigned{}), ty(hv.VisitReassigned{}), ty(hv.AssignmentAccepted{})}
	return []testCase{
		// patients
		{data: pe.PatientRegistered{Patient: pt, Practice: "L84001", PCN: "U84001", TraceStatus: pe.TraceVerified},
			summary: "Registered at practice L84001 (PCN U84001); NHS number verified (01)", category: "registration"},
		{data: pe.DemographicsChanged{Patient: pt, Changed: []string{"familyName", "Smith"}},
			summary: "Personal details updated in the patient registry: family name and other details", category: "registration"},
		{data: pe.TraceStatusChanged{Patient: pt, TraceStatus: pe.TraceNoMatch},
			summary: "NHS number trace status changed: trace attempted, no or several matches (04)", category: "registration"},
		{data: pe.PracticeChanged{Patient: pt, FromPractice: "L84001", ToPractice: "L84002", FromPCN: "U84001", ToPCN: "U84002"},
			summary: "Registered practice changed from L84001 (PCN U84001) to L84002 (PCN U84002)", category: "registration"},
		{data: pe.PatientMerged{Patient: pt, Survivor: "pt-survivor"}, patients: []string{pt, "pt-survivor"},
			summary: "Record merged into pt-survivor: it was a duplicate, and its care continues on that record", category: "registration"},

		// homevisits
		{data: hv.VisitRequested{Patient: pt, Practice: "L84001", PCN: "U84001", Reason: "Fall at home", Source: hv.SourcePhone,
			Caller: hv.CallerRelative, RequestedAt: at},
			summary: "Home visit requested by a relative by phone: fall at home", path: hvPaths},
		{data: hv.VisitTriaged{TriagedBy: "gp-amara-okafor", TriagedByRole: hv.RoleGP, Urgency: "urgent", Window: window,
			Notes: "Possible hip fracture", PreviousUrgency: "same-day", ClinicianID: "para-jess-patel", Role: hv.RoleParamedic, TriagedAt: at},
			summary: "Re-triaged from same day to urgent by gp-amara-okafor (GP): visit Mon 23 Nov 2026, 09:30 GMT to 11:30 GMT; " +
				"para-jess-patel (paramedic) holds the visit: possible hip fracture",
			marks: []timeline.Mark{{Patient: pt, StreamID: visit, EventTypes: []string{ty(hv.VisitTriaged{})}, Status: timeline.StatusSuperseded}}},
		{data: hv.TriagedWithoutVisit{TriagedBy: "gp-amara-okafor", TriagedByRole: hv.RoleGP, Outcome: hv.TriageReferredToUCR, TriagedAt: at},
			summary: "Triaged without a visit by gp-amara-okafor (GP): referred to the Urgent Community Response",
			marks:   []timeline.Mark{{Patient: pt, StreamID: visit, EventTypes: []string{ty(hv.VisitTriaged{})}, Status: timeline.StatusSuperseded}}},
		{data: hv.VisitAssigned{ClinicianID: "para-jess-patel", Role: hv.RoleParamedic, Urgency: "urgent", Window: window, AssignedAt: at},
			summary: "Home visit assigned to para-jess-patel (paramedic), urgent, window Mon 23 Nov 2026, 09:30 GMT to 11:30 GMT",
			marks:   []timeline.Mark{{Patient: pt, StreamID: visit, EventTypes: assignments, Status: timeline.StatusSuperseded}}},
		{data: hv.VisitReassigned{FromClinicianID: "para-jess-patel", FromRole: hv.RoleParamedic, ClinicianID: "acp-sam-reid",
			Role: hv.RoleAdvancedPractitioner, Reason: "Nearer", Urgency: "urgent", Window: window, ReassignedAt: at},
			summary: "Home visit reassigned from para-jess-patel (paramedic) to acp-sam-reid (advanced clinical practitioner), " +
				"urgent, window Mon 23 Nov 2026, 09:30 GMT to 11:30 GMT: nearer",
			marks: []timeline.Mark{{Patient: pt, StreamID: visit, EventTypes: assignments, Status: timeline.StatusSuperseded}}},
		{data: hv.AssignmentAccepted{ClinicianID: "acp-sam-reid", Role: hv.RoleAdvancedPractitioner, AcceptedAt: at},
			summary: "Home visit accepted by acp-sam-reid (advanced clinical practitioner)"},
		{data: hv.AssignmentDeclined{ClinicianID: "para-jess-patel", Role: hv.RoleParamedic, Reason: "On another call", DeclinedAt: at},
			summary: "Home visit declined by para-jess-patel (paramedic): on another call; it needs reassigning"},
		{data: hv.AssignmentTimedOut{ClinicianID: "para-jess-patel", Role: hv.RoleParamedic, AssignedAt: at, AcceptBy: at.Add(15 * time.Minute),
			TimedOutAt: at.Add(16 * time.Minute)},
			summary: "Home visit not accepted by para-jess-patel (paramedic) within the acceptance time (due by Mon 23 Nov 2026, 09:45 GMT); " +
				"back with the duty coordinator to reassign"},
		{data: hv.TravelStarted{ClinicianID: "acp-sam-reid", Role: hv.RoleAdvancedPractitioner, StartedAt: at},
			summary: "On the way to the home visit: acp-sam-reid (advanced clinical practitioner)"},
		{data: hv.ClinicianArrived{ClinicianID: "acp-sam-reid", Role: hv.RoleAdvancedPractitioner, ArrivedAt: at},
			summary: "Arrived at the home visit: acp-sam-reid (advanced clinical practitioner)"},
		{data: hv.VisitCompleted{ClinicianID: "acp-sam-reid", Role: hv.RoleAdvancedPractitioner, Outcome: hv.OutcomeConveyedToHospital,
			Notes: "Shortened, rotated leg", CompletedAt: at},
			summary: "Home visit completed by acp-sam-reid (advanced clinical practitioner): conveyed to hospital. Shortened, rotated leg"},
		{data: hv.NoAccessRecorded{ClinicianID: "acp-sam-reid", Role: hv.RoleAdvancedPractitioner, Reason: "No answer", RecordedAt: at},
			summary: "No access at the home visit by acp-sam-reid (advanced clinical practitioner): no answer"},
		{data: hv.VisitCancelled{Reason: hv.CancelDuplicate, Notes: "Daughter also rang", DuplicateOf: "0190f4c2-0000",
			ClinicianID: "acp-sam-reid", Role: hv.RoleAdvancedPractitioner, CancelledAt: at},
			summary: "Home visit cancelled: a duplicate of visit 0190f4c2-0000 (Daughter also rang); acp-sam-reid (advanced clinical practitioner) stood down"},
		{data: hv.VisitEscalated{To: hv.EscalateTo999, Reason: "Chest pain on arrival", ClinicianID: "acp-sam-reid",
			Role: hv.RoleAdvancedPractitioner, EscalatedAt: at},
			summary: "Home visit escalated to 999 by acp-sam-reid (advanced clinical practitioner): chest pain on arrival"},

		// medreviews
		{data: mr.CandidateIdentified{Patient: pt, Practice: "L84001", PCN: "U84001",
			Criteria: []mr.Cohort{mr.CohortCareHomeResident, mr.CohortPolypharmacy}, IdentifiedBy: "pharm-ravi-shah",
			IdentifiedByRole: "clinical-pharmacist", IdentifiedAt: at},
			summary: "Identified for a structured medication review by pharm-ravi-shah (clinical pharmacist): " +
				"care home resident and polypharmacy (10 or more medicines)", category: "medication-review", path: mrPath},
		{data: mr.ReviewInvited{Channel: mr.ChannelLetter, InvitedAt: at, RespondBy: at.AddDate(0, 0, 28), Invitation: 1},
			summary: "Invited to a structured medication review by letter (invitation 1); reply due by Mon 21 Dec 2026, 09:30 GMT"},
		{data: mr.ReviewBooked{AppointmentAt: at.AddDate(0, 0, 7), Mode: mr.ModeCareHome, ClinicianID: "pharm-ravi-shah",
			ClinicianRole: mr.RoleClinicalPharmacist, CareHome: "home-willow-court", BookedAt: at},
			summary: "Structured medication review booked for Mon 30 Nov 2026, 09:30 GMT at care home home-willow-court with pharm-ravi-shah (clinical pharmacist)",
			marks:   []timeline.Mark{{Patient: pt, StreamID: review, EventTypes: []string{ty(mr.ReviewBooked{}), ty(mr.ReviewRebooked{})}, Status: timeline.StatusSuperseded}}},
		{data: mr.ReviewRebooked{AppointmentAt: at.AddDate(0, 0, 9), PreviousAppointmentAt: at.AddDate(0, 0, 7), Mode: mr.ModeTelephone,
			ClinicianID: "pharm-ellen-moss", ClinicianRole: mr.RoleClinicalPharmacist, AfterDidNotAttend: true, RebookedAt: at},
			summary: "Structured medication review rebooked for Wed 2 Dec 2026, 09:30 GMT by telephone with pharm-ellen-moss (clinical pharmacist) " +
				"(was Mon 30 Nov 2026, 09:30 GMT, not attended)",
			marks: []timeline.Mark{{Patient: pt, StreamID: review, EventTypes: []string{ty(mr.ReviewBooked{}), ty(mr.ReviewRebooked{})}, Status: timeline.StatusSuperseded}}},
		{data: mr.AppointmentNotAttended{AppointmentAt: at, ClinicianID: "pharm-ravi-shah", Count: 1, RecordedAt: at.Add(time.Hour)},
			summary: "Did not attend the structured medication review of Mon 23 Nov 2026, 09:30 GMT with pharm-ravi-shah (missed appointments: 1)"},
		{data: mr.ReviewCompleted{Mode: mr.ModeFaceToFace, ClinicianID: "pharm-ravi-shah", ClinicianRole: mr.RoleClinicalPharmacist,
			CompletedAt: at, Summary: "Reviewed 12 medicines.", SnomedCode: mr.SnomedStructuredMedicationReview, FollowUpBy: at.AddDate(0, 0, 90)},
			summary: "Structured medication review completed face to face by pharm-ravi-shah (clinical pharmacist): Reviewed 12 medicines. " +
				"Follow-up due by Sun 21 Feb 2027, 09:30 GMT."},
		{data: mr.ReviewDeclined{Reason: "does not want a review", DeclinedAt: at, CodeCluster: mr.DeclinedCluster},
			summary: "Declined a structured medication review: does not want a review"},
		{data: mr.ReviewClosed{Reason: mr.CloseMovedPractice, PreviousStatus: "invited", ClosedAt: at},
			summary: "Structured medication review closed without a review: moved practice"},
		{data: mr.RecommendationRecorded{RecommendationID: "rec-1", Medicine: mr.Medicine{Name: "Zopiclone 7.5mg tablets", DmdCode: "3228700031000001"},
			Action: mr.ActionSwitch, Reason: "Falls risk", Deprescribing: true, SwitchTo: &mr.Medicine{Name: "Melatonin 2mg MR tablets"},
			RecommendedBy: "pharm-ravi-shah", RecommendedByRole: mr.RoleClinicalPharmacist, RecordedAt: at, DecisionDueBy: at.AddDate(0, 0, 14)},
			summary: "Recommended by pharm-ravi-shah (clinical pharmacist), not yet enacted: switch Zopiclone 7.5mg tablets to Melatonin 2mg MR tablets " +
				"(deprescribing): falls risk; prescriber's decision due by Mon 7 Dec 2026, 09:30 GMT", key: "rec-1"},
		{data: mr.RecommendationAccepted{RecommendationID: "rec-1", Medicine: mr.Medicine{Name: "Zopiclone 7.5mg tablets"}, Action: mr.ActionSwitch,
			PrescriberID: "gp-amara-okafor", PrescriberRole: mr.RoleGP, EnactedAt: at},
			summary: "Recommendation accepted and enacted in the GP record by gp-amara-okafor (GP): switch Zopiclone 7.5mg tablets", key: "rec-1",
			marks: []timeline.Mark{{Patient: pt, StreamID: review, EventTypes: []string{ty(mr.RecommendationRecorded{})}, Key: "rec-1", Status: timeline.StatusAccepted}}},
		{data: mr.RecommendationRejected{RecommendationID: "rec-2", Medicine: mr.Medicine{Name: "Amlodipine 5mg tablets"}, Action: mr.ActionStop,
			PrescriberID: "gp-amara-okafor", PrescriberRole: mr.RoleGP, Reason: "BP not controlled", RejectedAt: at},
			summary: "Recommendation rejected by gp-amara-okafor (GP), not enacted: stop Amlodipine 5mg tablets: BP not controlled", key: "rec-2",
			marks: []timeline.Mark{{Patient: pt, StreamID: review, EventTypes: []string{ty(mr.RecommendationRecorded{})}, Key: "rec-2", Status: timeline.StatusRejected}}},

		// carehomes: rounds (no subject) and residencies
		{data: ch.RoundScheduled{RoundRef: round, Area: "U84001", PlannedStart: at, ClinicalLead: "gp-amara-okafor", ClinicalLeadRole: "gp"}, patients: []string{}},
		{data: ch.ResidentNominated{RoundRef: round, Patient: pt, NominatedBy: ch.NominatorHome, Reason: "Two falls this week", Priority: ch.PriorityHigh},
			summary:  "Nominated for the care home round at home-willow-court (week 2026-W48) by the care home, high priority: two falls this week",
			category: "care-home", path: "/v1/rounds/r-1"},
		{data: ch.NominationWithdrawn{RoundRef: round, Patient: pt, Reason: "Seen by the GP yesterday"},
			summary: "Nomination for the care home round at home-willow-court (week 2026-W48) withdrawn: seen by the GP yesterday",
			marks:   []timeline.Mark{{Patient: pt, StreamID: rnd, EventTypes: []string{ty(ch.ResidentNominated{})}, Status: timeline.StatusWithdrawn}}},
		{data: ch.RoundHeld{RoundRef: round, Attendees: []ch.Attendee{{ClinicianID: "gp-amara-okafor", Role: "gp"}}, StartedAt: at, EndedAt: at.Add(time.Hour)},
			patients: []string{}},
		{data: ch.ResidentReviewed{RoundRef: round, Patient: pt, ReviewedBy: "gp-amara-okafor", ReviewerRole: "gp", Outcome: "Stable", FollowUp: "bloods next week"},
			summary: "Reviewed on the care home round at home-willow-court (week 2026-W48) by gp-amara-okafor (GP): stable. Follow-up: bloods next week"},
		{data: ch.ResidentNotReviewed{RoundRef: round, Patient: pt, Reason: ch.NotReviewedInHospital},
			summary: "Not reviewed on the care home round at home-willow-court (week 2026-W48): in hospital"},
		{data: ch.ActionRaised{RoundRef: round, ActionID: "a-1", Patient: pt, Description: "Book bloods", OwnerClinicianID: "cn-kate-ward",
			OwnerRole: "community-nurse", DueOn: "2026-12-01"},
			summary: "Action from the care home round at home-willow-court (week 2026-W48) for cn-kate-ward (community nurse), due Tue 1 Dec 2026: book bloods",
			key:     "a-1"},
		{data: ch.ActionCompleted{RoundRef: round, ActionID: "a-1", Patient: pt, Note: "done", CompletedAt: at, DueOn: "2026-12-01", OnTime: true},
			summary: "Action from the care home round at home-willow-court (week 2026-W48) completed on time (due Tue 1 Dec 2026): done", key: "a-1"},
		{data: ch.RoundClosed{RoundRef: round, Reviewed: 3, NotReviewed: 1, Withdrawn: 1, OpenActions: 2}, patients: []string{}},

		// notify: what reached a team's webhook is for the worklist, not the timeline
		{data: nt.WebhookDelivery{Team: "team-severn-ict", State: nt.Delivered, Sequence: 3, Notice: "n-1", Kind: nt.DischargeRouted, Stay: "0001", Patient: pt},
			stream: nt.WebhookStream("team-severn-ict"), patients: []string{}},

		// access: who looked at a record is for the access log, not the timeline
		{data: ac.AccessRecorded{Patient: pt, ActorID: "para-jess-patel", Role: "paramedic", Org: "U84001", Action: ac.ReadTimeline,
			Resource: "/v1/patients/" + pt + "/timeline", Basis: ac.BreakGlass, Reason: "Called to a fall out of hours", Outcome: ac.Allowed,
			Status: 200, RequestID: "req-1"}, stream: ac.Stream(pt), patients: []string{}},
		{data: ac.BreakGlassGranted{Patient: pt, ActorID: "para-jess-patel", Role: "paramedic", Reason: "Called to a fall out of hours",
			Until: at.Add(30 * time.Minute)}, stream: ac.Stream(pt), patients: []string{}},
		{data: ch.RoundCancelled{RoundRef: round, Reason: "Outbreak in the home", Nominated: []string{pt, "pt-2", pt}},
			patients: []string{pt, "pt-2"},
			summary:  "Care home round at home-willow-court (week 2026-W48) cancelled while nominated: outbreak in the home"},
		{data: ch.ResidentAdmitted{Patient: pt, CareHomeID: "home-willow-court", Area: "U84001", Stay: 2, AdmittedAt: at, Readmission: true,
			PrioritisedForSMR: true, WorkingDays: 7, DueOn: "2026-12-02"},
			summary: "Readmitted to care home home-willow-court; holistic assessment and care plan due by Wed 2 Dec 2026 (7 working days); " +
				"prioritised for a structured medication review", path: "/v1/residencies/42"},
		{data: ch.AssessmentCompleted{Patient: pt, CareHomeID: "home-willow-court", Stay: 1, AssessedBy: "gp-amara-okafor", AssessorRole: "gp",
			CompletedAt: at, DueOn: "2026-12-02", OnTime: true},
			summary: "Holistic assessment completed at care home home-willow-court by gp-amara-okafor (GP), on time (due by Wed 2 Dec 2026)"},
		{data: ch.CarePlanAgreed{Patient: pt, CareHomeID: "home-willow-court", Stay: 1, AgreedBy: "gp-amara-okafor", AgreedByRole: "gp",
			AgreedWith: ch.AgreedWithFamily, AgreedAt: at, DueOn: "2026-12-02"},
			summary: "Personalised care and support plan agreed at care home home-willow-court by gp-amara-okafor (GP) with family or carer, late (due by Wed 2 Dec 2026)"},
		{data: ch.ResidentDischarged{Patient: pt, CareHomeID: "home-willow-court", Stay: 1, DischargedAt: at, Destination: ch.DestinationHospital,
			AssessmentOutstanding: true, CarePlanOutstanding: true},
			summary: "Left care home home-willow-court for hospital; holistic assessment and care plan were still outstanding"},
		{data: ch.ResidentDied{Patient: pt, CareHomeID: "home-willow-court", Stay: 1, DiedAt: at},
			summary: "Died while a resident of care home home-willow-court"},

		// discharge
		{data: dc.PatientAdmitted{StayID: "0001", Patient: pt, HospitalSite: "RTE01", Ward: "Ward 7B", AdmittedAt: at,
			Method: dc.AdmissionEmergency, Practice: "L84001", PCN: "U84001"},
			summary: "Admitted to hospital RTE01, Ward 7B (emergency admission)", category: "hospital", path: dcPath},
		{data: dc.DischargePlanned{Pathway: dc.PathwayP1, ExpectedDate: "2026-11-27", PreviousExpectedDate: "2026-11-25", PlannedAt: at},
			summary: "Expected discharge revised from Wed 25 Nov 2026 to Fri 27 Nov 2026, pathway P1 (home with new support)",
			marks:   []timeline.Mark{{Patient: pt, StreamID: stay, EventTypes: []string{ty(dc.DischargePlanned{})}, Status: timeline.StatusSuperseded}}},
		{data: dc.PathwayChanged{From: dc.PathwayP1, To: dc.PathwayP2, Reason: dc.PathwayNeedsIncreased, ChangedAt: at},
			summary: "Discharge pathway changed from pathway P1 (home with new support) to pathway P2 (community bed-based rehabilitation): needs increased"},
		{data: dc.PatientDischarged{DischargedAt: at, Method: dc.DischargeOwnTransport, Destination: dc.DestinationUsualResidence, Pathway: dc.PathwayP1,
			Needs: []dc.FollowUpNeed{dc.NeedReablement}, HospitalSite: "RTE01", Ward: "Ward 7B", Practice: "L84001",
			SummaryDueBy: at.Add(24 * time.Hour), FollowUpDueBy: time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)},
			summary: "Discharged home on pathway P1 (home with new support) from RTE01, Ward 7B by own transport; needs reablement; " +
				"discharge summary due by Tue 24 Nov 2026, 09:30 GMT; community follow-up due by Tue 24 Nov 2026, 14:00 GMT"},
		{data: dc.DischargeCancelled{Reason: dc.CancelTransportUnavailable, CancelledAt: at.Add(time.Hour), DischargedAt: at,
			FollowUpTeamID: "team-severn-ict", MedicinesPharmacy: "FA123", ReadmissionStayID: "0002"},
			summary: "Discharge of Mon 23 Nov 2026, 09:30 GMT cancelled and retracted: transport unavailable; withdrawn: community follow-up by " +
				"team team-severn-ict, Discharge Medicines Service referral to pharmacy FA123 and readmission signal (stay 0002)",
			marks: []timeline.Mark{{Patient: pt, StreamID: stay, Status: timeline.StatusRetracted, EventTypes: []string{
				ty(dc.PatientDischarged{}), ty(dc.DischargeSummaryReceived{}), ty(dc.MedicinesServiceReferred{}), ty(dc.FollowUpAssigned{}),
				ty(dc.FollowUpCompleted{}), ty(dc.FollowUpMissed{}), ty(dc.ReadmissionDetected{}), ty(dc.StayClosed{})}}}},
		{data: dc.DischargeSummaryReceived{ReceivedAt: at, DueBy: at.Add(-time.Hour), Late: true},
			summary: "Discharge summary received by the GP practice, late (due by Mon 23 Nov 2026, 08:30 GMT)"},
		{data: dc.MedicinesServiceReferred{Pharmacy: "FA123", ReferredAt: at, FirstCheckDueBy: at.Add(72 * time.Hour)},
			summary: "Referred to the Discharge Medicines Service at pharmacy FA123; first check due by Thu 26 Nov 2026, 09:30 GMT",
			marks:   []timeline.Mark{{Patient: pt, StreamID: stay, EventTypes: []string{ty(dc.MedicinesServiceReferred{})}, Status: timeline.StatusSuperseded}}},
		{data: dc.FollowUpAssigned{TeamID: "team-severn-ict", AssignedAt: at, DueBy: at.Add(24 * time.Hour), PreviousTeamID: "team-severn-social",
			DischargedAt: at, Pathway: dc.PathwayP1, Destination: dc.DestinationUsualResidence, Practice: "L84001"},
			summary: "Community follow-up assigned to team team-severn-ict (moved from team team-severn-social), due by Tue 24 Nov 2026, 09:30 GMT",
			marks:   []timeline.Mark{{Patient: pt, StreamID: stay, EventTypes: []string{ty(dc.FollowUpAssigned{})}, Status: timeline.StatusSuperseded}}},
		{data: dc.FollowUpCompleted{TeamID: "team-severn-ict", ClinicianID: "dn-maria-silva", ClinicianRole: "district-nurse",
			Outcome: dc.OutcomeNeedsMet, CompletedAt: at, DueBy: at.Add(time.Hour)},
			summary: "Community follow-up completed by dn-maria-silva (district nurse) of team team-severn-ict: needs met; on time (due by Mon 23 Nov 2026, 10:30 GMT)"},
		{data: dc.FollowUpMissed{TeamID: "team-severn-ict", Reason: dc.MissedNoAccess, DueBy: at, RecordedAt: at.Add(time.Hour)},
			summary: "Community follow-up by team team-severn-ict missed: no access (due by Mon 23 Nov 2026, 09:30 GMT)"},
		{data: dc.ReadmissionDetected{NewStayID: "0002", ReadmittedAt: at, AdmissionMethod: dc.AdmissionEmergency, DaysSinceDischarge: 29,
			DischargedAt: at.Add(-29 * 24 * time.Hour), Pathway: dc.PathwayP1},
			summary: "Readmitted (emergency admission) 29 days after the discharge of Sun 25 Oct 2026, 09:30 GMT on pathway P1 (home with new support); new stay 0002"},
		{data: dc.StayClosed{ClosedAt: at, FollowUp: dc.ClosureFollowUpCompleted, SummaryLate: true},
			summary: "Hospital stay closed: community follow-up completed; the discharge summary was late"},
	}
}

// prepare fills in each case's defaults from its service.
func prepare(c testCase) testCase {
	tn, _ := events.ParseTypeName(c.data.EventType())
	def := map[string]struct{ stream, category, path string }{
		"patients":   {patStr, "registration", "/v1/patients/" + pt},
		"homevisits": {visit, "home-visit", "/v1/visits/0190f4c2"},
		"medreviews": {review, "medication-review", "/v1/reviews/7"},
		"discharge":  {stay, "hospital", "/v1/stays/0001"},
		"carehomes":  {rnd, "care-home", "/v1/rounds/r-1"},
	}[tn.Service]
	switch c.data.(type) {
	case ch.ResidentAdmitted, ch.AssessmentCompleted, ch.CarePlanAgreed, ch.ResidentDischarged, ch.ResidentDied:
		def.stream, def.path = res, "/v1/residencies/42"
	}
	if c.stream == "" {
		c.stream = def.stream
	}
	if c.category == "" {
		c.category = def.category
	}
	if c.path == "" {
		c.path = def.path
	}
	if c.subject == "" && def.stream != rnd {
		c.subject = pt
	}
	if c.patients == nil {
		c.patients = []string{pt}
	}
	return c
}

// envelope builds the envelope a service would publish, round-trips it
// through the wire form and decodes its data with the combined registry.
func envelope(t testing.TB, d events.Data, subject, stream string, version int64, when time.Time) (events.Envelope, events.Data) {
	t.Helper()
	env, err := events.New(d, events.Metadata{
		ID: events.NewID(when), Time: when, Subject: subject, Area: "U84001", CorrelationID: "corr-1",
		Actor: events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
	})
	if err != nil {
		t.Fatal(err)
	}
	env.StreamID, env.StreamVersion = stream, version
	b, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := events.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	data, err := timeline.Registry().Decode(back)
	if err != nil {
		t.Fatal(err)
	}
	return back, data
}

func projector(t testing.TB) *timeline.Projector {
	t.Helper()
	p, err := timeline.New()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEveryRegisteredTypeHasACase(t *testing.T) {
	have := map[string]bool{}
	for _, c := range cases() {
		have[c.data.EventType()] = true
	}
	regs := map[string]*events.Registry{
		"patients": pe.Registry(), "homevisits": hv.Registry(), "medreviews": mr.Registry(),
		"carehomes": ch.Registry(), "discharge": dc.Registry(), "combined": timeline.Registry(), "notify (views only)": events.NewRegistry(),
		"access (views only)": ac.Registry(),
	}
	regs["notify (views only)"].Register(nt.WebhookDelivery{})
	total := 0
	for name, reg := range regs {
		for _, typ := range reg.Types() {
			if !have[typ] {
				t.Errorf("%s: registered type %s has no test case", name, typ)
			}
		}
		if name != "combined" {
			total += len(reg.Types())
		}
	}
	if got := len(timeline.Registry().Types()); got != total {
		t.Errorf("combined registry holds %d types; the services register %d", got, total)
	}
}

func TestProjectEveryEventType(t *testing.T) {
	p := projector(t)
	quiet := timeline.WithoutEntries()
	for i, c := range cases() {
		c := prepare(c)
		t.Run(c.data.EventType(), func(t *testing.T) {
			env, data := envelope(t, c.data, c.subject, c.stream, int64(i+2), at)
			eff, err := p.Project(env, data)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(quiet, c.data.EventType()) != (len(c.patients) == 0) {
				t.Errorf("WithoutEntries and the expected patients disagree")
			}
			var got []string
			for _, e := range eff.Add {
				got = append(got, e.Patient)
			}
			if !slices.Equal(got, c.patients) && !(len(got) == 0 && len(c.patients) == 0) {
				t.Fatalf("entries for %v; want %v", got, c.patients)
			}
			for _, e := range eff.Add {
				if e.EventID != env.ID.String() || e.EventType != c.data.EventType() || e.Category != c.category ||
					e.Source.Path != c.path || e.StreamID != c.stream || e.StreamVersion != int64(i+2) || e.Key != c.key ||
					e.ActorID != "cc-nia-brown" || e.ActorRole != "care-coordinator" || e.ActorOrg != "U84001" ||
					e.OccurredAt.IsZero() || !e.RecordedAt.Equal(at) || e.Service != strings.Split(e.EventType, ".")[1] {
					t.Errorf("entry %+v", e)
				}
			}
			if len(eff.Add) > 0 {
				if c.summary != "" && eff.Add[0].Summary != c.summary {
					t.Errorf("summary\n got %q\nwant %q", eff.Add[0].Summary, c.summary)
				}
				for _, f := range c.contains {
					if !strings.Contains(eff.Add[0].Summary, f) {
						t.Errorf("summary %q lacks %q", eff.Add[0].Summary, f)
					}
				}
			}
			if len(eff.Mark) != len(c.marks) {
				t.Fatalf("marks %+v; want %+v", eff.Mark, c.marks)
			}
			for j, m := range eff.Mark {
				w := c.marks[j]
				if m.Patient != w.Patient || m.StreamID != w.StreamID || m.Key != w.Key || m.Status != w.Status ||
					!slices.Equal(m.EventTypes, w.EventTypes) || m.Before != int64(i+2) || m.ByEventID != env.ID.String() || m.Reason == "" {
					t.Errorf("mark %+v; want %+v", m, w)
				}
			}
		})
	}
}

var (
	nhsLike   = regexp.MustCompile(`[0-9]{10}`)
	nhsSpaced = regexp.MustCompile(`[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}`)
)

// TestSummariesCarryNoPatientData: no NHS-number-like digits, no patient
// reference (the merge names the other record on purpose), and a number
// typed into free text is removed.
func TestSummariesCarryNoPatientData(t *testing.T) {
	p := projector(t)
	all := cases()
	all = append(all,
		testCase{data: hv.VisitRequested{Patient: pt, Reason: "Fall, NHS no 999 000 0069, Ivy's daughter rang", Source: hv.SourcePhone, Caller: hv.CallerRelative, RequestedAt: at}},
		testCase{data: mr.ReviewDeclined{Reason: "see 9990000069", DeclinedAt: at}},
		testCase{data: dc.DischargeCancelled{Reason: dc.CancelOther, DischargedAt: at, CancelledAt: at, FollowUpTeamID: "999-000-0069"}},
	)
	for i, c := range all {
		c := prepare(c)
		env, data := envelope(t, c.data, c.subject, c.stream, int64(i+1), at)
		eff, err := p.Project(env, data)
		if err != nil {
			t.Fatalf("%s: %v", c.data.EventType(), err)
		}
		var texts []string
		for _, e := range eff.Add {
			texts = append(texts, e.Summary)
		}
		for _, m := range eff.Mark {
			texts = append(texts, m.Reason)
		}
		for _, s := range texts {
			if nhsLike.MatchString(s) || nhsSpaced.MatchString(s) {
				t.Errorf("%s: %q holds an NHS-number-like run of digits", c.data.EventType(), s)
			}
			if strings.Contains(s, "0069") || strings.Contains(s, "Smith") {
				t.Errorf("%s: %q holds patient data", c.data.EventType(), s)
			}
			if _, merge := c.data.(pe.PatientMerged); !merge && strings.Contains(s, pt) {
				t.Errorf("%s: %q names the patient reference", c.data.EventType(), s)
			}
			if strings.ContainsAny(s, "\n\r\t") {
				t.Errorf("%s: %q is not one line", c.data.EventType(), s)
			}
		}
	}
}

// TestTimesAcrossTheClockChanges renders events on the nights the clocks go
// forward and back: the zone is always named, and the same wall-clock time
// in BST and GMT is never confused.
func TestTimesAcrossTheClockChanges(t *testing.T) {
	p := projector(t)
	back := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 01:30 BST; an hour later it is 01:30 GMT
	fwd := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)   // 00:30 GMT; two hours later it is 03:30 BST
	tests := []struct {
		data events.Data
		want string
	}{
		{hv.VisitAssigned{ClinicianID: "para-jess-patel", Role: hv.RoleParamedic, Urgency: "urgent",
			Window: hv.Window{NotBefore: back, VisitBy: back.Add(time.Hour)}, AssignedAt: back},
			"Home visit assigned to para-jess-patel (paramedic), urgent, window Sun 25 Oct 2026, 01:30 BST to 01:30 GMT"},
		{hv.VisitAssigned{ClinicianID: "para-jess-patel", Role: hv.RoleParamedic, Urgency: "urgent",
			Window: hv.Window{NotBefore: back.Add(-2 * time.Hour), VisitBy: back}, AssignedAt: back},
			"Home visit assigned to para-jess-patel (paramedic), urgent, window Sat 24 Oct 2026, 23:30 BST to Sun 25 Oct 2026, 01:30 BST"},
		{dc.FollowUpAssigned{TeamID: "team-severn-ict", AssignedAt: fwd, DueBy: fwd.Add(2 * time.Hour)},
			"Community follow-up assigned to team team-severn-ict, due by Sun 29 Mar 2026, 03:30 BST"},
		{dc.DischargeSummaryReceived{ReceivedAt: fwd, DueBy: fwd, Late: false},
			"Discharge summary received by the GP practice, on time (due by Sun 29 Mar 2026, 00:30 GMT)"},
	}
	for i, tc := range tests {
		c := prepare(testCase{data: tc.data})
		env, data := envelope(t, tc.data, c.subject, c.stream, int64(i+1), back)
		eff, err := p.Project(env, data)
		if err != nil {
			t.Fatal(err)
		}
		if got := eff.Add[0].Summary; got != tc.want {
			t.Errorf("\n got %q\nwant %q", got, tc.want)
		}
	}
}

// TestDischargeCancellationRetractsWhatHungOnIt walks a stay and checks the
// cancellation's mark selects the discharge and what followed it, and
// nothing before it, by applying the marks the way the worker will.
func TestDischargeCancellationRetractsWhatHungOnIt(t *testing.T) {
	p := projector(t)
	stayEvents := []events.Data{
		dc.PatientAdmitted{StayID: "0001", Patient: pt, HospitalSite: "RTE01", Ward: "Ward 2", AdmittedAt: at, Method: dc.AdmissionEmergency},
		dc.DischargePlanned{Pathway: dc.PathwayP1, ExpectedDate: "2026-11-25", PlannedAt: at},
		dc.PatientDischarged{DischargedAt: at, Destination: dc.DestinationUsualResidence, Pathway: dc.PathwayP1, SummaryDueBy: at, FollowUpDueBy: at},
		dc.DischargeSummaryReceived{ReceivedAt: at, DueBy: at},
		dc.MedicinesServiceReferred{Pharmacy: "FA123", ReferredAt: at, FirstCheckDueBy: at},
		dc.FollowUpAssigned{TeamID: "team-severn-ict", AssignedAt: at, DueBy: at},
		dc.ReadmissionDetected{NewStayID: "0002", ReadmittedAt: at, DischargedAt: at, Pathway: dc.PathwayP1},
		dc.DischargeCancelled{Reason: dc.CancelEnteredInError, CancelledAt: at, DischargedAt: at},
		dc.PatientDischarged{DischargedAt: at.Add(48 * time.Hour), Destination: dc.DestinationUsualResidence, Pathway: dc.PathwayP1, SummaryDueBy: at},
	}
	status := apply(t, p, stayEvents, stay)
	want := []timeline.Status{"", "", timeline.StatusRetracted, timeline.StatusRetracted, timeline.StatusRetracted,
		timeline.StatusRetracted, timeline.StatusRetracted, "", ""}
	if !slices.Equal(status, want) {
		t.Errorf("statuses %v; want %v", status, want)
	}
}

// TestRecommendationsAreMarkedByTheirOwnDecision: accepting one
// recommendation marks only that one; the others stay recommended.
func TestRecommendationsAreMarkedByTheirOwnDecision(t *testing.T) {
	p := projector(t)
	rec := func(id string) events.Data {
		return mr.RecommendationRecorded{RecommendationID: id, Medicine: mr.Medicine{Name: "Zopiclone"}, Action: mr.ActionStop, RecordedAt: at}
	}
	status := apply(t, p, []events.Data{
		rec("rec-1"), rec("rec-2"), rec("rec-3"),
		mr.RecommendationAccepted{RecommendationID: "rec-1", Action: mr.ActionStop, EnactedAt: at},
		mr.RecommendationRejected{RecommendationID: "rec-2", Action: mr.ActionStop, RejectedAt: at},
	}, review)
	want := []timeline.Status{timeline.StatusAccepted, timeline.StatusRejected, "", "", ""}
	if !slices.Equal(status, want) {
		t.Errorf("statuses %v; want %v", status, want)
	}
	env, data := envelope(t, rec("rec-9"), pt, review, 1, at)
	eff, _ := p.Project(env, data)
	if s := eff.Add[0].Summary; !strings.Contains(s, "Recommended") || !strings.Contains(s, "not yet enacted") || strings.Contains(s, "accepted") {
		t.Errorf("a recommendation reads %q", s)
	}
}

// TestAssignmentsAndTriagesAreSuperseded: only the latest triage and the
// latest assignment stand; a timeout is a fact and stays.
func TestAssignmentsAndTriagesAreSuperseded(t *testing.T) {
	p := projector(t)
	status := apply(t, p, []events.Data{
		hv.VisitRequested{Patient: pt, Reason: "Fall", RequestedAt: at},
		hv.VisitTriaged{TriagedBy: "gp-a", Urgency: "same-day", Window: window, TriagedAt: at},
		hv.VisitAssigned{ClinicianID: "para-a", Urgency: "same-day", Window: window, AssignedAt: at},
		hv.AssignmentAccepted{ClinicianID: "para-a", AcceptedAt: at},
		hv.VisitTriaged{TriagedBy: "gp-a", Urgency: "urgent", PreviousUrgency: "same-day", Window: window, TriagedAt: at},
		hv.VisitReassigned{FromClinicianID: "para-a", ClinicianID: "acp-b", Urgency: "urgent", Window: window, ReassignedAt: at},
		hv.VisitReassigned{FromClinicianID: "acp-b", ClinicianID: "para-c", Urgency: "urgent", Window: window, ReassignedAt: at},
		hv.AssignmentTimedOut{ClinicianID: "para-c", AssignedAt: at, AcceptBy: at, TimedOutAt: at},
		hv.VisitReassigned{FromClinicianID: "para-c", ClinicianID: "acp-d", Urgency: "urgent", Window: window, ReassignedAt: at},
	}, visit)
	s := timeline.StatusSuperseded
	want := []timeline.Status{"", s, s, s, "", s, s, "", ""}
	if !slices.Equal(status, want) {
		t.Errorf("statuses %v; want %v", status, want)
	}
}

func TestNominationWithdrawnMarksOnlyThatResident(t *testing.T) {
	p := projector(t)
	status := apply(t, p, []events.Data{
		ch.ResidentNominated{RoundRef: round, Patient: pt, NominatedBy: ch.NominatorHome, Priority: ch.PriorityHigh},
		ch.ResidentNominated{RoundRef: round, Patient: "pt-2", NominatedBy: ch.NominatorHome, Priority: ch.PriorityHigh},
		ch.NominationWithdrawn{RoundRef: round, Patient: pt, Reason: "seen"},
	}, rnd)
	want := []timeline.Status{timeline.StatusWithdrawn, "", ""}
	if !slices.Equal(status, want) {
		t.Errorf("statuses %v; want %v", status, want)
	}
}

// apply projects a stream's events in order and applies their marks as the
// worker does (first mark wins), returning each event's entry status.
func apply(t *testing.T, p *timeline.Projector, stream []events.Data, streamID string) []timeline.Status {
	t.Helper()
	var entries []timeline.Entry
	status := map[string]timeline.Status{} // event id + patient → status
	for i, d := range stream {
		subject := pt
		if streamID == rnd {
			subject = ""
		}
		env, data := envelope(t, d, subject, streamID, int64(i+1), at)
		eff, err := p.Project(env, data)
		if err != nil {
			t.Fatalf("%s: %v", d.EventType(), err)
		}
		for _, m := range eff.Mark {
			for _, e := range entries {
				k := e.EventID + e.Patient
				if e.Patient == m.Patient && e.StreamID == m.StreamID && e.StreamVersion < m.Before &&
					slices.Contains(m.EventTypes, e.EventType) && (m.Key == "" || m.Key == e.Key) && status[k] == "" {
					status[k] = m.Status
				}
			}
		}
		entries = append(entries, eff.Add...)
	}
	out := make([]timeline.Status, len(entries))
	for i, e := range entries {
		out[i] = status[e.EventID+e.Patient]
	}
	return out
}

func TestRefusals(t *testing.T) {
	p := projector(t)
	env, data := envelope(t, hv.VisitRequested{Patient: "pt-other", Reason: "x", RequestedAt: at}, pt, visit, 1, at)
	if _, err := p.Project(env, data); !errors.Is(err, events.ErrMalformed) || strings.Contains(err.Error(), pt) {
		t.Errorf("subject and data disagree: err = %v", err)
	}
	env, data = envelope(t, hv.AssignmentAccepted{ClinicianID: "a"}, pt, "stay-1", 1, at)
	if _, err := p.Project(env, data); !errors.Is(err, events.ErrMalformed) {
		t.Errorf("visit event on a stay stream: err = %v", err)
	}
	env, data = envelope(t, hv.AssignmentAccepted{ClinicianID: "a"}, "", visit, 1, at)
	if _, err := p.Project(env, data); !errors.Is(err, events.ErrMalformed) {
		t.Errorf("visit event without a patient: err = %v", err)
	}
	env, data = envelope(t, pe.PatientMerged{Patient: pt, Survivor: pt}, pt, patStr, 1, at)
	if _, err := p.Project(env, data); !errors.Is(err, events.ErrMalformed) {
		t.Errorf("merge into itself: err = %v", err)
	}
	env, data = envelope(t, ac.AccessRecorded{Patient: "pt-other", ActorID: "a", Role: "gp", Action: ac.ReadSummary, Resource: "/v1/x",
		Basis: ac.NoBasis, Outcome: ac.Denied, Status: 403, RequestID: "r"}, pt, ac.Stream(pt), 1, at)
	if _, err := p.Project(env, data); !errors.Is(err, events.ErrMalformed) || strings.Contains(err.Error(), pt) {
		t.Errorf("an audit record about another patient than its subject: err = %v", err)
	}
	env, data = envelope(t, ac.BreakGlassGranted{ActorID: "a", Role: "gp", Reason: "r", Until: at}, "", ac.Stream(""), 1, at)
	if _, err := p.Project(env, data); !errors.Is(err, events.ErrMalformed) {
		t.Errorf("a grant without a patient: err = %v", err)
	}
	if _, err := p.Project(env, strange{}); !errors.Is(err, events.ErrUnknownType) || !errors.Is(err, events.ErrMalformed) {
		t.Errorf("unknown type: err = %v", err)
	}
	if _, err := p.Project(env, nil); !errors.Is(err, events.ErrMalformed) {
		t.Errorf("nil data: err = %v", err)
	}
}

// strange is an event type no service registers.
type strange struct{}

func (strange) EventType() string { return "careweave.homevisits.visit_teleported.v1" }

// TestTheProjectorTakesTheAccessAuditOfEveryRecordingService: the audit
// records of every service are on care.access.<service>.pNN.<event>.v1,
// and the partition consumers take them without taking "access" for a
// service of the timeline.
func TestTheProjectorTakesTheAccessAuditOfEveryRecordingService(t *testing.T) {
	if slices.Contains(timeline.Services(), ac.Service) || slices.Contains(timeline.Services(), "notify") {
		t.Errorf("services %v: the views-only namespaces are not timeline services", timeline.Services())
	}
	for _, want := range []string{"care.access.*.p07.access_recorded.v1", "care.access.*.p07.break_glass_granted.v1"} {
		if !slices.Contains(timeline.Filters(7), want) {
			t.Errorf("filters of partition 7 %v lack %s", timeline.Filters(7), want)
		}
	}
	if !slices.Contains(timeline.Filters(-1), "care.access.*.*.access_recorded.v1") {
		t.Errorf("filters of every partition %v lack the access records", timeline.Filters(-1))
	}
}
