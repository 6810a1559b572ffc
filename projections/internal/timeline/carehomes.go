package timeline

import (
	"fmt"
	"strings"

	"github.com/careweave/careweave/events"
	ch "github.com/careweave/careweave/events/carehomes"
)

// careHomes maps rounds and residencies. Round envelopes have no subject:
// each per-resident event names its patient in data, and a round-level event
// adds nothing (WithoutEntries). A withdrawn nomination marks that
// resident's nomination withdrawn.
func (p *Projector) careHomes(env events.Envelope, data events.Data) (Effect, error) {
	switch data.(type) {
	case ch.ResidentAdmitted, ch.AssessmentCompleted, ch.CarePlanAgreed, ch.ResidentDischarged, ch.ResidentDied:
		return p.residency(env, data)
	}
	s, err := p.newSource(env, data, "carehomes", "round", CategoryCareHome)
	if err != nil {
		return Effect{}, err
	}
	switch d := data.(type) {
	case ch.RoundScheduled, ch.RoundHeld, ch.RoundClosed:
		return Effect{}, nil

	case ch.ResidentNominated:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := quoted("Nominated for the care home round at "+round(d.RoundRef)+" "+nominator(d.NominatedBy)+", "+
			words(string(d.Priority))+" priority", d.Reason)
		return one(s.entry(pt, env.Time, "", sum)), nil

	case ch.NominationWithdrawn:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := quoted("Nomination for the care home round at "+round(d.RoundRef)+" withdrawn", d.Reason)
		return one(s.entry(pt, env.Time, "", sum),
			s.mark(pt, StatusWithdrawn, "", quoted("Withdrawn", d.Reason), ch.ResidentNominated{}.EventType())), nil

	case ch.ResidentReviewed:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := quoted("Reviewed on the care home round at "+round(d.RoundRef)+" by "+who(d.ReviewedBy, d.ReviewerRole), d.Outcome)
		if f := free(d.FollowUp); f != "" {
			sum += ". Follow-up: " + f
		}
		return one(s.entry(pt, env.Time, "", sum)), nil

	case ch.ResidentNotReviewed:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := "Not reviewed on the care home round at " + round(d.RoundRef) + ": " + notReviewed(d.Reason)
		if n := free(d.Note); n != "" {
			sum += " (" + n + ")"
		}
		return one(s.entry(pt, env.Time, "", sum)), nil

	case ch.ActionRaised:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		var owner []string
		if d.OwnerClinicianID != "" {
			owner = append(owner, who(d.OwnerClinicianID, d.OwnerRole))
		}
		if d.OwnerTeamID != "" {
			owner = append(owner, "team "+ident(d.OwnerTeamID))
		}
		sum := "Action from the care home round at " + round(d.RoundRef)
		if len(owner) > 0 {
			sum += " for " + strings.Join(owner, " of ")
		}
		sum = quoted(sum+", due "+day(string(d.DueOn)), d.Description)
		return one(s.entry(pt, env.Time, ident(d.ActionID), sum)), nil

	case ch.ActionCompleted:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		timing := "on time"
		if !d.OnTime {
			timing = "late"
		}
		sum := quoted(fmt.Sprintf("Action from the care home round at %s completed %s (due %s)", round(d.RoundRef), timing, day(string(d.DueOn))), d.Note)
		return one(s.entry(pt, d.CompletedAt, ident(d.ActionID), sum)), nil

	case ch.RoundCancelled:
		var eff Effect
		seen := map[string]bool{}
		for _, ref := range d.Nominated {
			pt, err := s.patient(ref)
			if err != nil {
				return Effect{}, err
			}
			if seen[pt] {
				continue
			}
			seen[pt] = true
			sum := quoted("Care home round at "+round(d.RoundRef)+" cancelled while nominated", d.Reason)
			eff.Add = append(eff.Add, s.entry(pt, env.Time, "", sum))
		}
		return eff, nil
	}
	return Effect{}, unknown(data)
}

