// Package synthetic makes care histories for tests and benchmarks of the
// projections: real event types, as the services record them, for opaque
// synthetic patients. No NHS numbers, names or clinical detail.
package synthetic

import (
	"fmt"
	"time"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
	hv "github.com/careweave/careweave/events/homevisits"
)

// PatientPrefix starts every synthetic patient's reference: patient i's is
// the prefix and i in twelve digits.
const PatientPrefix = "01a20900-0000-7000-8000-"

// Where every synthetic patient is registered: a practice of the demo
// directory's PCN (kit/directory), whose care coordinators may read them.
const (
	Practice = "L84001"
	PCN      = "U84001"
)

// Patient is the opaque reference of synthetic patient i.
func Patient(i int) string { return fmt.Sprintf(PatientPrefix+"%012d", i) }

// PatientSQL is a PostgreSQL expression for Patient of the non-negative
// integer expression i, for loading synthetic data in bulk.
func PatientSQL(i string) string {
	return "'" + PatientPrefix + "' || lpad((" + i + ")::text, 12, '0')"
}

// History is patient i's care starting at: a discharge on pathway 1 routed
// to a community team (cancelled for every fifth patient, which retracts
// it), and a home visit that is re-triaged, assigned, reassigned and
// accepted, then completed (cancelled for every third patient). The events
// are 10 or 11, each with its stream and version set, and their ids are the
// same on every call.
func History(i int, at time.Time) []events.Envelope {
	patient := Patient(i)
	stay, visit := fmt.Sprintf("%08x-0000-7000-9000-%012d", 1, i), fmt.Sprintf("%08x-0000-7000-9000-%012d", 2, i)
	win := hv.Window{NotBefore: at.Add(3 * time.Hour), VisitBy: at.Add(5 * time.Hour)}
	type step struct {
		stream string
		data   events.Data
	}
	steps := []step{
		{"stay-" + stay, dc.PatientAdmitted{StayID: stay, Patient: patient, HospitalSite: "RTE01", Ward: "Ward 7", AdmittedAt: at,
			Method: dc.AdmissionEmergency, Practice: Practice, PCN: PCN}},
		{"stay-" + stay, dc.PatientDischarged{DischargedAt: at.Add(time.Hour), Method: dc.DischargeOwnTransport,
			Destination: dc.DestinationUsualResidence, Pathway: dc.PathwayP1, HospitalSite: "RTE01", Ward: "Ward 7", Practice: Practice,
			SummaryDueBy: at.Add(25 * time.Hour), FollowUpDueBy: at.Add(25 * time.Hour)}},
		{"stay-" + stay, dc.FollowUpAssigned{TeamID: "team-severn-ict", AssignedAt: at.Add(time.Hour), DueBy: at.Add(25 * time.Hour),
			DischargedAt: at.Add(time.Hour), Pathway: dc.PathwayP1, Destination: dc.DestinationUsualResidence,
			Needs: []dc.FollowUpNeed{dc.NeedReablement}}},
		{"visit-" + visit, hv.VisitRequested{Patient: patient, Practice: Practice, PCN: PCN, Reason: "unsteady since discharge",
			Source: hv.SourcePhone, Caller: hv.CallerRelative, RequestedAt: at.Add(2 * time.Hour)}},
		{"visit-" + visit, hv.VisitTriaged{TriagedBy: "gp-amara-okafor", TriagedByRole: "gp", Urgency: "routine", Window: win, TriagedAt: at.Add(2 * time.Hour)}},
		{"visit-" + visit, hv.VisitTriaged{TriagedBy: "gp-amara-okafor", TriagedByRole: "gp", Urgency: "urgent", PreviousUrgency: "routine", Window: win, TriagedAt: at.Add(2 * time.Hour)}},
		{"visit-" + visit, hv.VisitAssigned{ClinicianID: "para-jess-patel", Role: "paramedic", Urgency: "urgent", Window: win, AssignedAt: at.Add(2 * time.Hour)}},
		{"visit-" + visit, hv.VisitReassigned{FromClinicianID: "para-jess-patel", FromRole: "paramedic", ClinicianID: "para-owen-jones", Role: "paramedic",
			Urgency: "urgent", Window: win, ReassignedAt: at.Add(2 * time.Hour)}},
		{"visit-" + visit, hv.AssignmentAccepted{ClinicianID: "para-owen-jones", Role: "paramedic", AcceptedAt: at.Add(2 * time.Hour)}},
	}
	if i%5 == 0 {
		steps = append(steps, step{"stay-" + stay, dc.DischargeCancelled{Reason: dc.CancelEnteredInError, CancelledAt: at.Add(3 * time.Hour), DischargedAt: at.Add(time.Hour)}})
	}
	if i%3 == 0 {
		steps = append(steps, step{"visit-" + visit, hv.VisitCancelled{Reason: "patient-cancelled", ClinicianID: "para-owen-jones", Role: "paramedic", CancelledAt: at.Add(4 * time.Hour)}})
	} else {
		steps = append(steps, step{"visit-" + visit, hv.VisitCompleted{ClinicianID: "para-owen-jones", Role: "paramedic", Outcome: hv.OutcomeManagedAtHome, CompletedAt: at.Add(4 * time.Hour)}})
	}
	version := map[string]int64{}
	out := make([]events.Envelope, 0, len(steps))
	for n, s := range steps {
		version[s.stream]++
		en, err := events.New(s.data, events.Metadata{ID: EventID(i, n), Time: at.Add(time.Duration(n) * time.Second), Subject: patient, Area: PCN,
			CorrelationID: "synthetic", Actor: events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}})
		if err != nil {
			panic(fmt.Sprintf("synthetic history %d, event %d: %v", i, n, err)) // a bug in this file
		}
		en.StreamID, en.StreamVersion = s.stream, version[s.stream]
		out = append(out, en)
	}
	return out
}

// EventID is the id of patient i's n-th event.
func EventID(i, n int) events.ID {
	id, _ := events.ParseID(fmt.Sprintf("01a20900-%04x-7000-8000-%012d", n, i))
	return id
}
