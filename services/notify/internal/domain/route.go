// Package domain decides who is told what: from a discharge or home-visit
// event and who currently holds the stay's follow-up or the visit, the
// notices to send and who holds it afterwards. It is pure: the caller loads
// the holding and stores what comes back, in the transaction that records
// the event as consumed.
package domain

import (
	"strings"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/events/notify"
)

// Holding is who holds a stay's follow-up (a team) or a visit (a
// clinician), with the last notice they were sent: later notices about the
// same thing repeat its facts.
type Holding struct {
	Recipient  string                   `json:"recipient"`
	Discharge  *notify.DischargeNotice  `json:"discharge,omitempty"`
	Assignment *notify.AssignmentNotice `json:"assignment,omitempty"`
}

// Notice is one notice for one recipient.
type Notice struct {
	Recipient string
	Data      events.Data
}

// Outcome is what an event does: the notices, in order, and the holding
// afterwards (nil: nobody holds it).
type Outcome struct {
	Notices []Notice
	Holding *Holding
}

// Item is the key a holding is kept under: the event's stream (a stay or
// a visit), or "" for an event no one is told about.
func Item(env events.Envelope) string {
	if strings.HasPrefix(env.StreamID, "stay-") || strings.HasPrefix(env.StreamID, "visit-") {
		return env.StreamID
	}
	return ""
}

// Route decides what env (with its decoded data) tells whom, given the
// current holding (nil if none).
func Route(env events.Envelope, data events.Data, held *Holding) Outcome {
	src := env.ID.String()
	stay := strings.TrimPrefix(env.StreamID, "stay-")
	visit := strings.TrimPrefix(env.StreamID, "visit-")
	// again sends the holder a copy of their last notice, changed.
	againDischarge := func(kind notify.DischargeKind, reason string) notify.DischargeNotice {
		n := *held.Discharge
		n.Kind, n.Reason, n.SourceEvent = kind, reason, src
		return n
	}
	againVisit := func(kind notify.AssignmentKind, reason string) notify.AssignmentNotice {
		n := *held.Assignment
		n.Kind, n.Reason, n.SourceEvent = kind, reason, src
		return n
	}
	holdsStay := held != nil && held.Discharge != nil
	holdsVisit := held != nil && held.Assignment != nil

	switch e := data.(type) {
	case dc.FollowUpAssigned:
		needs := make([]string, len(e.Needs))
		for i, n := range e.Needs {
			needs[i] = string(n)
		}
		routed := notify.DischargeNotice{Team: e.TeamID, Kind: notify.DischargeRouted, Stay: stay, Patient: env.Subject, Pathway: string(e.Pathway),
			DischargedAt: e.DischargedAt, DueBy: e.DueBy, Needs: needs, Destination: string(e.Destination), CareHome: e.CareHomeID, SourceEvent: src}
		var out []Notice
		if holdsStay && held.Recipient != e.TeamID {
			out = append(out, Notice{held.Recipient, againDischarge(notify.DischargeMovedAway, "")})
		}
		out = append(out, Notice{e.TeamID, routed})
		return Outcome{Notices: out, Holding: &Holding{Recipient: e.TeamID, Discharge: &routed}}
	case dc.DischargeCancelled:
		if !holdsStay {
			return Outcome{Holding: held}
		}
		return Outcome{Notices: []Notice{{held.Recipient, againDischarge(notify.DischargeCancelled, string(e.Reason))}}}
	case dc.FollowUpCompleted:
		if !holdsStay {
			return Outcome{Holding: held}
		}
		return Outcome{Notices: []Notice{{held.Recipient, againDischarge(notify.FollowUpCompleted, string(e.Outcome))}}}
	case dc.FollowUpMissed:
		if !holdsStay {
			return Outcome{Holding: held}
		}
		return Outcome{Notices: []Notice{{held.Recipient, againDischarge(notify.FollowUpMissed, string(e.Reason))}}}

	case hv.VisitAssigned:
		n := notify.AssignmentNotice{Clinician: e.ClinicianID, Kind: notify.Assigned, Visit: visit, Patient: env.Subject, Urgency: e.Urgency,
			NotBefore: e.Window.NotBefore, VisitBy: e.Window.VisitBy, SourceEvent: src}
		return Outcome{Notices: []Notice{{e.ClinicianID, n}}, Holding: &Holding{Recipient: e.ClinicianID, Assignment: &n}}
	case hv.VisitReassigned:
		n := notify.AssignmentNotice{Clinician: e.ClinicianID, Kind: notify.Assigned, Visit: visit, Patient: env.Subject, Urgency: e.Urgency,
			NotBefore: e.Window.NotBefore, VisitBy: e.Window.VisitBy, SourceEvent: src}
		var out []Notice
		if holdsVisit && held.Recipient != e.ClinicianID {
			out = append(out, Notice{held.Recipient, againVisit(notify.ReassignedAway, "")})
		}
		out = append(out, Notice{e.ClinicianID, n})
		return Outcome{Notices: out, Holding: &Holding{Recipient: e.ClinicianID, Assignment: &n}}
	case hv.VisitTriaged:
		if !holdsVisit {
			return Outcome{Holding: held}
		}
		n := againVisit(notify.Retriaged, "")
		n.Urgency, n.NotBefore, n.VisitBy = e.Urgency, e.Window.NotBefore, e.Window.VisitBy
		return Outcome{Notices: []Notice{{held.Recipient, n}}, Holding: &Holding{Recipient: held.Recipient, Assignment: &n}}
	case hv.AssignmentDeclined:
		// They handed it back themselves: nothing to tell them.
		return Outcome{}
	case hv.AssignmentTimedOut:
		// Unlike a decline, they did nothing: tell them it is no longer theirs.
		return withdraw(held, holdsVisit, againVisit, "timed-out")
	case hv.VisitCancelled:
		return withdraw(held, holdsVisit, againVisit, "cancelled:"+string(e.Reason))
	case hv.VisitEscalated:
		return withdraw(held, holdsVisit, againVisit, "escalated:"+string(e.To))
	case hv.TriagedWithoutVisit:
		return withdraw(held, holdsVisit, againVisit, "no-visit:"+string(e.Outcome))
	case hv.VisitCompleted, hv.NoAccessRecorded:
		return Outcome{} // done by the holder: nothing more to tell
	}
	return Outcome{Holding: held}
}

func withdraw(held *Holding, holds bool, again func(notify.AssignmentKind, string) notify.AssignmentNotice, reason string) Outcome {
	if !holds {
		return Outcome{Holding: held}
	}
	return Outcome{Notices: []Notice{{held.Recipient, again(notify.Withdrawn, reason)}}}
}
