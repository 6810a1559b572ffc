package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/services/carehomes"
	"github.com/careweave/careweave/services/patients"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// Synthetic NHS numbers (999 range, valid check digits).
const (
	aliceNHS = "9990000018"
	bobNHS   = "9990000026"
	carolNHS = "9990000034"
)

type stacks struct {
	registry, s *servicetest.Stack
	refs        map[string]string // NHS number → patient reference
}

// start runs a real patient registry with three synthetic patients, and the
// carehomes service resolving patients through it.
func start(t *testing.T) *stacks {
	t.Helper()
	reg := servicetest.Start(t, "patients", patients.Options(directory.Demo(), false))
	refs := map[string]string{}
	for i, n := range []string{aliceNHS, bobNHS, carolNHS} {
		if _, err := nhsno.Parse(n); err != nil {
			t.Fatalf("test number %s: %v", n, err)
		}
		body := fmt.Sprintf(`{"nhsNumber":%q,"traceStatus":"01","givenName":"Test","familyName":"Resident%d","birthDate":"1935-05-0%d","practice":"L84001"}`, n, i, i+1)
		got := reg.Do("POST", "/v1/patients", body, map[string]string{"Idempotency-Key": "reg-" + n})
		var p struct{ Patient string }
		got.JSON(t, &p)
		if got.Status != 201 || p.Patient == "" {
			t.Fatalf("register %d = %d %s", i, got.Status, got.Body)
		}
		refs[n] = p.Patient
	}
	client, err := patientref.New(reg.URL, servicetest.ServiceClient(t))
	if err != nil {
		t.Fatal(err)
	}
	s := servicetest.Start(t, "carehomes", carehomes.Options(directory.Demo(), client, carehomes.DefaultRules()))
	return &stacks{registry: reg, s: s, refs: refs}
}

// careEvents returns the service's own events JetStream holds once it
// holds at least n of them, leaving out the access records.
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

type round struct {
	ID, Status, CareHomeID, Area, Week, ClinicalLead, ClinicalLeadRole, TimeZone string
	Version                                                                      int
	Nominations                                                                  []struct {
		Patient, Outcome, NotReviewedReason string
		Withdrawn                           bool
	}
	Actions []struct {
		ID                string
		Completed, OnTime bool
	}
	AwaitingOutcome []string
	Local           map[string]string
}

type residency struct {
	ID, Patient, CareHomeID, Area, Status, DueOn, AssessorRole, CarePlanAgreedWith, Destination string
	Stay, Version, WorkingDays                                                                  int
	Readmission, PrioritisedForSmr, AssessmentOnTime                                            bool
	Local                                                                                       map[string]string
}

func ifMatch(v int) map[string]string { return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)} }

func key(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }

// must sends a request that must succeed with status and decodes the answer.
func must(t *testing.T, s *servicetest.Stack, status int, method, path string, body any, headers map[string]string, out any) servicetest.Response {
	t.Helper()
	got := s.Do(method, path, body, headers)
	if got.Status != status {
		t.Fatalf("%s %s = %d %s; want %d", method, path, got.Status, got.Body, status)
	}
	if out != nil {
		got.JSON(t, out)
	}
	return got
}

// refused checks a problem+json answer with status, naming field (if any)
// and mentioning text (if any).
func refused(t *testing.T, got servicetest.Response, status int, field, text string) {
	t.Helper()
	p := got.Problem(t)
	if got.Status != status {
		t.Fatalf("= %d %s; want %d", got.Status, got.Body, status)
	}
	if field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != field) {
		t.Fatalf("= %s; want the field %q named", got.Body, field)
	}
	if text != "" && !strings.Contains(p.Detail, text) {
		t.Fatalf("= %s; want the detail to mention %q", got.Body, text)
	}
}

