package scenario_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/projections"
	"github.com/careweave/careweave/services/carehomes"
	"github.com/careweave/careweave/services/discharge"
	"github.com/careweave/careweave/services/homevisits"
	"github.com/careweave/careweave/services/medreviews"
	"github.com/careweave/careweave/services/notify"
	"github.com/careweave/careweave/services/patients"
	"github.com/nats-io/nats.go/jetstream"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// step runs one command and fails the test unless it answers want.
func step(t *testing.T, s *servicetest.Stack, method, path string, body any, headers map[string]string, want int) map[string]any {
	t.Helper()
	r := s.Do(method, path, body, headers)
	if r.Status != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	var out map[string]any
	r.JSON(t, &out)
	return out
}

func key(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }
func match(v int) map[string]string  { return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)} }
func at(d time.Duration) string      { return time.Now().UTC().Add(d).Format(time.RFC3339) }
func today(d time.Duration) string   { return time.Now().UTC().Add(d).Format(time.DateOnly) }

// TestOnePatientAcrossEveryService: discharged on pathway 1 with a
// community follow-up, then a home visit, a medication review with a
// recommendation the prescriber rejects, and a care-home round — and the
// coordinator's timeline shows all of it, in order, in plain English.
func TestOnePatientAcrossEveryService(t *testing.T) {
	dir := directory.Demo()
	infra := servicetest.NewInfra(t)
	// The read side first: every service honours the break-glass grants
	// made at the query API.
	read := infra.WithNewSchema(t)
	projector := servicetest.StartIn(t, read, "projector", projections.ProjectorOptions(nil))
	query := servicetest.StartIn(t, read, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))
	infra.BreakGlassURL = query.URL
	reg := servicetest.StartIn(t, infra.WithNewSchema(t), "patients", patients.Options(dir, false))
	client, err := patientref.New(reg.URL, servicetest.ServiceClient(t))
	if err != nil {
		t.Fatal(err)
	}
	hosp := servicetest.StartIn(t, infra.WithNewSchema(t), "discharge", discharge.Options(dir, client, discharge.DefaultRules()))
	visits := servicetest.StartIn(t, infra.WithNewSchema(t), "homevisits", homevisits.Options(dir, client, homevisits.DefaultRules()))
	smr := servicetest.StartIn(t, infra.WithNewSchema(t), "medreviews", medreviews.Options(dir, client, medreviews.DefaultRules()))
	homes := servicetest.StartIn(t, infra.WithNewSchema(t), "carehomes", carehomes.Options(dir, client, carehomes.DefaultRules()))

	// The community team takes its discharges by webhook; its endpoint
	// turns the first attempt away.
	tell := servicetest.StartIn(t, infra.WithNewSchema(t), "notify", notify.Options(dir, notify.WebhookConfig{AllowHTTP: true, AllowPrivateNetworks: true,
		InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Timeout: time.Second}))
	var hookCalls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hookCalls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(hook.Close)
	step(t, tell, "PUT", "/v1/teams/team-severn-ict/webhook", map[string]string{"url": hook.URL, "secret": "a-team-secret-of-at-least-32-characters"}, nil, 200)

	trail := &accessTrail{t: t}
	p := step(t, reg, "POST", "/v1/patients", `{"nhsNumber":"999 000 0085","traceStatus":"01","givenName":"Edith","familyName":"Example","birthDate":"1936-03-04","practice":"L84001"}`, key("reg"), 201)["patient"].(string)

	// Hospital: admitted, discharged home on P1, community follow-up assigned.
	stay := step(t, hosp, "POST", "/v1/stays", map[string]any{"patient": p, "hospitalSite": "RTE01", "ward": "Ward 7", "admittedAt": at(-72 * time.Hour), "admissionMethod": "emergency"}, key("adm"), 201)["id"].(string)
	sp := "/v1/stays/" + stay
	step(t, hosp, "PUT", sp+"/plan", map[string]any{"pathway": "P1", "expectedDate": today(0)}, match(1), 200)
	step(t, hosp, "POST", sp+"/discharge", map[string]any{"dischargedAt": at(-2 * time.Hour), "method": "hospital-transport", "destination": "usual-residence", "pathway": "P1", "needs": []string{"reablement"}}, match(2), 200)
	step(t, hosp, "PUT", sp+"/follow-up", map[string]any{"teamId": "team-severn-ict"}, match(3), 200)

	// Home visit: requested, triaged, assigned, accepted, completed.
	visit := step(t, visits, "POST", "/v1/visits", map[string]any{"patient": p, "reason": "Dizzy since coming home", "source": "phone", "caller": "relative"}, key("visit"), 201)["visit"].(string)
	vp := "/v1/visits/" + visit
	step(t, visits, "POST", vp+"/triage", map[string]any{"urgency": "urgent", "triagedBy": "gp-amara-okafor"}, match(1), 200)
	step(t, visits, "POST", vp+"/assign", map[string]any{"clinicianId": "para-jess-patel"}, match(2), 200)
	for i, act := range []string{"accept", "en-route", "on-site"} {
		step(t, visits, "POST", vp+"/"+act, map[string]any{"clinicianId": "para-jess-patel"}, match(3+i), 200)
	}
	step(t, visits, "POST", vp+"/complete", map[string]any{"clinicianId": "para-jess-patel", "outcome": "managed-at-home", "notes": "Postural drop; fluids advised"}, match(6), 200)

	// Medication review: identified, completed, a recommendation the prescriber rejects.
	review := step(t, smr, "POST", "/v1/reviews", map[string]any{"patient": p, "criteria": []string{"polypharmacy-10-plus", "recent-admission"}, "identifiedBy": "pharm-ravi-shah"}, key("smr"), 201)["review"].(string)
	rp := "/v1/reviews/" + review
	step(t, smr, "POST", rp+"/complete", map[string]any{"mode": "telephone", "clinicianId": "pharm-ravi-shah", "summary": "Reviewed eleven medicines"}, match(1), 200)
	step(t, smr, "POST", rp+"/recommendations", map[string]any{"clinicianId": "pharm-ravi-shah", "recommendations": []map[string]any{
		{"medicine": map[string]any{"name": "Amlodipine 10mg tablets"}, "action": "change-dose", "newDose": "5mg once daily", "reason": "Postural hypotension"}}}, match(2), 200)
	step(t, smr, "POST", rp+"/recommendations/rec-1/reject", map[string]any{"prescriberId": "gp-amara-okafor", "reason": "Cardiology review first"}, match(3), 200)

	// Care home: admitted to Willow Court, nominated for the round and reviewed.
	step(t, homes, "POST", "/v1/residencies", map[string]any{"patient": p, "careHomeId": "home-willow-court"}, key("res"), 201)
	round := step(t, homes, "POST", "/v1/rounds", map[string]any{"careHomeId": "home-willow-court", "plannedStart": at(0)}, key("round"), 201)["id"].(string)
	rdp := "/v1/rounds/" + round
	step(t, homes, "POST", rdp+"/nominations", map[string]any{"patient": p, "nominatedBy": "mdt", "reason": "New admission after discharge", "priority": "high"}, match(1), 200)
	step(t, homes, "POST", rdp+"/hold", map[string]any{"attendees": []map[string]any{{"clinicianId": "gp-amara-okafor"}, {"clinicianId": "pharm-ravi-shah"}},
		"startedAt": at(0), "endedAt": at(time.Minute)}, match(2), 200)
	step(t, homes, "POST", rdp+"/nominations/"+p+"/review", map[string]any{"reviewedBy": "gp-amara-okafor", "outcome": "Settling in; BP to be rechecked"}, match(3), 200)

	// The coordinator's view.
	want := []string{"patient_discharged", "follow_up_assigned", "visit_requested", "visit_assigned", "visit_completed",
		"review_completed", "recommendation_recorded", "recommendation_rejected", "resident_nominated", "resident_reviewed"}
	type entry struct{ EventType, Summary, Status, Service string }
	var got []entry
	testkit.Eventually(t, 60*time.Second, func() bool {
		var page struct{ Entries []entry }
		trail.read(query, "/v1/patients/"+p+"/timeline?limit=500", 200, 1).JSON(t, &page)
		got = page.Entries
		seen := 0
		for _, e := range got {
			if tn, _ := events.ParseTypeName(e.EventType); slices.Contains(want, tn.Event) {
				seen++
			}
		}
		return seen == len(want)
	}, "the timeline never showed every step")

	var order []string
	for _, e := range got {
		tn, _ := events.ParseTypeName(e.EventType)
		if slices.Contains(want, tn.Event) {
			order = append(order, tn.Event)
		}
		if strings.TrimSpace(e.Summary) == "" || strings.Contains(e.Summary, "9990000085") || strings.Contains(e.Summary, "Edith") {
			t.Errorf("entry %s has a bad summary: %q", e.EventType, e.Summary)
		}
		if tn.Event == "recommendation_recorded" && (e.Status != "rejected" || !strings.Contains(strings.ToLower(e.Summary), "recommend")) {
			t.Errorf("the rejected recommendation shows as %q: %q", e.Status, e.Summary)
		}
	}
	if !slices.Equal(order, want) {
		t.Fatalf("timeline order:\n  %v\nwant\n  %v", order, want)
	}
	// The operational views agree: the community team has the follow-up,
	// the completed visit is off the paramedic's board, the round shows
	// the resident reviewed.
	// The worklist also shows that the team's webhook was told, after one
	// failed attempt.
	type delivery struct {
		State          string
		FailedAttempts int
	}
	var worklist struct {
		Discharges []struct {
			Stay, Patient, Status string
			Delivery              *delivery
		}
		Webhook *struct {
			State    string
			Sequence int
		}
	}
	testkit.Eventually(t, 30*time.Second, func() bool {
		worklist.Discharges = nil
		r := trail.read(query, "/v1/teams/team-severn-ict/discharges", 200, 0)
		r.JSON(t, &worklist)
		trail.shown(r, len(worklist.Discharges)) // one record per patient shown
		return len(worklist.Discharges) == 1 && worklist.Discharges[0].Delivery != nil && worklist.Discharges[0].Delivery.State == "delivered"
	}, "the worklist never showed the team's webhook told")
	if worklist.Discharges[0].Stay != stay || worklist.Discharges[0].Status != "assigned" || worklist.Webhook == nil ||
		worklist.Webhook.State != "delivered" || worklist.Webhook.Sequence != 1 || hookCalls.Load() != 2 {
		t.Errorf("team worklist after %d webhook calls: %+v, webhook %+v", hookCalls.Load(), worklist.Discharges, worklist.Webhook)
	}
	var board struct{ Visits []any }
	trail.read(query, "/v1/clinicians/para-jess-patel/visits", 200, 0).JSON(t, &board) // shows no patient
	if len(board.Visits) != 0 {
		t.Errorf("a completed visit is still on the board: %+v", board.Visits)
	}
	var rounds struct {
		Rounds []struct {
			Round, Status string
			Residents     []struct{ Patient, Status string }
		}
	}
	trail.read(query, "/v1/care-homes/home-willow-court/rounds", 200, 1).JSON(t, &rounds)
	if len(rounds.Rounds) != 1 || rounds.Rounds[0].Round != round || rounds.Rounds[0].Status != "held" ||
		len(rounds.Rounds[0].Residents) != 1 || rounds.Rounds[0].Residents[0].Status != "reviewed" || rounds.Rounds[0].Residents[0].Patient != p {
		t.Errorf("round board: %+v", rounds.Rounds)
	}

	// The summary: the stay (its community follow-up due) and the care-home
	// residency (assessment and care plan due) are open; the completed
	// visit, the decided review and the reviewed nomination are not.
	var summary struct {
		Open []struct{ Kind, State string }
	}
	trail.read(query, "/v1/patients/"+p+"/summary", 200, 1).JSON(t, &summary)
	kinds := map[string]string{}
	for _, it := range summary.Open {
		kinds[it.Kind] = it.State
	}
	if len(summary.Open) != 2 || kinds["hospital-stay"] != "community follow-up due" || kinds["care-home-residency"] == "" {
		t.Errorf("summary: %+v", summary.Open)
	}

	services := map[string]bool{}
	for _, e := range got {
		services[e.Service] = true
	}
	for _, s := range []string{"patients", "discharge", "homevisits", "medreviews", "carehomes"} {
		if !services[s] {
			t.Errorf("no entry from %s", s)
		}
	}

	// Reads at the services are on the trail too, as are refusals; a
	// paramedic with no visit to the patient is refused everywhere until
	// she breaks glass at the query API, which then opens every service's
	// record of the patient to her (but no change), each read recorded with
	// her reason.
	lucy := auth.Principal{Subject: "para-lucy-chen", Role: "paramedic", Org: "U84001", PCN: "U84001"}
	trail.read(visits, vp, 200, 1)
	trail.read(hosp, sp, 200, 1)
	trail.read(smr, rp, 200, 1)
	trail.read(homes, rdp, 200, 1)
	trail.read(reg, "/v1/patients/"+p, 200, 1)
	errorAnswers := trail.read(visits.As(lucy), vp, 403, 1).Body
	errorAnswers = append(errorAnswers, trail.read(query.As(lucy), "/v1/patients/"+p+"/timeline", 403, 1).Body...)
	glass := step(t, query.As(lucy), "POST", "/v1/patients/"+p+"/break-glass", map[string]string{"reason": "Crew sent by the ambulance service"}, nil, 201)
	if glass["until"] == nil {
		t.Fatalf("break-glass answered %v", glass)
	}
	trail.read(visits.As(lucy), vp, 200, 1)
	trail.read(hosp.As(lucy), sp, 200, 1)
	trail.read(query.As(lucy), "/v1/patients/"+p+"/timeline", 200, 1)
	refused := visits.As(lucy).Do("POST", vp+"/escalate", map[string]any{"to": "gp", "reason": "Chest pain"}, match(7))
	if refused.Status != 403 {
		t.Fatalf("a change on broken glass = %d %s", refused.Status, refused.Body)
	}
	trail.expect(refused, 1)
	errorAnswers = append(errorAnswers, refused.Body...)
	// Registering the patient again is refused without echoing the number.
	again := reg.Do("POST", "/v1/patients", `{"nhsNumber":"999 000 0085","traceStatus":"01","givenName":"Edith","familyName":"Example","birthDate":"1936-03-04","practice":"L84001"}`, key("reg-again"))
	if again.Status < 400 {
		t.Fatalf("registering the patient twice = %d", again.Status)
	}
	errorAnswers = append(errorAnswers, again.Body...)
	trail.check(query, p, "Crew sent by the ambulance service")

	// Nothing that identifies the patient leaks where it must not: not
	// one log line of any process, at any level, and not one NATS subject,
	// holds the NHS number (in any spacing), the name or the date of birth.
	// (Refused requests and a failing webhook were among what they logged.)
	st, err := query.JS.Stream(t.Context(), natskit.EventStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(t.Context(), jetstream.WithSubjectFilter(">"))
	if err != nil {
		t.Fatal(err)
	}
	var subjects strings.Builder
	for subject := range info.State.Subjects {
		subjects.WriteString(subject + "\n")
	}
	if len(info.State.Subjects) < 10 {
		t.Fatalf("only %d subjects on the stream: the scan would prove little", len(info.State.Subjects))
	}
	identifying := regexp.MustCompile(`999[ -]?000[ -]?0085|(?i)edith|(?i)\bexample\b|1936-03-04|04/03/1936`)
	scanned := map[string]string{"NATS subjects": subjects.String(), "patients' logs": reg.Logs(), "discharge's logs": hosp.Logs(),
		"homevisits' logs": visits.Logs(), "medreviews' logs": smr.Logs(), "carehomes' logs": homes.Logs(), "projector's logs": projector.Logs(),
		"query's logs": query.Logs(), "notify's logs": tell.Logs(), "error answers": string(errorAnswers)}
	for name, s := range map[string]*servicetest.Stack{"patients": reg, "discharge": hosp, "homevisits": visits, "medreviews": smr,
		"carehomes": homes, "projector": projector, "query": query, "notify": tell} {
		scanned[name+"'s metrics"] = string(s.Do("GET", "/metrics", nil, nil).Body)
	}
	for name, text := range scanned {
		if strings.HasSuffix(name, "metrics") && !strings.Contains(text, "go_goroutines") {
			t.Errorf("%s are empty: the scan would prove nothing", name)
		}
		if strings.HasSuffix(name, "logs") && !strings.Contains(text, `"level"`) {
			t.Errorf("%s are empty: the scan would prove nothing", name)
		}
		if m := identifying.FindString(text); m != "" {
			t.Errorf("%s hold %q", name, m)
		}
	}
}

