package access_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
)

const patient = "01a20900-0000-7000-8000-000000000001"

var at = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// samples holds one value of every event type with every field set, so a
// round trip exercises every JSON tag.
func samples() []events.Data {
	return []events.Data{
		access.AccessRecorded{Patient: patient, ActorID: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001", Team: "team-severn-ict",
			Action: access.ReadTimeline, Resource: "/v1/patients/" + patient + "/timeline", Basis: access.BreakGlass,
			Reason: "Called to a fall; no GP record available out of hours", Outcome: access.Allowed, Status: 200, RequestID: "019ab0e4-5a10-7b3c-8d2e-1a2b3c4d5e6f",
			TokenID: "tok-42"},
		access.BreakGlassGranted{Patient: patient, ActorID: "para-jess-patel", Role: "paramedic", Org: "U84001",
			Reason: "Called to a fall; no GP record available out of hours", Until: at.Add(4 * time.Hour)},
	}
}

// valid is an AccessRecorded that Validate accepts, for tests to spoil.
func valid() access.AccessRecorded {
	return access.AccessRecorded{Patient: patient, ActorID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001",
		Action: access.ReadSummary, Resource: "/v1/patients/" + patient + "/summary", Basis: access.Relationship(access.RegisteredInPCN),
		Outcome: access.Allowed, Status: 200, RequestID: "req-1"}
}

func envelope(t testing.TB, area string, d events.Data) events.Envelope {
	t.Helper()
	en, err := events.New(d, events.Metadata{ID: events.NewID(at), Time: at, Subject: patient, Area: area, CorrelationID: "req-1",
		Actor: events.Actor{ID: "para-jess-patel", Role: "paramedic", Org: "U84001"}})
	if err != nil {
		t.Fatal(err)
	}
	en.StreamID, en.StreamVersion = access.Stream(patient), 1
	return en
}

func TestTypeNamesParseAndAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range access.All() {
		tn, err := events.ParseTypeName(d.EventType())
		if err != nil || tn.Service != access.Service || tn.Version != 1 || tn.String() != d.EventType() {
			t.Errorf("%T: %q is not careweave.access.<event>.v1 (%v)", d, d.EventType(), err)
		}
		if seen[d.EventType()] {
			t.Errorf("%q is used twice", d.EventType())
		}
		seen[d.EventType()] = true
	}
	if got := len(access.Registry().Types()); got != len(seen) {
		t.Errorf("the registry holds %d types; want %d", got, len(seen))
	}
	if (access.AccessRecorded{}).EventType() != "careweave.access.access_recorded.v1" ||
		(access.BreakGlassGranted{}).EventType() != "careweave.access.break_glass_granted.v1" {
		t.Error("wire names changed: they are a published contract")
	}
}

func TestEveryEventRoundTripsWithEveryFieldSet(t *testing.T) {
	have := map[string]bool{}
	for _, want := range samples() {
		have[want.EventType()] = true
		v := reflect.ValueOf(want)
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Errorf("sample %T leaves %s zero: set it so the round trip covers it", want, v.Type().Field(i).Name)
			}
		}
		if err := want.(interface{ Validate() error }).Validate(); err != nil {
			t.Errorf("sample %T: %v", want, err)
		}
		en := envelope(t, "query", want)
		b, err := en.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := events.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := access.Registry().Decode(back)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip changed the event:\n got %#v\nwant %#v", got, want)
		}
	}
	for _, d := range access.All() {
		if !have[d.EventType()] {
			t.Errorf("no sample of %T", d)
		}
	}
}

