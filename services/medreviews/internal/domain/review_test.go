package domain_test

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

// reviewType is the review aggregate as the API layer wires it.
var reviewType = aggregate.Type[mr.ReviewState]{
	Name:     mr.AggregateName,
	Registry: medreviews.Registry(),
	Evolve:   mr.EvolveReview,
	Route:    mr.RouteReview,
}

// The fixed clock of every test: a review identified on Monday 2 March 2026,
// invited the next day, booked for Monday 16 March, and commands decided on
// the 17th unless a test says otherwise.
var (
	tIdentified = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tInvited    = tIdentified.AddDate(0, 0, 1)
	tBooked     = tIdentified.AddDate(0, 0, 2)
	tAppt       = time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC)
	tCompleted  = tAppt.Add(45 * time.Minute)
	tDNA        = tAppt.Add(2 * time.Hour)
	now         = time.Date(2026, 3, 17, 9, 0, 0, 0, time.UTC)
	tFuture     = time.Date(2026, 3, 24, 14, 30, 0, 0, time.UTC)
)

const (
	patient    = "pt-0190f4c2-7c1e"
	practice   = "L84001"
	pcn        = "U84001"
	careHome   = "home-willow-court"
	pharmacist = "pharm-ravi-shah"
	gp         = "gp-amara-okafor"
)

var rules = mr.DefaultRules()

func identified() medreviews.CandidateIdentified {
	return medreviews.CandidateIdentified{
		Patient: patient, Practice: practice, PCN: pcn,
		Criteria: []medreviews.Cohort{medreviews.CohortCareHomeResident, medreviews.CohortPolypharmacy},
		CareHome: careHome, IdentifiedBy: gp, IdentifiedByRole: "gp", IdentifiedAt: tIdentified,
	}
}

// identifiedAtHome is a candidate who lives in their own home.
func identifiedAtHome() medreviews.CandidateIdentified {
	e := identified()
	e.Criteria = []medreviews.Cohort{medreviews.CohortOpioids}
	e.CareHome = ""
	return e
}

func invited() medreviews.ReviewInvited {
	return medreviews.ReviewInvited{Channel: medreviews.ChannelLetter, InvitedAt: tInvited,
		RespondBy: tInvited.AddDate(0, 0, 28), Invitation: 1}
}

func booked() medreviews.ReviewBooked {
	return medreviews.ReviewBooked{AppointmentAt: tAppt, Mode: medreviews.ModeCareHome, ClinicianID: pharmacist,
		ClinicianRole: medreviews.RoleClinicalPharmacist, CareHome: careHome, BookedAt: tBooked}
}

func notAttended() medreviews.AppointmentNotAttended {
	return medreviews.AppointmentNotAttended{AppointmentAt: tAppt, ClinicianID: pharmacist, Count: 1, RecordedAt: tDNA}
}

func completed() medreviews.ReviewCompleted {
	return medreviews.ReviewCompleted{Mode: medreviews.ModeCareHome, ClinicianID: pharmacist,
		ClinicianRole: medreviews.RoleClinicalPharmacist, CareHome: careHome, CompletedAt: tCompleted,
		Summary: "Reviewed 11 medicines with the patient and the home's nurse.", SnomedCode: "1239511000000100",
		FollowUpBy: tCompleted.AddDate(0, 0, 90)}
}

func declined() medreviews.ReviewDeclined {
	return medreviews.ReviewDeclined{Reason: "Happy with current medicines", DeclinedAt: tBooked, CodeCluster: "STRMEDRWVDEC_COD"}
}

func closed() medreviews.ReviewClosed {
	return medreviews.ReviewClosed{Reason: medreviews.CloseMovedPractice, PreviousStatus: "identified", ClosedAt: tInvited}
}

// rec returns the recording of recommendation id n.
func rec(n string, med string, action medreviews.Action) medreviews.RecommendationRecorded {
	r := medreviews.RecommendationRecorded{
		RecommendationID: n, Medicine: medreviews.Medicine{Name: med}, Action: action,
		Reason: "Reviewed against STOPP criteria", RecommendedBy: pharmacist,
		RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: tCompleted,
		DecisionDueBy: tCompleted.AddDate(0, 0, 14),
	}
	if action == medreviews.ActionStop {
		r.Deprescribing = true
	}
	return r
}

// history returns events that leave a review in status.
func history(status mr.ReviewStatus) []events.Data {
	switch status {
	case mr.StatusIdentified:
		return []events.Data{identified()}
	case mr.StatusInvited:
		return []events.Data{identified(), invited()}
	case mr.StatusBooked:
		return []events.Data{identified(), invited(), booked()}
	case mr.StatusDidNotAttend:
		return []events.Data{identified(), invited(), booked(), notAttended()}
	case mr.StatusCompleted:
		return []events.Data{identified(), invited(), booked(), completed()}
	case mr.StatusDeclined:
		return []events.Data{identified(), invited(), declined()}
	case mr.StatusClosed:
		return []events.Data{identified(), closed()}
	}
	panic("no history for status " + string(status))
}

// then appends events to a history without touching it.
func then(h []events.Data, more ...events.Data) []events.Data {
	return append(append([]events.Data{}, h...), more...)
}

// except returns every status but those given.
func except(allowed ...mr.ReviewStatus) []mr.ReviewStatus {
	var out []mr.ReviewStatus
next:
	for _, s := range mr.Statuses() {
		for _, a := range allowed {
			if s == a {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}
