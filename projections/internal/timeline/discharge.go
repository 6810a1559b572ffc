package timeline

import (
	"fmt"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
)

// hungOnDischarge lists the event types whose entries depend on a discharge
// having happened: a cancelled discharge (A13) retracts all of them.
func hungOnDischarge() []string {
	return []string{
		dc.PatientDischarged{}.EventType(),
		dc.DischargeSummaryReceived{}.EventType(),
		dc.MedicinesServiceReferred{}.EventType(),
		dc.FollowUpAssigned{}.EventType(),
		dc.FollowUpCompleted{}.EventType(),
		dc.FollowUpMissed{}.EventType(),
		dc.ReadmissionDetected{}.EventType(),
		dc.StayClosed{}.EventType(),
	}
}

// discharge maps a hospital stay's events. A cancelled discharge is an entry
// and retracts the discharge and everything that hung on it; a revised plan,
// a re-referral and a moved follow-up supersede what they replace.
func (p *Projector) discharge(env events.Envelope, data events.Data) (Effect, error) {
	s, err := p.newSource(env, data, "discharge", "stay", CategoryHospital)
	if err != nil {
		return Effect{}, err
	}
	inData := ""
	if d, ok := data.(dc.PatientAdmitted); ok {
		inData = d.Patient
	}
	pt, err := s.patient(inData)
	if err != nil {
		return Effect{}, err
	}

	switch d := data.(type) {
	case dc.PatientAdmitted:
		sum := "Admitted to hospital " + join(", ", ident(d.HospitalSite), ident(d.Ward)) + " (" + admission(d.Method) + ")"
		return one(s.entry(pt, d.AdmittedAt, "", sum)), nil

	case dc.DischargePlanned:
		sum := "Discharge planned on " + pathway(d.Pathway) + ", expected " + day(d.ExpectedDate)
		if d.PreviousExpectedDate != "" {
			sum = "Expected discharge revised from " + day(d.PreviousExpectedDate) + " to " + day(d.ExpectedDate) +
				", " + pathway(d.Pathway)
		}
		return one(s.entry(pt, d.PlannedAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Discharge plan revised: expected "+day(d.ExpectedDate), dc.DischargePlanned{}.EventType())), nil

	case dc.PathwayChanged:
		sum := "Discharge pathway changed from " + pathway(d.From) + " to " + pathway(d.To) + ": " + words(string(d.Reason))
		return one(s.entry(pt, d.ChangedAt, "", sum)), nil

	case dc.PatientDischarged:
		sum := "Discharged " + dischargeDestination(d.Destination, d.CareHomeID) + " on " + pathway(d.Pathway)
		if from := join(", ", ident(d.HospitalSite), ident(d.Ward)); from != "" {
			sum += " from " + from
		}
		if d.Method != "" {
			sum += " by " + words(string(d.Method))
		}
		if len(d.Needs) > 0 {
			needs := make([]string, len(d.Needs))
			for i, n := range d.Needs {
				needs[i] = words(string(n))
			}
			sum += "; needs " + list(needs)
		}
		sum += "; discharge summary due by " + p.when(d.SummaryDueBy)
		if d.FollowUpDueBy.IsZero() {
			sum += "; no community follow-up required"
		} else {
			sum += "; community follow-up due by " + p.when(d.FollowUpDueBy)
		}
		return one(s.entry(pt, d.DischargedAt, "", sum)), nil

	case dc.DischargeCancelled:
		reason := "Discharge cancelled (" + cancelDischarge(d.Reason) + ") " + p.when(d.CancelledAt)
		sum := "Discharge of " + p.when(d.DischargedAt) + " cancelled and retracted: " + cancelDischarge(d.Reason)
		var withdrawn []string
		if d.FollowUpTeamID != "" {
			withdrawn = append(withdrawn, "community follow-up by team "+ident(d.FollowUpTeamID))
		}
		if d.MedicinesPharmacy != "" {
			withdrawn = append(withdrawn, "Discharge Medicines Service referral to pharmacy "+ident(d.MedicinesPharmacy))
		}
		if d.ReadmissionStayID != "" {
			withdrawn = append(withdrawn, "readmission signal (stay "+ident(d.ReadmissionStayID)+")")
		}
		if len(withdrawn) > 0 {
			sum += "; withdrawn: " + list(withdrawn)
		}
		return one(s.entry(pt, d.CancelledAt, "", sum),
			s.mark(pt, StatusRetracted, "", reason, hungOnDischarge()...)), nil

	case dc.DischargeSummaryReceived:
		sum := "Discharge summary received by the GP practice, " + late(d.Late) + " (due by " + p.when(d.DueBy) + ")"
		return one(s.entry(pt, d.ReceivedAt, "", sum)), nil

	case dc.MedicinesServiceReferred:
		sum := "Referred to the Discharge Medicines Service at pharmacy " + ident(d.Pharmacy)
		if d.PreviousPharmacy != "" {
			sum += " (instead of " + ident(d.PreviousPharmacy) + ")"
		}
		sum += "; first check due by " + p.when(d.FirstCheckDueBy)
		return one(s.entry(pt, d.ReferredAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Re-referred to pharmacy "+ident(d.Pharmacy), dc.MedicinesServiceReferred{}.EventType())), nil

	case dc.FollowUpAssigned:
		sum := "Community follow-up assigned to team " + ident(d.TeamID)
		if d.PreviousTeamID != "" {
			sum += " (moved from team " + ident(d.PreviousTeamID) + ")"
		}
		sum += ", due by " + p.when(d.DueBy)
		return one(s.entry(pt, d.AssignedAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Follow-up moved to team "+ident(d.TeamID), dc.FollowUpAssigned{}.EventType())), nil

	case dc.FollowUpCompleted:
		sum := "Community follow-up completed by " + who(d.ClinicianID, d.ClinicianRole) + " of team " + ident(d.TeamID) +
			": " + followUpOutcome(d.Outcome) + "; " + late(d.Late) + " (due by " + p.when(d.DueBy) + ")"
		return one(s.entry(pt, d.CompletedAt, "", sum)), nil

	case dc.FollowUpMissed:
		sum := "Community follow-up by team " + ident(d.TeamID) + " missed: " + missed(d.Reason) + " (due by " + p.when(d.DueBy) + ")"
		return one(s.entry(pt, d.RecordedAt, "", sum)), nil

	case dc.ReadmissionDetected:
		after := fmt.Sprintf("%d days after", d.DaysSinceDischarge)
		switch d.DaysSinceDischarge {
		case 0:
			after = "on the day of"
		case 1:
			after = "1 day after"
		}
		sum := "Readmitted (" + admission(d.AdmissionMethod) + ") " + after + " the discharge of " + p.when(d.DischargedAt) +
			" on " + pathway(d.Pathway) + "; new stay " + ident(d.NewStayID)
		return one(s.entry(pt, d.ReadmittedAt, "", sum)), nil

	case dc.StayClosed:
		sum := "Hospital stay closed: community follow-up " + closure(d.FollowUp)
		if d.SummaryLate {
			sum += "; the discharge summary was late"
		}
		return one(s.entry(pt, d.ClosedAt, "", sum)), nil
	}
	return Effect{}, unknown(data)
}

func late(l bool) string {
	if l {
		return "late"
	}
	return "on time"
}

func pathway(p dc.Pathway) string {
	switch p {
	case dc.PathwayP0:
		return "pathway P0 (home, no new support)"
	case dc.PathwayP1:
		return "pathway P1 (home with new support)"
	case dc.PathwayP2:
		return "pathway P2 (community bed-based rehabilitation)"
	case dc.PathwayP3:
		return "pathway P3 (24-hour bedded care)"
	}
	return "pathway " + ident(string(p))
}

func admission(m dc.AdmissionMethod) string {
	switch m {
	case dc.AdmissionEmergency:
		return "emergency admission"
	case dc.AdmissionElective:
		return "elective admission"
	case dc.AdmissionTransfer:
		return "transfer from another hospital"
	}
	return words(string(m))
}

func dischargeDestination(d dc.Destination, careHome string) string {
	switch d {
	case dc.DestinationUsualResidence:
		return "home"
	case dc.DestinationCareHome:
		if careHome != "" {
			return "to care home " + ident(careHome)
		}
		return "to a care home"
	case dc.DestinationCommunityBed:
		return "to a community bed"
	case dc.DestinationHospice:
		return "to a hospice"
	case dc.DestinationOther:
		return "to another destination"
	}
	return "to " + words(string(d))
}

func cancelDischarge(r dc.CancelReason) string {
	switch r {
	case dc.CancelEnteredInError:
		return "entered in error"
	case dc.CancelClinicallyUnfit:
		return "clinically unfit to leave"
	case dc.CancelTransportUnavailable:
		return "transport unavailable"
	case dc.CancelCareUnavailable:
		return "care package or placement unavailable"
	case dc.CancelPatientDeclined:
		return "the patient declined"
	case dc.CancelOther:
		return "other reason"
	}
	return words(string(r))
}

func followUpOutcome(o dc.FollowUpOutcome) string {
	switch o {
	case dc.OutcomeEscalatedToGP:
		return "escalated to the GP"
	case dc.OutcomeReferredToUCR:
		return "referred to the Urgent Community Response"
	}
	return words(string(o))
}

func missed(r dc.MissedReason) string {
	switch r {
	case dc.MissedNoAccess:
		return "no access"
	case dc.MissedNotContactable:
		return "not contactable"
	case dc.MissedTeamCapacity:
		return "no team capacity"
	case dc.MissedPatientDeclined:
		return "the patient declined"
	case dc.MissedPatientReadmitted:
		return "the patient was readmitted"
	case dc.MissedOther:
		return "other reason"
	}
	return words(string(r))
}

func closure(c dc.FollowUpClosure) string {
	switch c {
	case dc.ClosureFollowUpCompleted:
		return "completed"
	case dc.ClosureFollowUpMissed:
		return "missed"
	case dc.ClosureFollowUpNotRequired:
		return "not required"
	}
	return words(string(c))
}
