package timeline

import (
	"github.com/careweave/careweave/events"
	hv "github.com/careweave/careweave/events/homevisits"
)

// homeVisits maps the visit's events. A triage supersedes any earlier
// triage; an assignment or reassignment supersedes every earlier assignment
// and acceptance, so a visit never shows two clinicians holding it. A
// decline or a timeout marks nothing: the assignment did happen, and the
// reassignment that follows supersedes it.
func (p *Projector) homeVisits(env events.Envelope, data events.Data) (Effect, error) {
	s, err := p.newSource(env, data, "homevisits", "visit", CategoryHomeVisit)
	if err != nil {
		return Effect{}, err
	}
	inData := ""
	if d, ok := data.(hv.VisitRequested); ok {
		inData = d.Patient
	}
	pt, err := s.patient(inData)
	if err != nil {
		return Effect{}, err
	}
	assignments := []string{hv.VisitAssigned{}.EventType(), hv.VisitReassigned{}.EventType(), hv.AssignmentAccepted{}.EventType()}
	triages := hv.VisitTriaged{}.EventType()

	switch d := data.(type) {
	case hv.VisitRequested:
		head := join(" ", "Home visit requested", callerPhrase(d.Caller), sourcePhrase(d.Source, d.CareHome))
		return one(s.entry(pt, d.RequestedAt, "", quoted(head, d.Reason))), nil

	case hv.VisitTriaged:
		head := "Triaged " + words(d.Urgency)
		if d.PreviousUrgency != "" {
			head = "Re-triaged from " + words(d.PreviousUrgency) + " to " + words(d.Urgency)
		}
		sum := head + " by " + who(d.TriagedBy, string(d.TriagedByRole)) + ": visit " + d.Window.Format(p.loc)
		sum = join("; ", sum, holder(d.ClinicianID, string(d.Role), "holds the visit"))
		sum = quoted(sum, d.Notes)
		return one(s.entry(pt, d.TriagedAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Re-triaged "+p.when(d.TriagedAt), triages)), nil

	case hv.TriagedWithoutVisit:
		sum := "Triaged without a visit by " + who(d.TriagedBy, string(d.TriagedByRole)) + ": " + triageOutcome(d.Outcome)
		sum = join("; ", sum, holder(d.ClinicianID, string(d.Role), "stood down"))
		sum = quoted(sum, d.Notes)
		return one(s.entry(pt, d.TriagedAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Re-triaged without a visit "+p.when(d.TriagedAt), triages)), nil

	case hv.VisitAssigned:
		sum := "Home visit assigned to " + who(d.ClinicianID, string(d.Role)) + ", " + words(d.Urgency) +
			", window " + d.Window.Format(p.loc)
		return one(s.entry(pt, d.AssignedAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Assigned to "+who(d.ClinicianID, string(d.Role))+" instead", assignments...)), nil

	case hv.VisitReassigned:
		sum := "Home visit reassigned from " + who(d.FromClinicianID, string(d.FromRole)) + " to " +
			who(d.ClinicianID, string(d.Role)) + ", " + words(d.Urgency) + ", window " + d.Window.Format(p.loc)
		sum = quoted(sum, d.Reason)
		return one(s.entry(pt, d.ReassignedAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Reassigned to "+who(d.ClinicianID, string(d.Role)), assignments...)), nil

	case hv.AssignmentAccepted:
		return one(s.entry(pt, d.AcceptedAt, "", "Home visit accepted by "+who(d.ClinicianID, string(d.Role)))), nil

	case hv.AssignmentDeclined:
		sum := quoted("Home visit declined by "+who(d.ClinicianID, string(d.Role)), d.Reason) + "; it needs reassigning"
		return one(s.entry(pt, d.DeclinedAt, "", sum)), nil

	case hv.AssignmentTimedOut:
		sum := "Home visit not accepted by " + who(d.ClinicianID, string(d.Role)) + " within the acceptance time (due by " +
			p.when(d.AcceptBy) + "); back with the duty coordinator to reassign"
		return one(s.entry(pt, d.TimedOutAt, "", sum)), nil

	case hv.TravelStarted:
		return one(s.entry(pt, d.StartedAt, "", "On the way to the home visit: "+who(d.ClinicianID, string(d.Role)))), nil

	case hv.ClinicianArrived:
		return one(s.entry(pt, d.ArrivedAt, "", "Arrived at the home visit: "+who(d.ClinicianID, string(d.Role)))), nil

	case hv.VisitCompleted:
		sum := "Home visit completed by " + who(d.ClinicianID, string(d.Role)) + ": " + visitOutcome(d.Outcome)
		if n := free(d.Notes); n != "" {
			sum += ". " + n
		}
		return one(s.entry(pt, d.CompletedAt, "", sum)), nil

	case hv.NoAccessRecorded:
		sum := quoted("No access at the home visit by "+who(d.ClinicianID, string(d.Role)), d.Reason)
		return one(s.entry(pt, d.RecordedAt, "", sum)), nil

	case hv.VisitCancelled:
		sum := "Home visit cancelled: " + cancelReason(d.Reason)
		if d.DuplicateOf != "" {
			sum += " of visit " + ident(d.DuplicateOf)
		}
		if n := free(d.Notes); n != "" {
			sum += " (" + n + ")"
		}
		sum = join("; ", sum, holder(d.ClinicianID, string(d.Role), "stood down"))
		return one(s.entry(pt, d.CancelledAt, "", sum)), nil

	case hv.VisitEscalated:
		sum := "Home visit escalated to " + escalationTarget(d.To)
		if d.ClinicianID != "" {
			sum += " by " + who(d.ClinicianID, string(d.Role))
		}
		return one(s.entry(pt, d.EscalatedAt, "", quoted(sum, d.Reason))), nil
	}
	return Effect{}, unknown(data)
}

// holder says what happens to the clinician holding a visit, if any.
func holder(id, role, what string) string {
	if id == "" {
		return ""
	}
	return who(id, role) + " " + what
}

func callerPhrase(c hv.Caller) string {
	switch c {
	case hv.CallerPatient:
		return "by the patient"
	case hv.CallerRelative:
		return "by a relative"
	case hv.CallerCarer:
		return "by a carer"
	case hv.CallerCareHomeStaff:
		return "by care home staff"
	case hv.CallerProfessional:
		return "by a professional"
	case "":
		return ""
	}
	return "by " + words(string(c))
}

func sourcePhrase(src hv.Source, careHome string) string {
	switch src {
	case hv.SourcePhone:
		return "by phone"
	case hv.SourceOnline:
		return "online"
	case hv.SourceCareHome:
		if careHome != "" {
			return "from care home " + ident(careHome)
		}
		return "from the care home"
	case hv.Source111:
		return "via NHS 111"
	case hv.SourceOther, "":
		return ""
	}
	return "via " + words(string(src))
}

func triageOutcome(o hv.TriageOutcome) string {
	switch o {
	case hv.TriageAdvice:
		return "advice given"
	case hv.TriagePrescription:
		return "prescription issued"
	case hv.TriageAttendSurgery:
		return "asked to attend the surgery"
	case hv.TriageReferredTo999:
		return "referred to 999"
	case hv.TriageReferredToUCR:
		return "referred to the Urgent Community Response"
	}
	return words(string(o))
}

func visitOutcome(o hv.Outcome) string {
	switch o {
	case hv.OutcomeManagedAtHome:
		return "managed at home"
	case hv.OutcomePrescriptionIssued:
		return "prescription issued"
	case hv.OutcomeHandedBackToGP:
		return "handed back to the GP"
	case hv.OutcomeReferredToCommunityTeam:
		return "referred to the community team"
	case hv.OutcomeReferredToUCR:
		return "referred to the Urgent Community Response"
	case hv.OutcomeConveyedToHospital:
		return "conveyed to hospital"
	}
	return words(string(o))
}

func cancelReason(r hv.CancelReason) string {
	switch r {
	case hv.CancelPatientCancelled:
		return "cancelled by the patient"
	case hv.CancelAdmittedBeforeVisit:
		return "admitted to hospital before the visit"
	case hv.CancelAttendedSurgery:
		return "attended the surgery instead"
	case hv.CancelDuplicate:
		return "a duplicate"
	case hv.CancelDied:
		return "the patient died"
	case hv.CancelOther:
		return "other reason"
	}
	return words(string(r))
}

func escalationTarget(t hv.EscalationTarget) string {
	switch t {
	case hv.EscalateToGP:
		return "the GP"
	case hv.EscalateTo999:
		return "999"
	case hv.EscalateToUCR:
		return "the Urgent Community Response"
	}
	return words(string(t))
}