func eventCount(t *testing.T, s *servicetest.Stack) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+s.Schema+".events WHERE stream_id NOT LIKE 'access-%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRoundsAndResidenciesEndToEnd(t *testing.T) {
	st := start(t)
	s := st.s
	alice, bob := st.refs[aliceNHS], st.refs[bobNHS]
	now := time.Now().UTC()
	london, _ := time.LoadLocation("Europe/London")

	// Admissions: by NHS number and by reference. A retry with the same key
	// answers the same and records nothing new.
	admitAlice := `{"nhsNumber":"999 000 0018","careHomeId":"home-willow-court"}`
	var ra residency
	first := must(t, s, 201, "POST", "/v1/residencies", admitAlice, key("admit-alice"), &ra)
	if ra.ID != "home-willow-court-"+alice || ra.Patient != alice || ra.Status != "admitted" || ra.Area != "U84001" ||
		ra.WorkingDays != 7 || ra.DueOn == "" || !ra.PrioritisedForSmr || ra.Local["admittedAt"] == "" ||
		first.Header.Get("Location") != "/v1/residencies/"+ra.ID || first.Header.Get("ETag") != `"1"` {
		t.Fatalf("admitted %+v %v", ra, first.Header)
	}
	before := eventCount(t, s)
	again := must(t, s, 201, "POST", "/v1/residencies", admitAlice, key("admit-alice"), nil)
	if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" || eventCount(t, s) != before {
		t.Fatalf("retried admission = %s %v; %d events, want %d", again.Body, again.Header, eventCount(t, s), before)
	}
	// Admitting a resident who lives there under a new key is a conflict.
	refused(t, s.Do("POST", "/v1/residencies", admitAlice, key("admit-alice-2")), 409, "", "")
	var rb residency
	must(t, s, 201, "POST", "/v1/residencies", map[string]any{"patient": bob, "careHomeId": "home-willow-court"}, key("admit-bob"), &rb)

	// The home's residents, from the table written with the events.
	var list struct {
		CareHomeID string
		Residents  []struct{ Patient, Residency, Status string }
	}
	must(t, s, 200, "GET", "/v1/care-homes/home-willow-court/residents", nil, nil, &list)
	if len(list.Residents) != 2 {
		t.Fatalf("residents %+v", list)
	}

	// A round: scheduled, with its week and lead from the directory.
	var r round
	must(t, s, 201, "POST", "/v1/rounds", map[string]any{"careHomeId": "home-willow-court", "plannedStart": now.Format(time.RFC3339)}, key("round-1"), &r)
	if r.Status != "scheduled" || r.ClinicalLead != "gp-amara-okafor" || r.ClinicalLeadRole != "gp" || r.Week == "" || r.TimeZone != "Europe/London" || r.Local["plannedStart"] == "" {
		t.Fatalf("scheduled %+v", r)
	}
	path := "/v1/rounds/" + r.ID
	corr := map[string]string{"If-Match": `"1"`, "X-Correlation-Id": "corr-nominate-alice"}
	must(t, s, 200, "POST", path+"/nominations", `{"nhsNumber":"9990000018","nominatedBy":"home","reason":"falls","priority":"high"}`, corr, &r)
	// Carol is registered but does not live in the home.
	refused(t, s.Do("POST", path+"/nominations", map[string]any{"patient": st.refs[carolNHS], "nominatedBy": "mdt", "reason": "x", "priority": "routine"}, ifMatch(2)), 400, "patient", "")
	must(t, s, 200, "POST", path+"/nominations", map[string]any{"patient": bob, "nominatedBy": "mdt", "reason": "weight loss", "priority": "routine"}, ifMatch(2), &r)
	// A stale version changes nothing.
	before = eventCount(t, s)
	refused(t, s.Do("POST", path+"/nominations/"+bob+"/withdrawal", `{"reason":"seen by GP"}`, ifMatch(2)), 412, "", "")
	if eventCount(t, s) != before {
		t.Fatal("a stale change stored events")
	}
	must(t, s, 200, "POST", path+"/nominations/"+bob+"/withdrawal", `{"reason":"seen by GP"}`, ifMatch(3), &r)
	hold := map[string]any{
		"attendees": []map[string]string{{"clinicianId": "gp-amara-okafor"}, {"clinicianId": "pharm-ravi-shah"}},
		"startedAt": now.Add(-2 * time.Hour).Format(time.RFC3339), "endedAt": now.Add(-time.Hour).Format(time.RFC3339),
	}
	must(t, s, 200, "POST", path+"/hold", hold, ifMatch(4), &r)
	if r.Status != "held" || r.Version != 5 || len(r.AwaitingOutcome) != 1 || r.Local["startedAt"] == "" {
		t.Fatalf("held %+v", r)
	}
	// A held round takes no nominations: 409 naming the state.
	refused(t, s.Do("POST", path+"/nominations", map[string]any{"patient": bob, "nominatedBy": "mdt", "reason": "again", "priority": "routine"}, ifMatch(5)), 409, "", "held")
	refused(t, s.Do("POST", path+"/close", nil, ifMatch(5)), 409, "", "held")
	must(t, s, 200, "POST", path+"/nominations/"+alice+"/review", `{"reviewedBy":"gp-amara-okafor","outcome":"medication changed","followUp":"bloods in 2 weeks"}`, ifMatch(5), &r)
	due := now.In(london).AddDate(0, 0, 7).Format(time.DateOnly)
	must(t, s, 200, "POST", path+"/actions", map[string]any{"actionId": "a1", "patient": alice, "description": "bloods", "ownerTeamId": "team-severn-ict", "dueOn": due}, ifMatch(6), &r)
	refused(t, s.Do("POST", path+"/actions", map[string]any{"patient": alice, "description": "x", "ownerTeamId": "team-forest-ict", "dueOn": due}, ifMatch(7)), 400, "ownerTeamId", "")
	must(t, s, 200, "POST", path+"/actions/a1/completion", `{"note":"done"}`, ifMatch(7), &r)
	must(t, s, 200, "POST", path+"/close", nil, ifMatch(8), &r)
	must(t, s, 200, "GET", path, nil, nil, &r)
	if r.Status != "closed" || r.Version != 9 || len(r.Actions) != 1 || !r.Actions[0].Completed || !r.Actions[0].OnTime ||
		r.Nominations[0].Outcome != "reviewed" || !r.Nominations[1].Withdrawn {
		t.Fatalf("closed round %+v", r)
	}

	// The residency clock: assessment, care plan; a discharge and a
	// readmission; a death is final.
	rpath := "/v1/residencies/" + ra.ID
	must(t, s, 200, "POST", rpath+"/assessment", `{"assessedBy":"pharm-ravi-shah"}`, ifMatch(1), &ra)
	if ra.Status != "assessed" || ra.AssessorRole != "clinical-pharmacist" || !ra.AssessmentOnTime {
		t.Fatalf("assessed %+v", ra)
	}
	refused(t, s.Do("POST", rpath+"/assessment", `{"assessedBy":"gp-tom-hughes"}`, ifMatch(2)), 409, "", "assessed")
	must(t, s, 200, "POST", rpath+"/care-plan", `{"agreedBy":"gp-amara-okafor","agreedWith":"family"}`, ifMatch(2), &ra)
	bpath := "/v1/residencies/" + rb.ID
	must(t, s, 200, "POST", bpath+"/discharge", `{"destination":"hospital"}`, ifMatch(1), &rb)
	must(t, s, 200, "GET", "/v1/care-homes/home-willow-court/residents", nil, nil, &list)
	if len(list.Residents) != 1 || list.Residents[0].Patient != alice || list.Residents[0].Status != "care-planned" {
		t.Fatalf("after bob's discharge: %+v", list)
	}
	must(t, s, 201, "POST", "/v1/residencies", map[string]any{"patient": bob, "careHomeId": "home-willow-court"}, key("readmit-bob"), &rb)
	if rb.Stay != 2 || !rb.Readmission || rb.Status != "admitted" || rb.Version != 3 {
		t.Fatalf("readmitted %+v", rb)
	}
	must(t, s, 200, "POST", rpath+"/death", `{}`, ifMatch(3), &ra)
	refused(t, s.Do("POST", rpath+"/discharge", `{"destination":"hospital"}`, ifMatch(4)), 409, "", "died")

	// A second round: a resident not reviewed. A third: cancelled.
	var r2 round
	must(t, s, 201, "POST", "/v1/rounds", map[string]any{"careHomeId": "home-willow-court", "plannedStart": now.Format(time.RFC3339), "clinicalLead": "acp-sam-reid"}, key("round-2"), &r2)
	p2 := "/v1/rounds/" + r2.ID
	must(t, s, 200, "POST", p2+"/nominations", map[string]any{"patient": bob, "nominatedBy": "home", "reason": "post-discharge review", "priority": "urgent"}, ifMatch(1), &r2)
	must(t, s, 200, "POST", p2+"/hold", hold, ifMatch(2), &r2)
	must(t, s, 200, "POST", p2+"/nominations/"+bob+"/not-reviewed", `{"reason":"asleep"}`, ifMatch(3), &r2)
	must(t, s, 200, "POST", p2+"/close", nil, ifMatch(4), &r2)
	var r3 round
	must(t, s, 201, "POST", "/v1/rounds", map[string]any{"careHomeId": "home-meadowbank", "plannedStart": now.Format(time.RFC3339)}, key("round-3"), &r3)
	must(t, s, 200, "POST", "/v1/rounds/"+r3.ID+"/cancel", `{"reason":"GP unwell"}`, ifMatch(1), &r3)
	if r3.Status != "cancelled" {
		t.Fatalf("cancelled %+v", r3)
	}
	refused(t, s.Do("POST", "/v1/rounds/"+r3.ID+"/hold", hold, ifMatch(2)), 409, "", "cancelled")

	// Everything reached JetStream: 4 + 3 residency events, 9 + 5 + 2 round
	// events, with actor and correlation, and no NHS number anywhere.
	const want = 23
	if n := eventCount(t, s); n != want {
		t.Fatalf("%d events stored, want %d", n, want)
	}
	published := careEvents(t, s, want)
	types := map[string]int{}
	for _, e := range published {
		raw, _ := json.Marshal(e.Envelope)
		for _, n := range []string{aliceNHS, bobNHS, carolNHS} {
			if strings.Contains(string(raw), n) || strings.Contains(e.Subject, n) {
				t.Fatalf("an NHS number left the service in %s on %s", e.Envelope.Type, e.Subject)
			}
		}
		if strings.Contains(e.Subject, alice) || strings.Contains(e.Subject, bob) {
			t.Fatalf("a patient reference in the NATS subject %s", e.Subject)
		}
		if !strings.HasPrefix(e.Subject, "care.carehomes.U84001.p") {
			t.Fatalf("subject %s", e.Subject)
		}
		if e.Envelope.ActorID != "tester" || e.Envelope.ActorRole != "care-coordinator" || e.Envelope.CorrelationID == "" || !strings.HasPrefix(e.Envelope.CausationID, "request:") {
			t.Fatalf("event lacks actor or correlation: %+v", e.Envelope)
		}
		isRound := strings.Contains(e.Envelope.StreamID, "round-")
		if isRound && e.Envelope.Subject != "" || !isRound && e.Envelope.Subject == "" {
			t.Fatalf("%s in %s has subject %q", e.Envelope.Type, e.Envelope.StreamID, e.Envelope.Subject)
		}
		if e.Envelope.Type == "careweave.carehomes.resident_nominated.v1" && strings.Contains(string(e.Envelope.Data), alice) && e.Envelope.CorrelationID != "corr-nominate-alice" {
			t.Fatalf("nomination correlation %q", e.Envelope.CorrelationID)
		}
		types[e.Envelope.Type]++
	}
	for _, ty := range []string{"round_scheduled", "resident_nominated", "nomination_withdrawn", "round_held", "resident_reviewed",
		"resident_not_reviewed", "action_raised", "action_completed", "round_closed", "round_cancelled",
		"resident_admitted", "holistic_assessment_completed", "care_plan_agreed", "resident_discharged_from_home", "resident_died"} {
		if types["careweave.carehomes."+ty+".v1"] == 0 {
			t.Errorf("no %s event published", ty)
		}
	}
}

