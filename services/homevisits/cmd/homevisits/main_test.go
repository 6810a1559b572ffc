package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/services/homevisits"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
	"github.com/careweave/careweave/services/patients"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// Synthetic NHS numbers (999 range, valid check digits).
const (
	aliceNHS      = "9990000018"
	bobNHS        = "9990000026"
	unregistered  = "9990000034"
	badCheckDigit = "9990000019"
	realNumber    = "9434765919" // valid, but outside the 999 range: the registry refuses it
)

// Callers, as the dev stack's issuer describes them (carectl token): a
// coordinator of the demo PCN, and clinicians of the demo directory.
var (
	coordinator = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"}
	dutyGP      = auth.Principal{Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"}
	jess        = auth.Principal{Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"}
	owen        = auth.Principal{Subject: "para-owen-jones", Role: "paramedic", Org: "U84001", PCN: "U84001"}
	maria       = auth.Principal{Subject: "dn-maria-silva", Role: "district-nurse", Org: "team-severn-ict", Team: "team-severn-ict"}
)

type visit struct {
	Visit, Status, Patient, Practice, PCN, CareHome, Urgency, WindowLondon, ClinicianID, Role, Outcome string
	Window                                                                                             struct{ NotBefore, VisitBy time.Time }
	Version                                                                                            int
}

type harness struct {
	t        *testing.T
	registry *servicetest.Stack
	s        *servicetest.Stack
	patients map[string]string // NHS number → reference
}

// start runs a real patient registry with two registered patients, and the
// home-visits service resolving patients there.
func start(t *testing.T) *harness {
	t.Helper()
	for _, n := range []string{aliceNHS, bobNHS, unregistered} {
		if _, err := nhsno.Parse(n); err != nil || !nhsno.IsSynthetic(n) {
			t.Fatalf("test number %s: %v", n, err)
		}
	}
	h := &harness{t: t, patients: map[string]string{}}
	h.registry = servicetest.Start(t, "patients", patients.Options(directory.Demo(), false))
	for i, n := range []string{aliceNHS, bobNHS} {
		body := `{"nhsNumber":"` + n + `","traceStatus":"01","givenName":"Test","familyName":"Patient","birthDate":"1941-02-03","practice":"L84001"}`
		got := h.registry.Do("POST", "/v1/patients", body, map[string]string{"Idempotency-Key": "reg-" + n})
		var p struct{ Patient string }
		got.JSON(t, &p)
		if got.Status != 201 || p.Patient == "" {
			t.Fatalf("register patient %d = %d %s", i, got.Status, got.Body)
		}
		h.patients[n] = p.Patient
	}
	reg, err := patientref.New(h.registry.URL, servicetest.ServiceClient(t))
	if err != nil {
		t.Fatal(err)
	}
	h.s = servicetest.Start(t, "homevisits", homevisits.Options(directory.Demo(), reg, domain.DefaultRules()))
	return h
}

// do sends a request as who.
func (h *harness) do(who auth.Principal, method, path string, body any, headers map[string]string) servicetest.Response {
	h.t.Helper()
	return h.s.As(who).Do(method, path, body, headers)
}

// step runs a change as actor on the visit at version and expects it to
// succeed with the status and version given.
func (h *harness) step(actor auth.Principal, id, command string, version int, body string, wantStatus string, wantVersion int) visit {
	h.t.Helper()
	got := h.do(actor, "POST", "/v1/visits/"+id+"/"+command, body, map[string]string{"If-Match": etag(version)})
	var v visit
	if got.Status != 200 {
		h.t.Fatalf("%s at v%d = %d %s", command, version, got.Status, got.Body)
	}
	got.JSON(h.t, &v)
	if v.Status != wantStatus || v.Version != wantVersion || got.Header.Get("ETag") != etag(wantVersion) {
		h.t.Fatalf("%s: status %s v%d (ETag %s); want %s v%d", command, v.Status, v.Version, got.Header.Get("ETag"), wantStatus, wantVersion)
	}
	return v
}

// request creates a visit and returns it.
func (h *harness) request(body, key string) visit {
	h.t.Helper()
	got := h.do(coordinator, "POST", "/v1/visits", body, map[string]string{"Idempotency-Key": key})
	if got.Status != 201 {
		h.t.Fatalf("request visit = %d %s", got.Status, got.Body)
	}
	var v visit
	got.JSON(h.t, &v)
	if got.Header.Get("Location") != "/v1/visits/"+v.Visit || got.Header.Get("ETag") != `"1"` || v.Status != "requested" {
		h.t.Fatalf("requested %+v, headers %v", v, got.Header)
	}
	return v
}

// events counts the visit events stored, leaving out the audit records.
func (h *harness) events() int {
	h.t.Helper()
	var n int
	if err := h.s.Pool.QueryRow(h.t.Context(), "SELECT count(*) FROM "+h.s.Schema+".events WHERE stream_id NOT LIKE 'access-%'").Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func etag(v int) string { return `"` + strconv.Itoa(v) + `"` }

const phoneRequest = `{"nhsNumber":"999 000 0018","reason":"Fall at home, cannot stand","source":"phone","caller":"relative"}`

func TestEveryCommandThroughHTTP(t *testing.T) {
	h := start(t)
	alice, bob := h.patients[aliceNHS], h.patients[bobNHS]

	// Request: by NHS number, resolved at the registry; a retry with the
	// same key answers the same and records nothing new.
	first := h.do(coordinator, "POST", "/v1/visits", phoneRequest, map[string]string{"Idempotency-Key": "call-1", "X-Correlation-Id": "call-1-corr"})
	var v1 visit
	first.JSON(t, &v1)
	if first.Status != 201 || v1.Patient != alice || v1.Practice != "L84001" || v1.PCN != "U84001" || v1.Version != 1 {
		t.Fatalf("request = %d %s", first.Status, first.Body)
	}
	again := h.do(coordinator, "POST", "/v1/visits", phoneRequest, map[string]string{"Idempotency-Key": "call-1"})
	if again.Status != 201 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retried request = %d %s", again.Status, again.Body)
	}
	if n := h.events(); n != 1 {
		t.Fatalf("a retried request stored %d events, want 1", n)
	}
	if reused := h.do(coordinator, "POST", "/v1/visits", strings.Replace(phoneRequest, "Fall", "Fell", 1), map[string]string{"Idempotency-Key": "call-1"}); reused.Status != 422 {
		t.Fatalf("key reused for another body = %d %s", reused.Status, reused.Body)
	}
	id := v1.Visit

	// Triage by the duty GP (acting as themselves): the band's default window.
	tri := h.step(dutyGP, id, "triage", 1, `{"urgency":"urgent","notes":"Possible hip fracture"}`, "triaged", 2)
	if tri.Urgency != "urgent" || tri.Window.VisitBy.Sub(tri.Window.NotBefore) > 2*time.Hour || tri.Window.VisitBy.Location() != time.UTC ||
		!strings.Contains(tri.WindowLondon, " to ") || !(strings.Contains(tri.WindowLondon, "GMT") || strings.Contains(tri.WindowLondon, "BST")) {
		t.Fatalf("triaged %+v", tri)
	}
	// A stale If-Match changes nothing.
	if stale := h.do(coordinator, "POST", "/v1/visits/"+id+"/assign", `{"clinicianId":"para-jess-patel"}`, map[string]string{"If-Match": `"1"`}); stale.Status != 412 || stale.Problem(t).Status != 412 {
		t.Fatalf("stale assign = %d %s", stale.Status, stale.Body)
	}
	if n := h.events(); n != 2 {
		t.Fatalf("a stale change stored events: %d, want 2", n)
	}
	a := h.step(coordinator, id, "assign", 2, `{"clinicianId":"para-jess-patel"}`, "assigned", 3)
	if a.ClinicianID != "para-jess-patel" || a.Role != "paramedic" {
		t.Fatalf("assigned %+v", a)
	}
	// Only the assigned clinician acts as themselves.
	if other := h.do(owen, "POST", "/v1/visits/"+id+"/accept", `{}`, map[string]string{"If-Match": `"3"`}); other.Status != 403 {
		t.Fatalf("accept by another clinician = %d %s", other.Status, other.Body)
	}
	if other := h.do(owen, "POST", "/v1/visits/"+id+"/accept", `{"clinicianId":"para-jess-patel"}`, map[string]string{"If-Match": `"3"`}); other.Status != 400 || other.Problem(t).Errors[0].Field != "clinicianId" {
		t.Fatalf("a clinician accepting for another = %d %s", other.Status, other.Body)
	}
	h.step(jess, id, "accept", 3, `{}`, "accepted", 4)
	h.step(jess, id, "decline", 4, `{"reason":"Called to a cardiac arrest"}`, "declined", 5)
	h.step(coordinator, id, "reassign", 5, `{"clinicianId":"para-owen-jones","reason":"Jess is on another call"}`, "assigned", 6)
	h.step(owen, id, "accept", 6, `{}`, "accepted", 7)
	// A coordinator records the clinician's act on their behalf.
	h.step(coordinator, id, "en-route", 7, `{"clinicianId":"para-owen-jones"}`, "en-route", 8)
	h.step(owen, id, "on-site", 8, `{}`, "on-site", 9)
	done := h.step(owen, id, "complete", 9, `{"outcome":"managed-at-home","notes":"No fracture; analgesia given"}`, "completed", 10)
	if done.Outcome != "managed-at-home" {
		t.Fatalf("completed %+v", done)
	}
	// A closed visit refuses: 409 naming the state.
	refused := h.do(coordinator, "POST", "/v1/visits/"+id+"/cancel", `{"reason":"patient-cancelled"}`, map[string]string{"If-Match": `"10"`})
	if refused.Status != 409 || !strings.Contains(refused.Problem(t).Detail, "completed") {
		t.Fatalf("cancel a completed visit = %d %s", refused.Status, refused.Body)
	}
	got := h.do(coordinator, "GET", "/v1/visits/"+id, nil, nil)
	var read visit
	got.JSON(t, &read)
	if got.Status != 200 || read.Version != 10 || read.Status != "completed" || got.Header.Get("ETag") != `"10"` || read.WindowLondon != tri.WindowLondon {
		t.Fatalf("GET = %d %s", got.Status, got.Body)
	}

	// A care home's request, by reference; a district nurse sets off (which
	// accepts it) and cannot get in.
	v2 := h.request(`{"patient":"`+bob+`","careHome":"home-willow-court","reason":"Resident confused since this morning","source":"care-home","caller":"care-home-staff"}`, "call-2")
	if v2.CareHome != "home-willow-court" || v2.Patient != bob {
		t.Fatalf("care home request %+v", v2)
	}
	nb := time.Now().Add(time.Hour).UTC().Truncate(time.Minute)
	window := `{"urgency":"routine","notBefore":"` + nb.Format(time.RFC3339) + `","visitBy":"` + nb.Add(24*time.Hour).In(time.FixedZone("BST", 3600)).Format(time.RFC3339) + `"}`
	w2 := h.step(dutyGP, v2.Visit, "triage", 1, window, "triaged", 2)
	if !w2.Window.NotBefore.Equal(nb) || !w2.Window.VisitBy.Equal(nb.Add(24*time.Hour)) {
		t.Fatalf("window %+v", w2.Window)
	}
	h.step(coordinator, v2.Visit, "assign", 2, `{"clinicianId":"dn-maria-silva"}`, "assigned", 3)
	h.step(maria, v2.Visit, "en-route", 3, `{}`, "en-route", 5) // acceptance and travel
	h.step(maria, v2.Visit, "no-access", 5, `{"reason":"No answer at the door; home staff out with residents"}`, "no-access", 6)

	// Triaged without a visit; escalated before triage; cancelled as a
	// duplicate of the first.
	v3 := h.request(phoneRequest, "call-3")
	h.step(coordinator, v3.Visit, "triage", 1, `{"triagedBy":"gp-tom-hughes","outcome":"advice","notes":"Advice by phone"}`, "triaged-no-visit", 2)
	v4 := h.request(phoneRequest, "call-4")
	h.step(coordinator, v4.Visit, "escalate", 1, `{"to":"999","reason":"Chest pain reported on a second call"}`, "escalated", 2)
	v5 := h.request(phoneRequest, "call-5")
	if bad := h.do(coordinator, "POST", "/v1/visits/"+v5.Visit+"/cancel", `{"reason":"duplicate","duplicateOf":"`+v2.Visit+`"}`, map[string]string{"If-Match": `"1"`}); bad.Status != 400 || bad.Problem(t).Errors[0].Field != "duplicateOf" {
		t.Fatalf("duplicate of another patient's visit = %d %s", bad.Status, bad.Body)
	}
	h.step(coordinator, v5.Visit, "cancel", 1, `{"reason":"duplicate","duplicateOf":"`+id+`"}`, "cancelled", 2)

	// Every event reached JetStream with its actor and correlation, on a
	// subject with no patient data.
	const total = 10 + 6 + 2 + 2 + 2
	if n := h.events(); n != total {
		t.Fatalf("%d events stored, want %d", n, total)
	}
	published := careEvents(t, h.s, total)
	types := map[string]bool{}
	for _, e := range published {
		types[e.Envelope.Type] = true
		if !strings.HasPrefix(e.Subject, "care.homevisits.U84001.p") {
			t.Errorf("subject %s", e.Subject)
		}
		for _, secret := range []string{aliceNHS, bobNHS, alice, bob, "Test", "Patient"} {
			if strings.Contains(e.Subject, secret) {
				t.Errorf("subject %s carries patient data", e.Subject)
			}
		}
		raw, _ := json.Marshal(e.Envelope)
		if strings.Contains(string(raw), aliceNHS) || strings.Contains(string(raw), bobNHS) {
			t.Errorf("%s carries an NHS number", e.Envelope.Type)
		}
		if e.Envelope.ActorID == "" || e.Envelope.ActorRole == "" || e.Envelope.CorrelationID == "" || e.Envelope.CausationID == "" {
			t.Errorf("%s lacks actor or correlation: %+v", e.Envelope.Type, e.Envelope)
		}
		if e.Envelope.Subject != alice && e.Envelope.Subject != bob {
			t.Errorf("%s is about %q, not a registered patient", e.Envelope.Type, e.Envelope.Subject)
		}
	}
	if len(types) != 13 {
		t.Errorf("published %d event types, want all 13: %v", len(types), types)
	}
	byStream := func(id string) []servicetest.Published {
		var out []servicetest.Published
		for _, e := range published {
			if e.Envelope.StreamID == "visit-"+id {
				out = append(out, e)
			}
		}
		return out
	}
	first1 := byStream(id)
	if len(first1) != 10 || first1[0].Envelope.CorrelationID != "call-1-corr" || first1[0].Envelope.ActorID != coordinator.Subject {
		t.Fatalf("first visit's request event: %+v", first1[0].Envelope)
	}
	// The en route entered by the coordinator says so; the clinician's own
	// acts carry the clinician.
	if e := first1[7].Envelope; e.Type != "careweave.homevisits.travel_started.v1" || e.ActorID != coordinator.Subject || e.ActorRole != "care-coordinator" {
		t.Fatalf("en route on behalf: %+v", e)
	}
	if e := first1[8].Envelope; e.ActorID != owen.Subject || e.ActorRole != "paramedic" {
		t.Fatalf("on site: %+v", e)
	}

	// Every change left one record per event on the patient's trail, the
	// GET one read, Owen's refused accept one denial; the replayed request,
	// the stale, invalid and out-of-state changes none.
	recs := checkTrail(t, h.s, alice, 1, 1)
	checkTrail(t, h.s, bob, 0, 0)
	for _, c := range []struct {
		actor  string
		action access.Action
		basis  access.Basis
	}{
		{coordinator.Subject, access.Change("careweave.homevisits.visit_escalated.v1"), policy.BasisPCNPatient},
		{dutyGP.Subject, access.Change("careweave.homevisits.visit_triaged.v1"), policy.BasisPCNPatient},
		{owen.Subject, access.Change("careweave.homevisits.clinician_arrived.v1"), policy.BasisAssignedVisit},
		{jess.Subject, access.Change("careweave.homevisits.assignment_declined.v1"), policy.BasisAssignedVisit},
		{owen.Subject, access.Change("careweave.homevisits.visit_completed.v1"), policy.BasisAssignedVisit},
		{coordinator.Subject, access.ReadRecord, policy.BasisPCNPatient},
	} {
		got := recordsOf(recs, c.actor, c.action)
		if len(got) != 1 || got[0].Basis != c.basis || got[0].Outcome != access.Allowed {
			t.Errorf("%s %s: %+v, want one allowed on %s", c.actor, c.action, got, c.basis)
		}
	}
	// The published records are the service's own audit subjects.
	var audited int
	for _, e := range h.s.WaitEvents(0) {
		if strings.HasPrefix(e.Subject, "care.access.homevisits.") {
			audited++
		}
	}
	if want := len(recs) + len(h.s.Trail(bob)); audited > want {
		t.Errorf("%d audit records published, more than the %d stored", audited, want)
	}
}

// careEvents returns the visit events JetStream holds once it holds at
// least n of them, leaving out the audit records.
func careEvents(t *testing.T, s *servicetest.Stack, n int) []servicetest.Published {
	t.Helper()
	var got []servicetest.Published
	testkit.Eventually(t, 15*time.Second, func() bool {
		got = nil
		for _, e := range s.WaitEvents(0) {
			if !strings.HasPrefix(e.Subject, "care.access.") {
				got = append(got, e)
			}
		}
		return len(got) >= n
	}, "fewer than %d events published", n)
	return got
}

func TestBadInputGetsAProblemAndChangesNothing(t *testing.T) {
	h := start(t)
	key := map[string]string{"Idempotency-Key": "k"}
	with := func(old, new string) string { return strings.Replace(phoneRequest, old, new, 1) }
	creates := []struct {
		name, body string
		headers    map[string]string
		status     int
		field      string
	}{
		{"malformed", `{"nhsNumber":`, key, 400, "body"},
		{"not an object", `[1,2]`, key, 400, "body"},
		{"oversized", `{"reason":"` + strings.Repeat("x", 70000) + `"}`, key, 413, ""},
		{"unknown field", with(`"reason"`, `"colour":"red","reason"`), key, 400, "colour"},
		{"wrong type", with(`"source":"phone"`, `"source":7`), key, 400, "source"},
		{"unknown source", with(`"phone"`, `"carrier-pigeon"`), key, 400, "source"},
		{"unknown caller", with(`"relative"`, `"neighbour"`), key, 400, "caller"},
		{"bad check digit", with("999 000 0018", badCheckDigit), key, 400, "nhsNumber"},
		{"not an NHS number", with("999 000 0018", "12345"), key, 400, "nhsNumber"},
		{"real number refused", with("999 000 0018", realNumber), key, 400, "nhsNumber"},
		{"unregistered patient", with("999 000 0018", unregistered), key, 400, "nhsNumber"},
		{"unknown patient reference", with(`"nhsNumber":"999 000 0018"`, `"patient":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10"`), key, 400, "patient"},
		{"junk patient reference", with(`"nhsNumber":"999 000 0018"`, `"patient":"../../etc"`), key, 400, "patient"},
		{"no patient", with(`"nhsNumber":"999 000 0018",`, ``), key, 400, "patient"},
		{"both patient and number", with(`"reason"`, `"patient":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10","reason"`), key, 400, "patient"},
		{"unknown practice", with(`"reason"`, `"practice":"Z99999","reason"`), key, 400, "practice"},
		{"not their practice", with(`"reason"`, `"practice":"L84002","reason"`), key, 400, "practice"},
		{"unknown care home", with(`"reason"`, `"careHome":"home-nowhere","reason"`), key, 400, "careHome"},
		{"care home of another PCN", with(`"reason"`, `"careHome":"home-oakfield","reason"`), key, 400, "careHome"},
		{"care home without a home", with(`"phone"`, `"care-home"`), key, 400, "careHome"},
		{"empty reason", with("Fall at home, cannot stand", " "), key, 400, "reason"},
		{"no key", phoneRequest, nil, 400, "Idempotency-Key"},
		{"no actor", phoneRequest, map[string]string{"Idempotency-Key": "k", "Authorization": ""}, 401, "Authorization"},
		{"not JSON", phoneRequest, map[string]string{"Idempotency-Key": "k", "Content-Type": "text/plain"}, 415, "Content-Type"},
	}
	for _, c := range creates {
		t.Run(c.name, func(t *testing.T) {
			got := h.do(coordinator, "POST", "/v1/visits", c.body, c.headers)
			p := got.Problem(t)
			if got.Status != c.status || (c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field)) {
				t.Fatalf("= %d %s; want %d on %q", got.Status, got.Body, c.status, c.field)
			}
		})
	}
	if n := h.events(); n != 0 {
		t.Fatalf("refused requests stored %d events", n)
	}

	v := h.request(phoneRequest, "ok")
	path := "/v1/visits/" + v.Visit
	nb := time.Date(2030, 10, 26, 23, 30, 0, 0, time.UTC)
	ifMatch := map[string]string{"If-Match": `"1"`}
	changes := []struct {
		name    string
		actor   auth.Principal
		path    string
		body    string
		headers map[string]string
		status  int
		field   string
	}{
		{"dates in the wrong order", dutyGP, path + "/triage", `{"urgency":"urgent","notBefore":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `","visitBy":"` + time.Now().Add(30*time.Minute).UTC().Format(time.RFC3339) + `"}`, ifMatch, 400, "visitBy"},
		{"window beyond the band", dutyGP, path + "/triage", `{"urgency":"urgent","visitBy":"` + time.Now().Add(5*time.Hour).UTC().Format(time.RFC3339) + `"}`, ifMatch, 400, "visitBy"},
		{"window in the past", dutyGP, path + "/triage", `{"urgency":"routine","notBefore":"` + nb.AddDate(-10, 0, 0).Format(time.RFC3339) + `","visitBy":"` + nb.AddDate(-10, 0, 1).Format(time.RFC3339) + `"}`, ifMatch, 400, "visitBy"},
		{"time without offset", dutyGP, path + "/triage", `{"urgency":"urgent","notBefore":"2030-10-26 23:30"}`, ifMatch, 400, "notBefore"},
		{"unknown urgency", dutyGP, path + "/triage", `{"urgency":"whenever"}`, ifMatch, 400, "urgency"},
		{"no urgency or outcome", dutyGP, path + "/triage", `{}`, ifMatch, 400, "urgency"},
		{"outcome and urgency", dutyGP, path + "/triage", `{"urgency":"urgent","outcome":"advice"}`, ifMatch, 400, "outcome"},
		{"unknown triage outcome", dutyGP, path + "/triage", `{"outcome":"wait-and-see"}`, ifMatch, 400, "outcome"},
		{"triage by an unknown clinician", coordinator, path + "/triage", `{"triagedBy":"gp-nobody","urgency":"urgent"}`, ifMatch, 400, "triagedBy"},
		{"triage by a pharmacist", coordinator, path + "/triage", `{"triagedBy":"pharm-ravi-shah","urgency":"urgent"}`, ifMatch, 400, "triagedBy"},
		{"assign an unknown clinician", coordinator, path + "/assign", `{"clinicianId":"para-nobody"}`, ifMatch, 400, "clinicianId"},
		{"unknown outcome", owen, path + "/complete", `{"outcome":"cured"}`, ifMatch, 400, "outcome"},
		{"unknown escalation", coordinator, path + "/escalate", `{"to":"police","reason":"x"}`, ifMatch, 400, "to"},
		{"unknown cancel reason", coordinator, path + "/cancel", `{"reason":"bored"}`, ifMatch, 400, "reason"},
		{"duplicate of nothing", coordinator, path + "/cancel", `{"reason":"duplicate","duplicateOf":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10"}`, ifMatch, 400, "duplicateOf"},
		{"duplicate of itself", coordinator, path + "/cancel", `{"reason":"duplicate","duplicateOf":"` + v.Visit + `"}`, ifMatch, 400, "duplicateOf"},
		{"on behalf of no one", coordinator, path + "/accept", `{}`, ifMatch, 400, "clinicianId"},
		{"unknown field", coordinator, path + "/escalate", `{"to":"999","reason":"x","urgent":true}`, ifMatch, 400, "urgent"},
		{"not allowed in this state", coordinator, path + "/accept", `{"clinicianId":"para-jess-patel"}`, ifMatch, 409, ""},
		{"escalate to the GP before triage", coordinator, path + "/escalate", `{"to":"gp","reason":"x"}`, ifMatch, 400, "to"},
		{"no If-Match", coordinator, path + "/escalate", `{"to":"999","reason":"x"}`, nil, 428, "If-Match"},
		{"bad If-Match", coordinator, path + "/escalate", `{"to":"999","reason":"x"}`, map[string]string{"If-Match": "one"}, 400, "If-Match"},
		{"stale If-Match", coordinator, path + "/escalate", `{"to":"999","reason":"x"}`, map[string]string{"If-Match": `"2"`}, 412, ""},
		{"no such visit", coordinator, "/v1/visits/0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10/escalate", `{"to":"999","reason":"x"}`, ifMatch, 404, ""},
		{"not a visit id", coordinator, "/v1/visits/nope/escalate", `{"to":"999","reason":"x"}`, ifMatch, 404, ""},
		{"malformed", coordinator, path + "/escalate", `{"to":`, ifMatch, 400, "body"},
		{"oversized", coordinator, path + "/escalate", `{"reason":"` + strings.Repeat("x", 70000) + `"}`, ifMatch, 413, ""},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			got := h.do(c.actor, "POST", c.path, c.body, c.headers)
			p := got.Problem(t)
			if got.Status != c.status || (c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field)) {
				t.Fatalf("= %d %s; want %d on %q", got.Status, got.Body, c.status, c.field)
			}
			if c.status == 409 && !strings.Contains(p.Detail, "requested") {
				t.Fatalf("409 does not name the state: %s", p.Detail)
			}
		})
	}
	for _, p := range []string{"/v1/visits/0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", "/v1/visits/nope"} {
		if got := h.do(coordinator, "GET", p, nil, nil); got.Status != 404 {
			t.Fatalf("GET %s = %d", p, got.Status)
		}
	}
	if n := h.events(); n != 1 {
		t.Fatalf("refused changes stored events: %d, want 1", n)
	}
}

func TestRunRefusesBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := map[string]string{"PATIENTS_URL": "http://127.0.0.1:1", "DATABASE_URL": "postgres://x", "NATS_URL": "nats://x"}
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"no registry":     {map[string]string{"PATIENTS_URL": ""}, "PATIENTS_URL"},
		"bad registry":    {map[string]string{"PATIENTS_URL": "ftp://x"}, "patient registry url"},
		"missing rules":   {map[string]string{"RULES_FILE": filepath.Join(dir, "none.json")}, "read rules"},
		"unknown field":   {map[string]string{"RULES_FILE": write("a.json", `{"bands":[],"colour":1}`)}, "colour"},
		"bad duration":    {map[string]string{"RULES_FILE": write("b.json", `{"bands":[{"name":"urgent","maxWait":"soon"}]}`)}, "maxWait"},
		"invalid rules":   {map[string]string{"RULES_FILE": write("c.json", `{"visitRoles":["pharmacist"]}`)}, "visit roles"},
		"no bands":        {map[string]string{"RULES_FILE": write("d.json", `{"bands":[]}`)}, "band"},
		"bad directory":   {map[string]string{"DIRECTORY_FILE": write("e.json", `{}`)}, "directory"},
		"no database url": {map[string]string{"DATABASE_URL": ""}, "database url"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range c.env {
				env[k] = v
			}
			err := run(t.Context(), nil, func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("run = %v, want an error about %q", err, c.want)
			}
		})
	}
	rules, err := loadRules(write("ok.json", `{"bands":[{"name":"urgent","maxWait":"90m"},{"name":"routine","maxWait":"72h"}],"triageRoles":["gp","advanced-clinical-practitioner"]}`))
	if err != nil || len(rules.Bands) != 2 || rules.Bands[0].MaxWait != 90*time.Minute || !slices.Equal(rules.VisitRoles, domain.DefaultRules().VisitRoles) {
		t.Fatalf("loadRules = %+v, %v", rules, err)
	}
}