// residency maps a resident's stays in a care home.
func (p *Projector) residency(env events.Envelope, data events.Data) (Effect, error) {
	s, err := p.newSource(env, data, "carehomes", "residency", CategoryCareHome)
	if err != nil {
		return Effect{}, err
	}
	switch d := data.(type) {
	case ch.ResidentAdmitted:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := "Admitted to care home " + ident(d.CareHomeID)
		if d.Readmission {
			sum = "Readmitted to care home " + ident(d.CareHomeID)
		}
		sum += fmt.Sprintf("; holistic assessment and care plan due by %s (%d working days)", day(string(d.DueOn)), d.WorkingDays)
		if d.PrioritisedForSMR {
			sum += "; prioritised for a structured medication review"
		}
		return one(s.entry(pt, d.AdmittedAt, "", sum)), nil

	case ch.AssessmentCompleted:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := "Holistic assessment completed at care home " + ident(d.CareHomeID) + " by " + who(d.AssessedBy, d.AssessorRole) +
			", " + onTime(d.OnTime, string(d.DueOn))
		return one(s.entry(pt, d.CompletedAt, "", sum)), nil

	case ch.CarePlanAgreed:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := "Personalised care and support plan agreed at care home " + ident(d.CareHomeID) + " by " +
			who(d.AgreedBy, d.AgreedByRole) + " " + agreedWith(d.AgreedWith) + ", " + onTime(d.OnTime, string(d.DueOn))
		return one(s.entry(pt, d.AgreedAt, "", sum)), nil

	case ch.ResidentDischarged:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := "Left care home " + ident(d.CareHomeID) + " " + destination(d.Destination)
		if n := free(d.Note); n != "" {
			sum += " (" + n + ")"
		}
		sum = join("; ", sum, outstanding(d.AssessmentOutstanding, d.CarePlanOutstanding))
		return one(s.entry(pt, d.DischargedAt, "", sum)), nil

	case ch.ResidentDied:
		pt, err := s.patient(d.Patient)
		if err != nil {
			return Effect{}, err
		}
		sum := join("; ", "Died while a resident of care home "+ident(d.CareHomeID),
			outstanding(d.AssessmentOutstanding, d.CarePlanOutstanding))
		return one(s.entry(pt, d.DiedAt, "", sum)), nil
	}
	return Effect{}, unknown(data)
}

// round names a round as "home-willow-court (week 2026-W48)".
func round(r ch.RoundRef) string { return ident(r.CareHomeID) + " (week " + ident(r.Week) + ")" }

func nominator(n ch.Nominator) string {
	switch n {
	case ch.NominatorHome:
		return "by the care home"
	case ch.NominatorMDT:
		return "by the multidisciplinary team"
	}
	return "by " + words(string(n))
}

func notReviewed(r ch.NotReviewedReason) string {
	switch r {
	case ch.NotReviewedAsleep:
		return "asleep"
	case ch.NotReviewedUnwell:
		return "too unwell"
	case ch.NotReviewedRefused:
		return "declined to be seen"
	case ch.NotReviewedInHospital:
		return "in hospital"
	case ch.NotReviewedTime:
		return "the round ran out of time"
	case ch.NotReviewedOther:
		return "other reason"
	}
	return words(string(r))
}

func onTime(ok bool, due string) string {
	if ok {
		return "on time (due by " + day(due) + ")"
	}
	return "late (due by " + day(due) + ")"
}

func agreedWith(a ch.AgreedWith) string {
	switch a {
	case ch.AgreedWithResident:
		return "with the resident"
	case ch.AgreedWithFamily:
		return "with family or carer"
	case ch.AgreedWithRepresentative:
		return "with their representative"
	}
	return "with " + words(string(a))
}

func destination(d ch.Destination) string {
	switch d {
	case ch.DestinationHospital:
		return "for hospital"
	case ch.DestinationCareHome:
		return "for another care home"
	case ch.DestinationOwnHome:
		return "for their own home"
	case ch.DestinationHospice:
		return "for a hospice"
	case ch.DestinationOther:
		return "for another destination"
	}
	return "for " + words(string(d))
}

func outstanding(assessment, plan bool) string {
	switch {
	case assessment && plan:
		return "holistic assessment and care plan were still outstanding"
	case assessment:
		return "holistic assessment was still outstanding"
	case plan:
		return "care plan was still outstanding"
	}
	return ""
}
