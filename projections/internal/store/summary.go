package store

import (
	"context"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
	ch "github.com/careweave/careweave/events/carehomes"
	dc "github.com/careweave/careweave/events/discharge"
	hv "github.com/careweave/careweave/events/homevisits"
	mr "github.com/careweave/careweave/events/medreviews"
)

// item is one change to a patient's open items.
type item struct {
	patient, item, service, kind, state, path string
	open                                      bool
	due                                       *time.Time
	pendingDelta                              int
}

// ApplySummary keeps the patient summary: every service's unfinished
// business for the patient. Each case below says when an item opens and
// what closes it.
func (s *Store) ApplySummary(ctx context.Context, w Writer, env events.Envelope, data events.Data) error {
	for _, it := range summaryItems(env, data) {
		if err := s.exec(ctx, w, `INSERT INTO `+s.schema+`.open_items (patient, item, service, kind, state, open, pending, due_at, since, updated_at, path)
			VALUES ($1, $2, $3, $4, $5, $6, greatest($7, 0), $8, $9, $9, $10)
			ON CONFLICT (patient, item) DO UPDATE SET
				state = excluded.state,
				pending = greatest(open_items.pending + $7, 0),
				-- a completed review stays open while a recommendation awaits its decision
				open = CASE WHEN excluded.kind = 'medication-review' AND excluded.state = 'completed'
				            THEN open_items.pending + $7 > 0 ELSE excluded.open END,
				due_at = coalesce(excluded.due_at, CASE WHEN excluded.open THEN open_items.due_at END),
				updated_at = excluded.updated_at`,
			it.patient, it.item, it.service, it.kind, it.state, it.open, it.pendingDelta, it.due, env.Time, it.path); err != nil {
			return err
		}
	}
	return nil
}

