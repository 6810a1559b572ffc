package timeline

import (
	"fmt"

	"github.com/careweave/careweave/events"
	mr "github.com/careweave/careweave/events/medreviews"
)

// medReviews maps the review's events. A recommendation is always shown as
// recommended and not enacted; the prescriber's decision marks it accepted
// or rejected (matched by recommendation id). A rebooking supersedes the
// earlier booking.
func (p *Projector) medReviews(env events.Envelope, data events.Data) (Effect, error) {
	s, err := p.newSource(env, data, "medreviews", "review", CategoryMedicationReview)
	if err != nil {
		return Effect{}, err
	}
	inData := ""
	if d, ok := data.(mr.CandidateIdentified); ok {
		inData = d.Patient
	}
	pt, err := s.patient(inData)
	if err != nil {
		return Effect{}, err
	}
	const smr = "structured medication review"
	recorded := mr.RecommendationRecorded{}.EventType()

	switch d := data.(type) {
	case mr.CandidateIdentified:
		cohorts := make([]string, 0, len(d.Criteria))
		for _, c := range d.Criteria {
			cohorts = append(cohorts, cohort(c))
		}
		sum := "Identified for a " + smr + " by " + who(d.IdentifiedBy, d.IdentifiedByRole)
		if len(cohorts) > 0 {
			sum += ": " + list(cohorts)
		}
		return one(s.entry(pt, d.IdentifiedAt, "", sum)), nil

	case mr.ReviewInvited:
		sum := fmt.Sprintf("Invited to a %s %s (invitation %d); reply due by %s", smr, channel(d.Channel), d.Invitation, p.when(d.RespondBy))
		return one(s.entry(pt, d.InvitedAt, "", sum)), nil

	case mr.ReviewBooked:
		sum := "Structured medication review booked for " + p.when(d.AppointmentAt) + " " + mode(d.Mode, d.CareHome) +
			" with " + who(d.ClinicianID, string(d.ClinicianRole))
		return one(s.entry(pt, d.BookedAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Rebooked", mr.ReviewBooked{}.EventType(), mr.ReviewRebooked{}.EventType())), nil

	case mr.ReviewRebooked:
		sum := "Structured medication review rebooked for " + p.when(d.AppointmentAt) + " " + mode(d.Mode, d.CareHome) +
			" with " + who(d.ClinicianID, string(d.ClinicianRole)) + " (was " + p.when(d.PreviousAppointmentAt)
		if d.AfterDidNotAttend {
			sum += ", not attended"
		}
		sum = quoted(sum+")", d.Reason)
		return one(s.entry(pt, d.RebookedAt, "", sum),
			s.mark(pt, StatusSuperseded, "", "Rebooked for "+p.when(d.AppointmentAt),
				mr.ReviewBooked{}.EventType(), mr.ReviewRebooked{}.EventType())), nil

	case mr.AppointmentNotAttended:
		sum := fmt.Sprintf("Did not attend the %s of %s with %s (missed appointments: %d)", smr, p.when(d.AppointmentAt), ident(d.ClinicianID), d.Count)
		return one(s.entry(pt, d.RecordedAt, "", sum)), nil

	case mr.ReviewCompleted:
		sum := "Structured medication review completed " + mode(d.Mode, d.CareHome) + " by " + who(d.ClinicianID, string(d.ClinicianRole))
		if t := free(d.Summary); t != "" {
			sum += ": " + t
		}
		if !d.FollowUpBy.IsZero() {
			sum = join(" ", sum, "Follow-up due by "+p.when(d.FollowUpBy)+".")
		}
		return one(s.entry(pt, d.CompletedAt, "", sum)), nil

	case mr.ReviewDeclined:
		return one(s.entry(pt, d.DeclinedAt, "", quoted("Declined a "+smr, d.Reason))), nil

	case mr.ReviewClosed:
		sum := "Structured medication review closed without a review: " + closeReason(d.Reason)
		if n := free(d.Note); n != "" {
			sum += " (" + n + ")"
		}
		return one(s.entry(pt, d.ClosedAt, "", sum)), nil

	case mr.RecommendationRecorded:
		sum := "Recommended by " + who(d.RecommendedBy, string(d.RecommendedByRole)) + ", not yet enacted: " +
			change(d.Action, d.Medicine, d.SwitchTo, d.NewDose)
		if d.Deprescribing {
			sum += " (deprescribing)"
		}
		sum = quoted(sum, d.Reason)
		sum += "; prescriber's decision due by " + p.when(d.DecisionDueBy)
		return one(s.entry(pt, d.RecordedAt, ident(d.RecommendationID), sum)), nil

	case mr.RecommendationAccepted:
		sum := "Recommendation accepted and enacted in the GP record by " + who(d.PrescriberID, string(d.PrescriberRole)) +
			": " + change(d.Action, d.Medicine, nil, "")
		if n := free(d.Note); n != "" {
			sum += " (" + n + ")"
		}
		return one(s.entry(pt, d.EnactedAt, ident(d.RecommendationID), sum),
			s.mark(pt, StatusAccepted, ident(d.RecommendationID),
				"Accepted and enacted by "+who(d.PrescriberID, string(d.PrescriberRole)), recorded)), nil

	case mr.RecommendationRejected:
		sum := quoted("Recommendation rejected by "+who(d.PrescriberID, string(d.PrescriberRole))+
			", not enacted: "+change(d.Action, d.Medicine, nil, ""), d.Reason)
		return one(s.entry(pt, d.RejectedAt, ident(d.RecommendationID), sum),
			s.mark(pt, StatusRejected, ident(d.RecommendationID),
				quoted("Rejected by "+who(d.PrescriberID, string(d.PrescriberRole)), d.Reason), recorded)), nil
	}
	return Effect{}, unknown(data)
}

// change says what a recommendation proposes for a medicine, by name only
// (dm+d codes are long digit strings and mean nothing to a coordinator).
func change(a mr.Action, m mr.Medicine, to *mr.Medicine, dose string) string {
	name := free(m.Name)
	if name == "" {
		name = "a medicine"
	}
	switch a {
	case mr.ActionStop:
		return "stop " + name
	case mr.ActionStart:
		return "start " + name
	case mr.ActionChangeDose:
		if d := free(dose); d != "" {
			return "change the dose of " + name + " to " + d
		}
		return "change the dose of " + name
	case mr.ActionSwitch:
		if to != nil && free(to.Name) != "" {
			return "switch " + name + " to " + free(to.Name)
		}
		return "switch " + name
	case mr.ActionContinue:
		return "continue " + name
	}
	return words(string(a)) + " " + name
}

func cohort(c mr.Cohort) string {
	switch c {
	case mr.CohortCareHomeResident:
		return "care home resident"
	case mr.CohortPolypharmacy:
		return "polypharmacy (10 or more medicines)"
	case mr.CohortMedicinesHarm:
		return "medicines associated with harm"
	case mr.CohortZDrugs:
		return "Z-drugs"
	}
	return words(string(c))
}

func channel(c mr.Channel) string {
	switch c {
	case mr.ChannelLetter:
		return "by letter"
	case mr.ChannelPhone:
		return "by phone"
	case mr.ChannelSMS:
		return "by SMS"
	case mr.ChannelInPerson:
		return "in person"
	}
	return "by " + words(string(c))
}

func mode(m mr.Mode, careHome string) string {
	switch m {
	case mr.ModeFaceToFace:
		return "face to face"
	case mr.ModeTelephone:
		return "by telephone"
	case mr.ModeVideo:
		return "by video"
	case mr.ModeHomeVisit:
		return "at home"
	case mr.ModeCareHome:
		if careHome != "" {
			return "at care home " + ident(careHome)
		}
		return "at the care home"
	}
	return words(string(m))
}

func closeReason(r mr.CloseReason) string {
	switch r {
	case mr.ClosePatientDied:
		return "the patient died"
	case mr.CloseMovedPractice:
		return "moved practice"
	case mr.CloseNoLongerEligible:
		return "no longer eligible"
	case mr.CloseEnteredInError:
		return "entered in error"
	case mr.CloseOther:
		return "other reason"
	}
	return words(string(r))
}