func TestAnUnacceptedAssignmentTimesOutEvenAcrossARestart(t *testing.T) {
	h := start(t) // for the registry and its patients
	infra := servicetest.NewInfra(t)
	rules := domain.DefaultRules()
	rules.AcceptWithin = time.Second
	reg, err := patientref.New(h.registry.URL, servicetest.ServiceClient(t))
	if err != nil {
		t.Fatal(err)
	}
	first := servicetest.StartIn(t, infra, "homevisits", homevisits.Options(directory.Demo(), reg, rules)).As(coordinator)
	got := first.Do("POST", "/v1/visits", `{"patient":"`+h.patients[aliceNHS]+`","reason":"Fall at home","source":"phone","caller":"relative"}`,
		map[string]string{"Idempotency-Key": "timeout-1"})
	var v struct{ Visit, Status string }
	got.JSON(t, &v)
	for i, step := range []struct{ command, body string }{
		{"triage", `{"urgency":"urgent","triagedBy":"gp-amara-okafor"}`},
		{"assign", `{"clinicianId":"para-jess-patel"}`},
	} {
		if r := first.Do("POST", "/v1/visits/"+v.Visit+"/"+step.command, step.body, map[string]string{"If-Match": etag(i + 1)}); r.Status != 200 {
			t.Fatalf("%s = %d %s", step.command, r.Status, r.Body)
		}
	}
	// Down before the second is up, and still down when it is.
	first.Stop()
	time.Sleep(1500 * time.Millisecond)

	second := servicetest.StartIn(t, infra, "homevisits", homevisits.Options(directory.Demo(), reg, rules)).As(coordinator)
	testkit.Eventually(t, 30*time.Second, func() bool {
		second.Do("GET", "/v1/visits/"+v.Visit, nil, nil).JSON(t, &v)
		return v.Status == "timed-out"
	}, "the visit is %s, want timed-out after the restart", v.Status)
	var timedOut int
	for _, p := range careEvents(t, second, 4) {
		if p.Envelope.Type == "careweave.homevisits.assignment_timed_out.v1" {
			timedOut++
			if p.Envelope.ActorRole != "system" {
				t.Errorf("the timeout is recorded as %s, want the system", p.Envelope.ActorRole)
			}
		}
	}
	if timedOut != 1 {
		t.Fatalf("%d timeouts published, want 1", timedOut)
	}
	// The timeout is on the patient's trail, as the system's change on the
	// basis of its timer.
	rec := recordsOf(second.Trail(h.patients[aliceNHS]), "careweave-homevisits", access.Change("careweave.homevisits.assignment_timed_out.v1"))
	if len(rec) != 1 || rec[0].Role != "system" || rec[0].Basis != access.Relationship("system-timer") || rec[0].Outcome != access.Allowed ||
		rec[0].Resource != "/v1/visits/"+v.Visit {
		t.Fatalf("the timeout's audit records: %+v, want one by the system on relationship:system-timer", rec)
	}
	// Too late to accept; the coordinator reassigns, which starts a new wait.
	if r := second.As(jess).Do("POST", "/v1/visits/"+v.Visit+"/accept", `{}`, map[string]string{"If-Match": etag(4)}); r.Status != http.StatusConflict {
		t.Fatalf("accepting after the timeout = %d %s", r.Status, r.Body)
	}
	if r := second.Do("POST", "/v1/visits/"+v.Visit+"/reassign", `{"clinicianId":"para-owen-jones"}`, map[string]string{"If-Match": etag(4)}); r.Status != 200 {
		t.Fatalf("reassign = %d %s", r.Status, r.Body)
	}
	var timers int
	if err := second.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+second.Schema+".assignment_timers").Scan(&timers); err != nil || timers != 1 {
		t.Fatalf("%d timers after the reassignment (%v), want the new wait's", timers, err)
	}
}