// TestFieldNamesAreCamelCaseAndCarryNoIdentifiers keeps the contracts to our
// JSON convention and away from patient identifiers.
func TestFieldNamesAreCamelCaseAndCarryNoIdentifiers(t *testing.T) {
	for _, s := range samples() {
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatal(err)
		}
		for k := range fields {
			if k == "" || k[0] < 'a' || k[0] > 'z' || strings.ContainsAny(k, "_- ") {
				t.Errorf("%s: field %q is not camelCase", s.EventType(), k)
			}
			for _, f := range []string{"nhs", "name", "birth", "dob", "address", "postcode", "phone", "diagnos"} {
				if strings.Contains(strings.ToLower(k), f) {
					t.Errorf("%s: field %q looks like patient data", s.EventType(), k)
				}
			}
		}
		if strings.Contains(string(raw), "+01:00") {
			t.Errorf("%s: times must be encoded in UTC: %s", s.EventType(), raw)
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

func TestRecordsTravelOnTheRecordingServicesSubjectsInThePatientsPartition(t *testing.T) {
	for _, c := range []struct {
		service string
		data    events.Data
		subject string
	}{
		{"query", samples()[0], "care.access.query.p%02d.access_recorded.v1"},
		{"homevisits", samples()[1], "care.access.homevisits.p%02d.break_glass_granted.v1"},
	} {
		en := envelope(t, c.service, c.data)
		subject, err := events.SubjectOf(&en)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(c.subject, events.Partition(patient)); subject != want {
			t.Errorf("subject %s, want %s", subject, want)
		}
		if !matches(access.Filter(c.service), subject) {
			t.Errorf("%s does not take %s", access.Filter(c.service), subject)
		}
		for _, other := range []string{"discharge", c.service + "x", "notify"} {
			if matches(access.Filter(other), subject) {
				t.Errorf("%s may publish %s, which %s recorded", other, subject, c.service)
			}
		}
		if matches(events.FilterService(c.service), subject) {
			t.Errorf("%s's own event filter takes its audit records too", c.service)
		}
	}
}

func TestValidateNamesTheFieldThatIsWrong(t *testing.T) {
	if err := valid().Validate(); err != nil {
		t.Fatalf("the valid record: %v", err)
	}
	denied := valid()
	denied.Basis, denied.Outcome, denied.Status = access.NoBasis, access.Denied, 403
	change := valid()
	change.Action, change.Resource = access.Change("careweave.homevisits.visit_triaged.v1"), "/v1/visits/019ab0f0-4e5f-7a6b-9c7d-8e9fa0b1c2d3/triage"
	shortChange := valid()
	shortChange.Action, shortChange.Basis = access.Change("visit_triaged"), access.Relationship(access.AssignedVisit)
	deniedBreakGlass := denied
	deniedBreakGlass.Reason = "covering for a colleague"
	for name, ok := range map[string]access.AccessRecorded{"denied": denied, "change": change, "change by event name": shortChange,
		"denied break-glass with its reason": deniedBreakGlass} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	for _, c := range []struct {
		field string
		spoil func(*access.AccessRecorded)
	}{
		{"patient", func(e *access.AccessRecorded) { e.Patient = "" }},
		{"patient", func(e *access.AccessRecorded) { e.Patient = "9990000018" }},
		{"patient", func(e *access.AccessRecorded) { e.Patient = "999 000 0018" }},
		{"actorId", func(e *access.AccessRecorded) { e.ActorID = "" }},
		{"role", func(e *access.AccessRecorded) { e.Role = "care coordinator" }},
		{"org", func(e *access.AccessRecorded) { e.Org = "an-org-id-far-too-long" }},
		{"pcn", func(e *access.AccessRecorded) { e.PCN = "U84 001" }},
		{"team", func(e *access.AccessRecorded) { e.Team = strings.Repeat("t", 65) }},
		{"action", func(e *access.AccessRecorded) { e.Action = "" }},
		{"action", func(e *access.AccessRecorded) { e.Action = "Read timeline" }},
		{"action", func(e *access.AccessRecorded) { e.Action = "change:" }},
		{"action", func(e *access.AccessRecorded) { e.Action = "change:Visit Triaged" }},
		{"resource", func(e *access.AccessRecorded) { e.Resource = "" }},
		{"resource", func(e *access.AccessRecorded) { e.Resource = "v1/patients" }},
		{"resource", func(e *access.AccessRecorded) { e.Resource = "/v1/patients/9990000018/timeline" }},
		{"resource", func(e *access.AccessRecorded) { e.Resource = "/v1/patients/resolve?nhsNumber=9990000018" }},
		{"resource", func(e *access.AccessRecorded) { e.Resource = "/v1/patients/Ivy Example" }},
		{"resource", func(e *access.AccessRecorded) { e.Resource = "/v1/../admin" }},
		{"resource", func(e *access.AccessRecorded) { e.Resource = "/" + strings.Repeat("a", access.MaxResourceLen) }},
		{"basis", func(e *access.AccessRecorded) { e.Basis = "relationship:" }},
		{"basis", func(e *access.AccessRecorded) { e.Basis = "relationship:Registered In PCN" }},
		{"basis", func(e *access.AccessRecorded) { e.Basis = "because" }},
		{"basis", func(e *access.AccessRecorded) { e.Basis = access.NoBasis }}, // allowed on no basis
		{"reason", func(e *access.AccessRecorded) { e.Basis = access.BreakGlass }},
		{"reason", func(e *access.AccessRecorded) { e.Basis, e.Reason = access.BreakGlass, "   " }},
		{"reason", func(e *access.AccessRecorded) {
			e.Basis, e.Reason = access.BreakGlass, "daughter rang, NHS no 999 000 0018"
		}},
		{"reason", func(e *access.AccessRecorded) { e.Basis, e.Reason = access.BreakGlass, "two\nlines" }},
		{"reason", func(e *access.AccessRecorded) {
			e.Basis, e.Reason = access.BreakGlass, strings.Repeat("é", access.MaxReasonLen+1)
		}},
		{"outcome", func(e *access.AccessRecorded) { e.Outcome = "maybe" }},
		{"status", func(e *access.AccessRecorded) { e.Status = 0 }},
		{"status", func(e *access.AccessRecorded) { e.Status = 600 }},
		{"requestId", func(e *access.AccessRecorded) { e.RequestID = "" }},
		{"requestId", func(e *access.AccessRecorded) { e.RequestID = "a b" }},
		{"tokenId", func(e *access.AccessRecorded) { e.TokenID = strings.Repeat("j", 129) }},
	} {
		e := valid()
		c.spoil(&e)
		var fe *events.FieldError
		if err := e.Validate(); !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: error %v, want one naming %s", e, err, c.field)
		}
	}
}

func TestBreakGlassGrantNeedsAReasonAndAnEnd(t *testing.T) {
	g := samples()[1].(access.BreakGlassGranted)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, spoil := range map[string]func(*access.BreakGlassGranted){
		"patient": func(g *access.BreakGlassGranted) { g.Patient = "9990000018" },
		"actorId": func(g *access.BreakGlassGranted) { g.ActorID = "" },
		"role":    func(g *access.BreakGlassGranted) { g.Role = "" },
		"reason":  func(g *access.BreakGlassGranted) { g.Reason = "" },
		"until":   func(g *access.BreakGlassGranted) { g.Until = time.Time{} },
	} {
		g := g
		spoil(&g)
		var fe *events.FieldError
		if err := g.Validate(); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestReasonsAreBoundedOneLineAndHoldNoNHSNumber(t *testing.T) {
	for _, ok := range []string{"Called to a fall out of hours", "covering for a colleague 2 days", "ref 12345678901 (an order number)",
		"phone 01234 567890", strings.Repeat("é", access.MaxReasonLen), "00-000-0000 is not a number of ten"} {
		if err := access.CheckReason(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "  ", "see 9990000018", "999 000 0018 rang", "999-000-0018", "tab\there", "nul\x00", "\xff\xfe",
		strings.Repeat("a", access.MaxReasonLen+1)} {
		if err := access.CheckReason(bad); err == nil {
			t.Errorf("%q passed", bad)
		}
	}
}

func TestEnumerationsParseOnlyTheirValues(t *testing.T) {
	for _, o := range access.Outcomes() {
		if got, err := access.ParseOutcome(string(o)); err != nil || got != o || !o.Valid() {
			t.Errorf("outcome %q: %v", o, err)
		}
	}
	for _, bad := range []string{"", "Allowed", "unknown", " allowed"} {
		if _, err := access.ParseOutcome(bad); err == nil {
			t.Errorf("outcome %q parsed", bad)
		}
	}
	if _, err := access.ParseOutcome("x"); err == nil || err.Error() != "must be one of: allowed, denied" {
		t.Errorf("the outcome error should list the outcomes: %v", err)
	}
	for _, k := range []string{access.RegisteredInPCN, access.AssignedVisit, access.RoutedDischarge, access.SMRCaseload, access.AlignedCareHome} {
		b := access.Relationship(k)
		if got, ok := b.Relationship(); !ok || got != k || !b.Valid() || string(b) != "relationship:"+k {
			t.Errorf("relationship %q: %q %v", k, got, ok)
		}
		if p, err := access.ParseBasis(string(b)); err != nil || p != b {
			t.Errorf("ParseBasis(%q): %v", b, err)
		}
	}
	for _, b := range []access.Basis{access.BreakGlass, access.NoBasis} {
		if _, ok := b.Relationship(); ok || !b.Valid() {
			t.Errorf("%q", b)
		}
	}
	for _, a := range []access.Action{access.ReadTimeline, access.ReadSummary, access.ReadAccessLog, access.ReadRecord} {
		if p, err := access.ParseAction(string(a)); err != nil || p != a || a.IsChange() {
			t.Errorf("action %q: %v", a, err)
		}
	}
	if c := access.Change("visit_triaged"); !c.IsChange() || !c.Valid() || c != "change:visit_triaged" {
		t.Errorf("Change: %q", c)
	}
}

var (
	nhsSegment = regexp.MustCompile(`(^|[^0-9])[0-9]{10}($|[^0-9])`)
	nhsSpaced  = regexp.MustCompile(`(^|[^0-9])[0-9]{3}[ -][0-9]{3}[ -][0-9]{4}($|[^0-9])`)
)

// FuzzValidate decodes arbitrary JSON as either event and checks that
// Validate never panics, and that whatever it accepts carries no
// NHS-number-shaped patient or path segment, no query string, and survives
// the envelope's round trip unchanged.
func FuzzValidate(f *testing.F) {
	for _, s := range samples() {
		raw, _ := json.Marshal(s)
		f.Add(raw)
	}
	v, _ := json.Marshal(valid())
	f.Add(v)
	f.Add([]byte(`{"patient":"9990000018","resource":"/v1/patients/9990000018","basis":"relationship:x","action":"change:a.b"}`))
	f.Add([]byte(`{"resource":"/v1/x?nhs=1","reason":"999 000 0018","until":"0001-01-01T00:00:00Z","status":-1}`))
	reg := access.Registry()
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, proto := range access.All() {
			ptr := reflect.New(reflect.TypeOf(proto))
			if json.Unmarshal(raw, ptr.Interface()) != nil {
				continue
			}
			d := ptr.Elem().Interface().(events.Data)
			if d.(interface{ Validate() error }).Validate() != nil {
				continue
			}
			var p, reason string
			if a, ok := d.(access.AccessRecorded); ok {
				p, reason = a.Patient, a.Reason
				if strings.ContainsAny(a.Resource, "?#= ") {
					t.Fatalf("accepted resource %q", a.Resource)
				}
				for _, seg := range strings.Split(a.Resource, "/") {
					if len(seg) == 10 && strings.Trim(seg, "0123456789") == "" {
						t.Fatalf("accepted resource %q", a.Resource)
					}
				}
				if a.Outcome == access.Allowed && a.Basis == access.NoBasis {
					t.Fatalf("accepted an allowed access on no basis")
				}
			} else {
				p, reason = d.(access.BreakGlassGranted).Patient, d.(access.BreakGlassGranted).Reason
			}
			if nhsSegment.MatchString(reason) || nhsSpaced.MatchString(reason) {
				t.Fatalf("accepted reason %q", reason)
			}
			if len(p) == 10 && strings.Trim(p, "0123456789") == "" {
				t.Fatalf("accepted patient %q", p)
			}
			en, err := events.New(d, events.Metadata{ID: events.NewID(at), Time: at, Subject: p, Area: "query", CorrelationID: "c",
				Actor: events.Actor{ID: "a", Role: "r"}})
			if err != nil {
				t.Fatal(err)
			}
			en.StreamID, en.StreamVersion = access.Stream(p), 1
			b, err := en.Encode()
			if err != nil {
				t.Fatalf("a valid %T does not encode: %v", d, err)
			}
			back, err := events.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			got, err := reg.Decode(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normalise(got), normalise(d)) {
				t.Fatalf("round trip changed %#v into %#v", d, got)
			}
		}
	})
}

// normalise drops what JSON does not keep of a time: its location and
// monotonic reading.
func normalise(d events.Data) events.Data {
	if g, ok := d.(access.BreakGlassGranted); ok {
		g.Until = g.Until.UTC()
		return g
	}
	return d
}
