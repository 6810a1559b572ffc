package events_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
)

type visitRequested struct {
	Reason string `json:"reason"`
}

func (visitRequested) EventType() string { return "careweave.homevisits.visit_requested.v2" }

type visitRequestedV1 struct {
	Text string `json:"text"`
}

func (visitRequestedV1) EventType() string { return "careweave.homevisits.visit_requested.v1" }

func sample(t testing.TB) events.Envelope {
	t.Helper()
	now := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	env, err := events.New(visitRequested{Reason: "fall"}, events.Metadata{
		ID: events.NewID(now), Time: now, Subject: "pt-0190f4c2", Area: "U12345",
		CorrelationID: "corr-1", Actor: events.Actor{ID: "u-1", Role: "gp", Org: "A81001"},
	})
	if err != nil {
		t.Fatal(err)
	}
	env.StreamID, env.StreamVersion = "visit-1", 1
	return env
}

func TestEnvelopeRoundTrip(t *testing.T) {
	env := sample(t)
	b, err := env.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, attr := range []string{`"specversion":"1.0"`, `"type":"careweave.homevisits.visit_requested.v2"`, `"source":"/careweave/homevisits"`, `"schemaversion":2`, `"actorrole":"gp"`} {
		if !strings.Contains(string(b), attr) {
			t.Errorf("encoded envelope lacks %s: %s", attr, b)
		}
	}
	got, err := events.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != env.ID || got.Type != env.Type || !got.Time.Equal(env.Time) || got.StreamVersion != 1 || string(got.Data) != string(env.Data) {
		t.Fatalf("round trip changed the envelope:\n got %+v\nwant %+v", got, env)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cases := map[string]func(e *events.Envelope){
		"specversion":   func(e *events.Envelope) { e.SpecVersion = "0.3" },
		"id":            func(e *events.Envelope) { e.ID = events.ID{} },
		"type":          func(e *events.Envelope) { e.Type = "VisitRequested" },
		"source":        func(e *events.Envelope) { e.Source = "/careweave/discharge" },
		"schemaversion": func(e *events.Envelope) { e.SchemaVersion = 1 },
		"subject":       func(e *events.Envelope) { e.Subject = "943 476 5919" },
		"time":          func(e *events.Envelope) { e.Time = time.Time{} },
		"correlationid": func(e *events.Envelope) { e.CorrelationID = "" },
		"actorid":       func(e *events.Envelope) { e.ActorID = "" },
		"actorrole":     func(e *events.Envelope) { e.ActorRole = "duty gp" },
		"area":          func(e *events.Envelope) { e.Area = "U1.>" },
		"streamid":      func(e *events.Envelope) { e.StreamID = "" },
		"streamversion": func(e *events.Envelope) { e.StreamVersion = 0 },
		"data":          func(e *events.Envelope) { e.Data = json.RawMessage(`[1]`) },
	}
	for field, breakIt := range cases {
		t.Run(field, func(t *testing.T) {
			env := sample(t)
			breakIt(&env)
			err := env.Validate()
			var fe *events.FieldError
			if !errors.As(err, &fe) || fe.Field != field {
				t.Fatalf("Validate() = %v, want a FieldError on %q", err, field)
			}
		})
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, in := range []string{``, `{`, `[]`, `{"specversion":"1.0"}`, strings.Repeat(" ", events.MaxEncodedSize+1)} {
		if _, err := events.Decode([]byte(in)); !errors.Is(err, events.ErrMalformed) {
			t.Errorf("Decode(%.20q) = %v, want ErrMalformed", in, err)
		}
	}
}

func TestRegistryDecodesAndUpcasts(t *testing.T) {
	reg := events.NewRegistry()
	reg.Register(visitRequested{})
	reg.RegisterUpcaster(visitRequestedV1{}.EventType(), func(data json.RawMessage) (string, json.RawMessage, error) {
		var old visitRequestedV1
		if err := json.Unmarshal(data, &old); err != nil {
			return "", nil, err
		}
		b, err := json.Marshal(visitRequested{Reason: old.Text})
		return visitRequested{}.EventType(), b, err
	})

	env := sample(t)
	got, err := reg.Decode(env)
	if err != nil || got != (visitRequested{Reason: "fall"}) {
		t.Fatalf("Decode = %#v, %v", got, err)
	}

	env.Type, env.SchemaVersion, env.Data = visitRequestedV1{}.EventType(), 1, json.RawMessage(`{"text":"breathless"}`)
	got, err = reg.Decode(env)
	if err != nil || got != (visitRequested{Reason: "breathless"}) {
		t.Fatalf("Decode(v1) = %#v, %v; want upcast to v2", got, err)
	}

	env.Type = "careweave.homevisits.visit_teleported.v1"
	if _, err := reg.Decode(env); !errors.Is(err, events.ErrUnknownType) {
		t.Fatalf("Decode(unknown) = %v, want ErrUnknownType", err)
	}
}

func TestParseTypeName(t *testing.T) {
	good := map[string]events.TypeName{
		"careweave.discharge.patient_discharged.v1": {Service: "discharge", Event: "patient_discharged", Version: 1},
		"careweave.medreviews.review_booked.v12":    {Service: "medreviews", Event: "review_booked", Version: 12},
	}
	for in, want := range good {
		got, err := events.ParseTypeName(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseTypeName(%q) = %+v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "careweave.discharge.patient_discharged", "careweave.discharge.PatientDischarged.v1",
		"other.discharge.patient_discharged.v1", "careweave.discharge.patient_discharged.v0", "careweave.discharge.patient_discharged.v01",
		"careweave.dis.charge.patient_discharged.v1", "careweave.discharge.patient discharged.v1"} {
		if _, err := events.ParseTypeName(in); err == nil {
			t.Errorf("ParseTypeName(%q) accepted a bad name", in)
		}
	}
}

func TestSubjectCarriesNoPatientData(t *testing.T) {
	env := sample(t)
	subj, err := events.SubjectOf(&env)
	if err != nil {
		t.Fatal(err)
	}
	want := "care.homevisits.U12345." + events.PartitionToken(events.Partition(env.Subject)) + ".visit_requested.v2"
	if subj != want {
		t.Fatalf("SubjectOf = %q, want %q", subj, want)
	}
	if strings.Contains(subj, env.Subject) {
		t.Fatalf("subject %q contains the patient reference", subj)
	}
}

func TestPartitionSpreadsPatients(t *testing.T) {
	counts := make([]int, events.Partitions)
	for i := range 16000 {
		counts[events.Partition(events.NewID(time.Unix(int64(i), 0)).String())]++
	}
	for p, n := range counts {
		if n < 800 || n > 1200 {
			t.Errorf("partition %d holds %d of 16000 keys; want about 1000", p, n)
		}
	}
}

func TestIDs(t *testing.T) {
	a := events.NewID(time.UnixMilli(1000))
	b := events.NewID(time.UnixMilli(2000))
	if a.String() >= b.String() {
		t.Errorf("ids do not sort by time: %s >= %s", a, b)
	}
	if a.String()[14] != '7' {
		t.Errorf("%s is not a version 7 UUID", a)
	}
	back, err := events.ParseID(a.String())
	if err != nil || back != a {
		t.Fatalf("ParseID(%s) = %s, %v", a, back, err)
	}
	for _, bad := range []string{"", "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d1", "0190f4c2x7c1e-7cc3-8a41-9b5e2a1f3d10", "0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3dzz"} {
		if _, err := events.ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

func FuzzDecode(f *testing.F) {
	env := events.Envelope{}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"specversion":"1.0","id":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10","data":{}}`))
	if b, err := json.Marshal(env); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := events.Decode(b)
		if err != nil {
			if !errors.Is(err, events.ErrMalformed) {
				t.Fatalf("Decode error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		// Whatever decodes must re-encode and decode to the same thing.
		out, err := e.Encode()
		if err != nil {
			t.Fatalf("decoded envelope does not re-encode: %v", err)
		}
		again, err := events.Decode(out)
		if err != nil || again.ID != e.ID || again.Type != e.Type || again.StreamVersion != e.StreamVersion {
			t.Fatalf("re-decode differs: %v", err)
		}
		if _, err := events.SubjectOf(&e); err != nil {
			t.Fatalf("valid envelope has no subject: %v", err)
		}
	})
}

func FuzzParseID(f *testing.F) {
	f.Add("0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := events.ParseID(s)
		if err == nil && !strings.EqualFold(id.String(), s) {
			t.Fatalf("ParseID(%q) = %s", s, id)
		}
	})
}

func TestFilterEventNamesOneTypeInOneOrEveryPartition(t *testing.T) {
	tn := events.TypeName{Service: "notify", Event: "webhook_delivery", Version: 1}
	if got := events.FilterEvent(tn, 7); got != "care.notify.*.p07.webhook_delivery.v1" {
		t.Errorf("partition 7: %s", got)
	}
	if got := events.FilterEvent(tn, -1); got != "care.notify.*.*.webhook_delivery.v1" {
		t.Errorf("every partition: %s", got)
	}
}