func TestBadInputGetsAProblemAndChangesNothing(t *testing.T) {
	st := start(t)
	s := st.s
	now := time.Now().UTC()
	var r round
	must(t, s, 201, "POST", "/v1/rounds", map[string]any{"careHomeId": "home-willow-court", "plannedStart": now.Format(time.RFC3339)}, key("round"), &r)
	path := "/v1/rounds/" + r.ID
	before := eventCount(t, s)

	admit := `{"nhsNumber":"9990000018","careHomeId":"home-willow-court"}`
	nominate := `{"patient":"` + st.refs[aliceNHS] + `","nominatedBy":"home","reason":"falls","priority":"high"}`
	hold := func(start, end time.Time, who string) string {
		return fmt.Sprintf(`{"attendees":[{"clinicianId":%q}],"startedAt":%q,"endedAt":%q}`, who, start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	cases := []struct {
		name, method, path, body string
		headers                  map[string]string
		status                   int
		field                    string
	}{
		{"malformed", "POST", "/v1/residencies", `{"careHomeId":`, key("k"), 400, "body"},
		{"malformed change", "POST", path + "/nominations", `{"patient":`, ifMatch(1), 400, "body"},
		{"oversized", "POST", "/v1/residencies", `{"careHomeId":"` + strings.Repeat("x", 70000) + `"}`, key("k"), 413, ""},
		{"oversized round", "POST", "/v1/rounds", `{"careHomeId":"` + strings.Repeat("x", 70000) + `"}`, key("k"), 413, ""},
		{"unknown field", "POST", "/v1/rounds", `{"careHomeId":"home-willow-court","plannedStart":"2026-11-23T10:00:00Z","colour":"red"}`, key("k"), 400, "colour"},
		{"unknown enum", "POST", path + "/nominations", strings.Replace(nominate, `"home"`, `"cat"`, 1), ifMatch(1), 400, "nominatedBy"},
		{"unknown priority", "POST", path + "/nominations", strings.Replace(nominate, `"high"`, `"whenever"`, 1), ifMatch(1), 400, "priority"},
		{"bad check digit", "POST", "/v1/residencies", strings.Replace(admit, "0018", "0019", 1), key("k"), 400, "nhsNumber"},
		{"real number refused", "POST", "/v1/residencies", strings.Replace(admit, "9990000018", "9434765919", 1), key("k"), 400, "nhsNumber"},
		{"unregistered number", "POST", "/v1/residencies", strings.Replace(admit, "9990000018", "9990000042", 1), key("k"), 400, "nhsNumber"},
		{"unknown patient ref", "POST", "/v1/residencies", `{"patient":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10","careHomeId":"home-willow-court"}`, key("k"), 400, "patient"},
		{"both patient and number", "POST", "/v1/residencies", `{"patient":"x","nhsNumber":"9990000018","careHomeId":"home-willow-court"}`, key("k"), 400, "patient"},
		{"unknown care home", "POST", "/v1/residencies", strings.Replace(admit, "home-willow-court", "home-nowhere", 1), key("k"), 400, "careHomeId"},
		{"unknown care home round", "POST", "/v1/rounds", `{"careHomeId":"home-nowhere","plannedStart":"2026-11-23T10:00:00Z"}`, key("k"), 400, "careHomeId"},
		{"unknown lead", "POST", "/v1/rounds", `{"careHomeId":"home-willow-court","plannedStart":"2026-11-23T10:00:00Z","clinicalLead":"gp-nobody"}`, key("k"), 400, "clinicalLead"},
		{"week and start disagree", "POST", "/v1/rounds", `{"careHomeId":"home-willow-court","plannedStart":"2026-11-23T10:00:00Z","week":"2026-W50"}`, key("k"), 400, "plannedStart"},
		{"bad instant", "POST", "/v1/rounds", `{"careHomeId":"home-willow-court","plannedStart":"23/11/2026"}`, key("k"), 400, "plannedStart"},
		{"future admission", "POST", "/v1/residencies", strings.Replace(admit, `}`, `,"admittedAt":"2999-01-01T00:00:00Z"}`, 1), key("k"), 400, "admittedAt"},
		{"dates in the wrong order", "POST", path + "/hold", hold(now.Add(-time.Hour), now.Add(-2*time.Hour), "gp-amara-okafor"), ifMatch(1), 400, "endedAt"},
		{"unknown attendee", "POST", path + "/hold", hold(now.Add(-2*time.Hour), now.Add(-time.Hour), "gp-nobody"), ifMatch(1), 400, "attendees[0].clinicianId"},
		{"no key", "POST", "/v1/rounds", `{"careHomeId":"home-willow-court","plannedStart":"2026-11-23T10:00:00Z"}`, nil, 400, "Idempotency-Key"},
		{"no If-Match", "POST", path + "/cancel", `{"reason":"x"}`, nil, 428, "If-Match"},
		{"no actor", "POST", "/v1/residencies", admit, map[string]string{"Idempotency-Key": "k", "Authorization": ""}, 401, "Authorization"},
		{"not JSON", "POST", path + "/cancel", `{"reason":"x"}`, map[string]string{"If-Match": `"1"`, "Content-Type": "text/plain"}, 415, "Content-Type"},
		{"missing reason", "POST", path + "/cancel", `{}`, ifMatch(1), 400, "reason"},
		{"no such round", "GET", "/v1/rounds/nope", "", nil, 404, ""},
		{"no such residency", "GET", "/v1/residencies/nope", "", nil, 404, ""},
		{"no such care home", "GET", "/v1/care-homes/home-nowhere/residents", "", nil, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			refused(t, s.Do(c.method, c.path, body, c.headers), c.status, c.field, "")
		})
	}
	if n := eventCount(t, s); n != before {
		t.Fatalf("refused requests stored %d events", n-before)
	}
	var rows int
	if err := s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+s.Schema+".residents").Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("refused requests stored %d residents (%v)", rows, err)
	}
}

func TestRulesFile(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, fmt.Sprintf("rules-%d.json", len(s)))
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r, err := loadRules(write(`{"workingDays":5,"timeZone":"Europe/London"}`))
	if err != nil || r.WorkingDays != 5 || len(r.BankHolidays) == 0 {
		t.Fatalf("loadRules = %+v, %v", r, err)
	}
	for _, bad := range []string{`{"workingDays":0}`, `{"bankHolidays":["2026-11-28"]}`, `{"timeZone":"Mars/Olympus"}`, `{"colour":1}`, `{`} {
		if _, err := loadRules(write(bad)); err == nil {
			t.Errorf("loadRules(%s) accepted", bad)
		}
	}
	if err := run(t.Context(), nil, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "PATIENTS_URL") {
		t.Fatalf("run without PATIENTS_URL = %v", err)
	}
}
