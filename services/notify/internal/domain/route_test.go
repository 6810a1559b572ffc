package domain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/services/notify/internal/domain"
)

var at = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func env(stream string, data events.Data) events.Envelope {
	en, err := events.New(data, events.Metadata{ID: events.NewID(at), Time: at, Subject: "01a20900-0000-7000-8000-000000000001", Area: "U84001",
		CorrelationID: "c", Actor: events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}})
	if err != nil {
		panic(err)
	}
	en.StreamID, en.StreamVersion = stream, 1
	return en
}

// kinds is "recipient kind" per notice.
func kinds(o domain.Outcome) []string {
	var out []string
	for _, n := range o.Notices {
		switch d := n.Data.(type) {
		case notify.DischargeNotice:
			out = append(out, n.Recipient+" "+string(d.Kind))
		case notify.AssignmentNotice:
			out = append(out, n.Recipient+" "+string(d.Kind))
		}
	}
	return out
}

func TestRoute(t *testing.T) {
	win := hv.Window{NotBefore: at, VisitBy: at.Add(time.Hour)}
	routed := dc.FollowUpAssigned{TeamID: "team-a", DueBy: at, DischargedAt: at, Pathway: dc.PathwayP1, Destination: dc.DestinationUsualResidence}
	moved := routed
	moved.TeamID, moved.PreviousTeamID = "team-b", "team-a"
	stayHeld := domain.Route(env("stay-1", routed), routed, nil).Holding
	assigned := hv.VisitAssigned{ClinicianID: "para-a", Role: "paramedic", Urgency: "urgent", Window: win, AssignedAt: at}
	visitHeld := domain.Route(env("visit-1", assigned), assigned, nil).Holding

	for _, c := range []struct {
		name   string
		stream string
		data   events.Data
		held   *domain.Holding
		want   []string
		holder string // "" = nobody holds it afterwards
	}{
		{"a routed follow-up tells the team", "stay-1", routed, nil, []string{"team-a routed"}, "team-a"},
		{"a move tells both teams, the old one first", "stay-1", moved, stayHeld, []string{"team-a moved-away", "team-b routed"}, "team-b"},
		{"a cancelled discharge tells its team", "stay-1", dc.DischargeCancelled{Reason: dc.CancelEnteredInError}, stayHeld, []string{"team-a cancelled"}, ""},
		{"a cancelled discharge nobody holds tells nobody", "stay-1", dc.DischargeCancelled{Reason: dc.CancelEnteredInError}, nil, nil, ""},
		{"a completed follow-up is confirmed", "stay-1", dc.FollowUpCompleted{TeamID: "team-a"}, stayHeld, []string{"team-a follow-up-completed"}, ""},
		{"a missed follow-up is confirmed", "stay-1", dc.FollowUpMissed{TeamID: "team-a"}, stayHeld, []string{"team-a follow-up-missed"}, ""},
		{"an assignment tells the clinician", "visit-1", assigned, nil, []string{"para-a assigned"}, "para-a"},
		{"a reassignment tells both", "visit-1", hv.VisitReassigned{FromClinicianID: "para-a", ClinicianID: "para-b", Window: win}, visitHeld,
			[]string{"para-a reassigned-away", "para-b assigned"}, "para-b"},
		{"a re-triage tells the holder", "visit-1", hv.VisitTriaged{Urgency: "routine", Window: win}, visitHeld, []string{"para-a retriaged"}, "para-a"},
		{"a re-triage before assignment tells nobody", "visit-1", hv.VisitTriaged{Urgency: "routine", Window: win}, nil, nil, ""},
		{"a cancellation withdraws it", "visit-1", hv.VisitCancelled{Reason: "patient-cancelled"}, visitHeld, []string{"para-a withdrawn"}, ""},
		{"an escalation withdraws it", "visit-1", hv.VisitEscalated{To: "999"}, visitHeld, []string{"para-a withdrawn"}, ""},
		{"a decline tells nobody and frees it", "visit-1", hv.AssignmentDeclined{ClinicianID: "para-a"}, visitHeld, nil, ""},
		{"a timeout withdraws it", "visit-1", hv.AssignmentTimedOut{ClinicianID: "para-a"}, visitHeld, []string{"para-a withdrawn"}, ""},
		{"a timeout nobody holds tells nobody", "visit-1", hv.AssignmentTimedOut{ClinicianID: "para-a"}, nil, nil, ""},
		{"a completed visit tells nobody", "visit-1", hv.VisitCompleted{ClinicianID: "para-a"}, visitHeld, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := domain.Route(env(c.stream, c.data), c.data, c.held)
			if got := kinds(out); !slices.Equal(got, c.want) {
				t.Errorf("notices %q, want %q", got, c.want)
			}
			holder := ""
			if out.Holding != nil {
				holder = out.Holding.Recipient
			}
			if holder != c.holder {
				t.Errorf("held by %q afterwards, want %q", holder, c.holder)
			}
			for _, n := range out.Notices {
				if d, ok := n.Data.(notify.DischargeNotice); ok && (d.Stay != "1" || d.Patient == "" || d.SourceEvent == "") {
					t.Errorf("notice %+v lacks its references", d)
				}
			}
		})
	}

	timedOut := hv.AssignmentTimedOut{ClinicianID: "para-a", Role: "paramedic", AssignedAt: at, AcceptBy: at, TimedOutAt: at}
	out := domain.Route(env("visit-1", timedOut), timedOut, visitHeld)
	if n := out.Notices[0].Data.(notify.AssignmentNotice); n.Reason != "timed-out" || n.Visit != "1" || n.Urgency != "urgent" {
		t.Errorf("timeout notice %+v: want reason timed-out, repeating the assignment", n)
	}
}
