package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	notifysvc "github.com/careweave/careweave/services/notify"
)

func TestMain(m *testing.M) { testkit.Main(m) }

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// publisher puts events on the CARE stream as the services' relays would.
type publisher struct {
	js       jetstream.JetStream
	versions map[string]int64
}

func (p *publisher) publish(t *testing.T, patient, stream string, data events.Data, msgID string) events.Envelope {
	t.Helper()
	p.versions[stream]++
	en, err := events.New(data, events.Metadata{ID: events.NewID(t0), Time: t0.Add(time.Duration(len(p.versions)) * time.Minute), Subject: patient,
		Area: "U84001", CorrelationID: "notify-test", Actor: events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}})
	if err != nil {
		t.Fatal(err)
	}
	en.StreamID, en.StreamVersion = stream, p.versions[stream]
	p.send(t, en, msgID)
	return en
}

func (p *publisher) send(t *testing.T, en events.Envelope, msgID string) {
	t.Helper()
	b, err := en.Encode()
	if err != nil {
		t.Fatal(err)
	}
	subject, err := events.SubjectOf(&en)
	if err != nil {
		t.Fatal(err)
	}
	if msgID == "" {
		msgID = en.ID.String()
	}
	if _, err := p.js.PublishMsg(t.Context(), &nats.Msg{Subject: subject, Data: b, Header: nats.Header{jetstream.MsgIDHeader: []string{msgID}}}); err != nil {
		t.Fatal(err)
	}
}

func patient(i int) string { return fmt.Sprintf("01a20900-0000-7000-8000-%012d", i) }

func routed(team string, stay string) dc.FollowUpAssigned {
	return dc.FollowUpAssigned{TeamID: team, AssignedAt: t0, DueBy: t0.Add(24 * time.Hour), DischargedAt: t0, Pathway: dc.PathwayP1,
		Destination: dc.DestinationUsualResidence, Needs: []dc.FollowUpNeed{dc.NeedReablement}, Practice: "L84001"}
}

// received is what one recipient's plain NATS client got: the notice
// kinds with their stay or visit, in arrival order.
func received(t *testing.T, url, recipient string, want int) []string {
	t.Helper()
	nc := testkit.Connect(t, url)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.OrderedConsumer(t.Context(), natskit.EventStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"care.notify." + recipient + ".>"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	for len(got) < want+1 { // one more than expected: a surplus must show
		batch, err := cons.Fetch(want+1-len(got), jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			if !strings.HasPrefix(m.Subject(), "care.notify."+recipient+".") {
				t.Fatalf("%s received %s", recipient, m.Subject())
			}
			en, err := events.Decode(m.Data())
			if err != nil {
				t.Fatal(err)
			}
			data, err := notify.Registry().Decode(en)
			if err != nil {
				t.Fatal(err)
			}
			switch d := data.(type) {
			case notify.DischargeNotice:
				if d.Team != recipient || en.Subject != d.Patient {
					t.Fatalf("%s received %+v", recipient, d)
				}
				got = append(got, string(d.Kind)+" "+d.Stay)
			case notify.AssignmentNotice:
				if d.Clinician != recipient {
					t.Fatalf("%s received %+v", recipient, d)
				}
				got = append(got, string(d.Kind)+" "+d.Visit)
			}
		}
		if n == 0 && (len(got) >= want || ctx.Err() != nil) {
			break
		}
	}
	return got
}

func TestEachTeamAndClinicianReceivesExactlyTheirNoticesInOrder(t *testing.T) {
	infra := servicetest.NewInfra(t)
	svc := servicetest.StartIn(t, infra, "notify", notifysvc.Options(directory.Demo(), notifysvc.WebhookConfig{AllowHTTP: true, AllowPrivateNetworks: true, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Timeout: time.Second}))
	p := &publisher{js: svc.JS, versions: map[string]int64{}}

	// Discharges: A and B routed to the two Severn Vale teams, C first to
	// Forest Edge then moved to Severn ICT, A cancelled.
	a := p.publish(t, patient(1), "stay-a", routed("team-severn-ict", "a"), "")
	p.publish(t, patient(2), "stay-b", routed("team-severn-social", "b"), "")
	p.publish(t, patient(3), "stay-c", routed("team-forest-ict", "c"), "")
	moved := routed("team-severn-ict", "c")
	moved.PreviousTeamID = "team-forest-ict"
	p.publish(t, patient(3), "stay-c", moved, "")
	p.publish(t, patient(1), "stay-a", dc.DischargeCancelled{Reason: dc.CancelEnteredInError, CancelledAt: t0, DischargedAt: t0}, "")
	p.send(t, a, "republished-after-the-dedup-window") // changes nothing

	// Visits: V1 assigned to Jess then reassigned to Owen; V2 assigned to
	// Jess, re-triaged, then cancelled.
	win := hv.Window{NotBefore: t0, VisitBy: t0.Add(2 * time.Hour)}
	p.publish(t, patient(4), "visit-v1", hv.VisitAssigned{ClinicianID: "para-jess-patel", Role: "paramedic", Urgency: "urgent", Window: win, AssignedAt: t0}, "")
	p.publish(t, patient(4), "visit-v1", hv.VisitReassigned{FromClinicianID: "para-jess-patel", FromRole: "paramedic", ClinicianID: "para-owen-jones",
		Role: "paramedic", Urgency: "urgent", Window: win, ReassignedAt: t0}, "")
	p.publish(t, patient(5), "visit-v2", hv.VisitAssigned{ClinicianID: "para-jess-patel", Role: "paramedic", Urgency: "routine", Window: win, AssignedAt: t0}, "")
	p.publish(t, patient(5), "visit-v2", hv.VisitTriaged{TriagedBy: "gp-amara-okafor", TriagedByRole: "gp", Urgency: "urgent", PreviousUrgency: "routine",
		Window: win, ClinicianID: "para-jess-patel", Role: "paramedic", TriagedAt: t0}, "")
	p.publish(t, patient(5), "visit-v2", hv.VisitCancelled{Reason: "patient-cancelled", ClinicianID: "para-jess-patel", Role: "paramedic", CancelledAt: t0}, "")

	url := infra.NATS.ClientURL()
	for recipient, want := range map[string][]string{
		"team-severn-ict":    {"routed a", "routed c", "cancelled a"},
		"team-severn-social": {"routed b"},
		"team-forest-ict":    {"routed c", "moved-away c"},
		"para-jess-patel":    {"assigned v1", "reassigned-away v1", "assigned v2", "retriaged v2", "withdrawn v2"},
		"para-owen-jones":    {"assigned v1"},
	} {
		got := received(t, url, recipient, len(want))
		// Each recipient's feed is one stream: in order. Across patients
		// the order is the order the consumers committed, so compare per
		// stay or visit.
		for _, item := range []string{"a", "b", "c", "v1", "v2"} {
			if g, w := only(got, item), only(want, item); !slices.Equal(g, w) {
				t.Errorf("%s got %q about %s, want %q (all: %q)", recipient, g, item, w, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s got %d notices, want %d: %q", recipient, len(got), len(want), got)
		}
	}
}

func only(notices []string, item string) []string {
	var out []string
	for _, n := range notices {
		if strings.HasSuffix(n, " "+item) {
			out = append(out, n)
		}
	}
	return out
}