func summaryItems(env events.Envelope, data events.Data) []item {
	id := func(prefix string) string { return strings.TrimPrefix(env.StreamID, prefix+"-") }
	visit := func(state string, open bool, due *time.Time) []item {
		return []item{{patient: env.Subject, item: env.StreamID, service: "homevisits", kind: "home-visit", state: state, open: open, due: due, path: "/v1/visits/" + id("visit")}}
	}
	review := func(state string, open bool, due *time.Time, pending int) []item {
		return []item{{patient: env.Subject, item: env.StreamID, service: "medreviews", kind: "medication-review", state: state, open: open, due: due, pendingDelta: pending, path: "/v1/reviews/" + id("review")}}
	}
	residency := func(state string, open bool, due *time.Time) []item {
		return []item{{patient: env.Subject, item: env.StreamID, service: "carehomes", kind: "care-home-residency", state: state, open: open, due: due, path: "/v1/residencies/" + id("residency")}}
	}
	nomination := func(patient, state string, open bool) item {
		return item{patient: patient, item: env.StreamID + ":" + patient, service: "carehomes", kind: "round-nomination", state: state, open: open, path: "/v1/rounds/" + id("round")}
	}
	action := func(patient, action, state string, open bool, due *time.Time) []item {
		return []item{{patient: patient, item: env.StreamID + ":action:" + action, service: "carehomes", kind: "round-action", state: state, open: open, due: due, path: "/v1/rounds/" + id("round")}}
	}
	stay := func(state string, open bool, due *time.Time) []item {
		return []item{{patient: env.Subject, item: env.StreamID, service: "discharge", kind: "hospital-stay", state: state, open: open, due: due, path: "/v1/stays/" + id("stay")}}
	}
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	switch e := data.(type) {
	case hv.VisitRequested:
		return visit("requested", true, nil)
	case hv.VisitTriaged:
		return visit("triaged", true, at(e.Window.VisitBy))
	case hv.VisitAssigned:
		return visit("assigned to "+e.ClinicianID, true, at(e.Window.VisitBy))
	case hv.VisitReassigned:
		return visit("assigned to "+e.ClinicianID, true, at(e.Window.VisitBy))
	case hv.AssignmentAccepted:
		return visit("accepted by "+e.ClinicianID, true, nil)
	case hv.AssignmentDeclined:
		return visit("declined; needs reassigning", true, nil)
	case hv.AssignmentTimedOut:
		return visit("not accepted in time; needs reassigning", true, nil)
	case hv.TravelStarted:
		return visit("clinician en route", true, nil)
	case hv.ClinicianArrived:
		return visit("clinician on site", true, nil)
	case hv.VisitCompleted:
		return visit("completed", false, nil)
	case hv.NoAccessRecorded:
		return visit("no access", false, nil)
	case hv.VisitCancelled:
		return visit("cancelled", false, nil)
	case hv.VisitEscalated:
		return visit("escalated", false, nil)
	case hv.TriagedWithoutVisit:
		return visit("no visit needed", false, nil)

	case mr.CandidateIdentified:
		return review("identified", true, nil, 0)
	case mr.ReviewInvited:
		return review("invited", true, nil, 0)
	case mr.ReviewBooked:
		return review("booked", true, at(e.AppointmentAt), 0)
	case mr.ReviewRebooked:
		return review("booked", true, at(e.AppointmentAt), 0)
	case mr.AppointmentNotAttended:
		return review("did not attend", true, nil, 0)
	case mr.ReviewCompleted:
		return review("completed", false, nil, 0)
	case mr.RecommendationRecorded:
		return review("completed", false, at(e.DecisionDueBy), 1)
	case mr.RecommendationAccepted, mr.RecommendationRejected:
		return review("completed", false, nil, -1)
	case mr.ReviewDeclined:
		return review("declined", false, nil, 0)
	case mr.ReviewClosed:
		return review("closed", false, nil, 0)

	case ch.ResidentAdmitted:
		due := e.DueOn.Time()
		return residency("admitted: assessment and care plan due", true, &due)
	case ch.AssessmentCompleted:
		return residency("assessed: care plan due", true, nil)
	case ch.CarePlanAgreed:
		return residency("care plan agreed", false, nil)
	case ch.ResidentDischarged:
		return residency("left the home", false, nil)
	case ch.ResidentDied:
		return residency("died", false, nil)
	case ch.ResidentNominated:
		return []item{nomination(e.Patient, "nominated for the round", true)}
	case ch.ResidentReviewed:
		return []item{nomination(e.Patient, "reviewed at the round", false)}
	case ch.ResidentNotReviewed:
		return []item{nomination(e.Patient, "not reviewed: "+string(e.Reason), false)}
	case ch.NominationWithdrawn:
		return []item{nomination(e.Patient, "nomination withdrawn", false)}
	case ch.RoundCancelled:
		var out []item
		for _, p := range e.Nominated {
			out = append(out, nomination(p, "round cancelled", false))
		}
		return out
	case ch.ActionRaised:
		due := e.DueOn.Time()
		return action(e.Patient, e.ActionID, "action open: "+e.Description, true, &due)
	case ch.ActionCompleted:
		return action(e.Patient, e.ActionID, "action completed", false, nil)

	case dc.PatientAdmitted:
		return stay("in hospital", true, nil)
	case dc.DischargePlanned:
		return stay("discharge planned", true, nil)
	case dc.PatientDischarged:
		return stay("discharged; summary and follow-up pending", true, at(e.FollowUpDueBy))
	case dc.DischargeCancelled:
		return stay("in hospital (discharge cancelled)", true, nil)
	case dc.FollowUpAssigned:
		return stay("community follow-up due", true, at(e.DueBy))
	case dc.FollowUpCompleted:
		return stay("follow-up completed", true, nil)
	case dc.FollowUpMissed:
		return stay("follow-up missed", true, nil)
	case dc.StayClosed:
		return stay("closed", false, nil)
	}
	return nil
}
