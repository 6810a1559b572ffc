package notify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/notify"
)

func TestNoticesTravelOnTheRecipientsSubjects(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	patient := "01a20900-0000-7000-8000-000000000001"
	for _, c := range []struct {
		recipient string
		data      events.Data
		subject   string
	}{
		{"team-severn-social", notify.DischargeNotice{Team: "team-severn-social", Kind: notify.DischargeRouted, Stay: "s1", Patient: patient,
			Pathway: "P1", DischargedAt: at, DueBy: at.Add(24 * time.Hour), SourceEvent: "e1"}, "care.notify.team-severn-social.p%02d.discharge_notice.v1"},
		{"para-jess-patel", notify.AssignmentNotice{Clinician: "para-jess-patel", Kind: notify.Assigned, Visit: "v1", Patient: patient, SourceEvent: "e2"},
			"care.notify.para-jess-patel.p%02d.assignment_notice.v1"},
	} {
		en, err := events.New(c.data, events.Metadata{ID: events.NewID(at), Time: at, Subject: patient, Area: c.recipient, CorrelationID: "c",
			Actor: events.Actor{ID: "careweave-notify", Role: "system", Org: "careweave"}})
		if err != nil {
			t.Fatal(err)
		}
		en.StreamID, en.StreamVersion = notify.FeedStream(c.recipient), 1
		b, err := en.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := events.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		data, err := notify.Registry().Decode(back)
		if err != nil {
			t.Fatal(err)
		}
		subject, err := events.SubjectOf(&back)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(c.subject, events.Partition(patient)); subject != want {
			t.Errorf("subject %s, want %s", subject, want)
		}
		if data.EventType() != c.data.EventType() {
			t.Errorf("decoded %T", data)
		}
	}
}