// accessTrail is what the test expects on the patient's access log: for
// each read it made, by request id, how many records (one per patient the
// answer showed) and with what outcome.
type accessTrail struct {
	t     *testing.T
	reads map[string]int
	// outcome of each request's records.
	outcome map[string]string
}

// read makes a GET that must answer status and show n of the patient's
// records (0 for an answer that shows no patient), and expects that many
// records of it.
func (a *accessTrail) read(s *servicetest.Stack, path string, status, n int) servicetest.Response {
	a.t.Helper()
	r := s.Do("GET", path, nil, nil)
	if r.Status != status {
		a.t.Fatalf("GET %s as %s = %d, want %d: %s", path, s.Principal().Subject, r.Status, status, r.Body)
	}
	a.expect(r, n)
	return r
}

// expect says the request that answered r leaves n records.
func (a *accessTrail) expect(r servicetest.Response, n int) {
	a.t.Helper()
	id := r.Header.Get("X-Request-Id")
	if id == "" {
		a.t.Fatal("an answer without X-Request-Id")
	}
	if a.reads == nil {
		a.reads, a.outcome = map[string]int{}, map[string]string{}
	}
	a.reads[id] = n
	a.outcome[id] = "allowed"
	if r.Status == 403 {
		a.outcome[id] = "denied"
	}
}

