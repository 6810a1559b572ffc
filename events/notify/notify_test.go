package notify_test

import (
	"fmt"
	"strings"
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

// matches is NATS subject matching: * one token, > the rest.
func matches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		switch {
		case tok == ">":
			return len(s) > i
		case i >= len(s) || (tok != "*" && tok != s[i]):
			return false
		}
	}
	return len(f) == len(s)
}

func TestATeamCanTakeItsNoticesWithoutItsDeliveryRecords(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	patient := "01a20900-0000-7000-8000-000000000001"
	subject := func(team string, data events.Data) string {
		en, err := events.New(data, events.Metadata{ID: events.NewID(at), Time: at, Subject: patient, Area: team, CorrelationID: "c",
			Actor: events.Actor{ID: "careweave-notify", Role: "system"}})
		if err != nil {
			t.Fatal(err)
		}
		s, err := events.SubjectOf(&en)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	notice := notify.DischargeNotice{Team: "team-a", Kind: notify.DischargeRouted, Stay: "s", Patient: patient, Pathway: "P1", SourceEvent: "e"}
	record := notify.WebhookDelivery{Team: "team-a", State: notify.Delivered, Sequence: 1, Notice: "n", Kind: notify.DischargeRouted, Stay: "s", Patient: patient}
	for _, c := range []struct {
		filter, subject string
		want            bool
	}{
		{notify.DischargeFilter("team-a"), subject("team-a", notice), true},
		{notify.DischargeFilter("team-a"), subject("team-a", record), false},
		{notify.DischargeFilter("team-a"), subject("team-b", notice), false},
		{notify.Filter("team-a"), subject("team-a", record), true},
		{notify.Filter("team-a"), subject("team-ab", notice), false},
	} {
		if got := matches(c.filter, c.subject); got != c.want {
			t.Errorf("%s matches %s: %v, want %v", c.filter, c.subject, got, c.want)
		}
	}
}