// shown corrects the count of the read that answered r, once its body
// says how many patients it showed.
func (a *accessTrail) shown(r servicetest.Response, n int) { a.reads[r.Header.Get("X-Request-Id")] = n }

// check reads the patient's access log (as the PCN's care coordinator,
// itself recorded) until every expected record is there, then holds it to
// exactly the expected records: per read, n records with its outcome; a
// read on broken glass carries its reason.
func (a *accessTrail) check(query *servicetest.Stack, patient, glassReason string) {
	a.t.Helper()
	type entry struct {
		Kind, Action, Basis, Reason, Outcome, RequestID string
		Actor                                           struct{ ID string }
	}
	var log []entry
	count := func() map[string]int {
		got := map[string]int{}
		for _, e := range log {
			got[e.RequestID]++
		}
		return got
	}
	testkit.Eventually(a.t, 30*time.Second, func() bool {
		log = nil
		cursor := ""
		for {
			var page struct {
				Entries    []entry
				NextCursor string
			}
			query.Do("GET", "/v1/patients/"+patient+"/access-log?limit=500"+cursor, nil, nil).JSON(a.t, &page)
			log = append(log, page.Entries...)
			if page.NextCursor == "" {
				break
			}
			cursor = "&cursor=" + page.NextCursor
		}
		got := count()
		for id, n := range a.reads {
			if got[id] < n {
				return false
			}
		}
		return true
	}, "the access log never held every read")
	got := count()
	reads, glassReads := 0, 0
	for id, n := range a.reads {
		if got[id] != n {
			a.t.Errorf("request %s left %d records, want %d", id, got[id], n)
		}
		reads += n
	}
	changes := 0
	for _, e := range log {
		want, tracked := a.outcome[e.RequestID]
		switch {
		case tracked && e.Outcome != want:
			a.t.Errorf("request %s recorded %s, want %s: %+v", e.RequestID, e.Outcome, want, e)
		case tracked && e.Outcome == "denied" && e.Basis != "none":
			a.t.Errorf("a refusal recorded on basis %q", e.Basis)
		case tracked && e.Basis == "break-glass":
			glassReads++
			if e.Reason != glassReason || e.Actor.ID != "para-lucy-chen" {
				a.t.Errorf("a read on broken glass recorded as %+v", e)
			}
		case !tracked && e.Kind == "access" && strings.HasPrefix(e.Action, "change:") && e.Outcome == "allowed":
			changes++
		}
	}
	if glassReads != 3 {
		a.t.Errorf("%d reads on broken glass recorded, want 3", glassReads)
	}
	// Every event the scenario's changes recorded about the patient is on
	// the trail once: the registration 1, the stay 4 (admitted, planned,
	// discharged, follow-up), the visit 7, the review 4, the residency 1,
	// the round's nomination and outcome 2.
	if changes != 19 {
		a.t.Errorf("%d changes on the trail, want 19", changes)
	}
	a.t.Logf("access log: %d records, %d of them the %d tracked reads, %d changes", len(log), reads, len(a.reads), changes)
}
