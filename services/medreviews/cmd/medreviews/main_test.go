package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/services/medreviews"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/patients"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// Synthetic NHS numbers (999 range, valid check digits).
const (
	nhsAda    = "9990000018"
	nhsBea    = "9990000026"
	nhsCyril  = "9990000034"
	nhsNobody = "9990000042" // valid, never registered
)

type review struct {
	Review, Status, Patient, Practice, PCN, CareHome  string
	Criteria                                          []string
	Invitations, MissedAppointments, AwaitingDecision int
	Version                                           int64
	Appointment                                       *struct{ At, AtLocal, Mode, ClinicianID, ClinicianRole string }
	Completion                                        *struct{ CompletedAt, CompletedAtLocal, FollowUpBy, FollowUpByLocal, SnomedCode string }
	Recommendations                                   []struct {
		ID, Status, Action string
		Enacted            bool
		Decision           *struct{ Outcome, PrescriberID, At, AtLocal string }
	}
}

// stacks starts a patient registry with ada, bea and cyril registered at
// L84001, and the service on it; it returns the service and the patients'
// references by NHS number.
func stacks(t *testing.T) (*servicetest.Stack, map[string]string) {
	t.Helper()
	reg := servicetest.Start(t, "patients", patients.Options(directory.Demo(), false))
	refs := map[string]string{}
	for i, n := range []string{nhsAda, nhsBea, nhsCyril} {
		if _, err := nhsno.Parse(n); err != nil {
			t.Fatalf("test number %s: %v", n, err)
		}
		body := fmt.Sprintf(`{"nhsNumber":%q,"traceStatus":"01","givenName":"Test%d","familyName":"Patient","birthDate":"1938-05-0%d","practice":"L84001"}`, n, i, i+1)
		got := reg.Do("POST", "/v1/patients", body, map[string]string{"Idempotency-Key": "reg-" + n})
		var p struct{ Patient string }
		got.JSON(t, &p)
		if got.Status != 201 || p.Patient == "" {
			t.Fatalf("register %d: %d %s", i, got.Status, got.Body)
		}
		refs[n] = p.Patient
	}
	client, err := patientref.New(reg.URL, servicetest.ServiceClient(t))
	if err != nil {
		t.Fatal(err)
	}
	s := servicetest.Start(t, "medreviews", medreviews.Options(directory.Demo(), client, domain.DefaultRules()))
	return s.As(ravi), refs
}

// Callers: the demo directory's pharmacist of Severn Vale (U84001), where
// the test patients are registered, and clinicians of Forest Edge.
var (
	ravi              = auth.Principal{Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"}
	moss              = auth.Principal{Subject: "pharm-ellen-moss", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"}
	nia               = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"}
	okafor            = auth.Principal{Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"}
	forestPharmacist  = auth.Principal{Subject: "pharm-forest-edge", Role: "clinical-pharmacist", Org: "U84002", PCN: "U84002"}
	forestGP          = auth.Principal{Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"}
	forestCoordinator = auth.Principal{Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"}
)

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

func etag(v int64) map[string]string { return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)} }

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// do sends a change and fails unless it answers want; it returns the view.
func do(t *testing.T, s *servicetest.Stack, path, body string, headers map[string]string, want int) review {
	t.Helper()
	got := s.Do("POST", path, body, headers)
	if got.Status != want {
		t.Fatalf("POST %s = %d %s; want %d", path, got.Status, got.Body, want)
	}
	var r review
	if want < 300 {
		got.JSON(t, &r)
		if got.Header.Get("ETag") != fmt.Sprintf(`"%d"`, r.Version) {
			t.Fatalf("POST %s: ETag %q for version %d", path, got.Header.Get("ETag"), r.Version)
		}
	}
	return r
}

// conflict sends a change the state does not allow and checks the 409
// names the state.
func conflict(t *testing.T, s *servicetest.Stack, path, body string, version int64, state string) {
	t.Helper()
	got := s.Do("POST", path, body, etag(version))
	if got.Status != 409 || !strings.Contains(got.Problem(t).Detail, state) {
		t.Fatalf("POST %s = %d %s; want 409 naming %q", path, got.Status, got.Body, state)
	}
}

func countEvents(t *testing.T, s *servicetest.Stack) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+s.Schema+".events WHERE stream_id NOT LIKE 'access-%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEveryCommandThroughHTTP(t *testing.T) {
	s, refs := stacks(t)

	// Identify by NHS number: the registry's reference and PCN come back.
	identify := `{"nhsNumber":"999 000 0018","criteria":["care-home-resident","polypharmacy-10-plus"],"careHome":"home-willow-court","identifiedBy":"cc-nia-brown"}`
	first := s.Do("POST", "/v1/reviews", identify, map[string]string{"Idempotency-Key": "id-ada", "X-Correlation-Id": "corr-ada"})
	var a review
	first.JSON(t, &a)
	if first.Status != 201 || a.Patient != refs[nhsAda] || a.PCN != "U84001" || a.Practice != "L84001" || a.Status != "identified" ||
		a.Version != 1 || first.Header.Get("ETag") != `"1"` || first.Header.Get("Location") != "/v1/reviews/"+a.Review {
		t.Fatalf("identify = %d %s %v", first.Status, first.Body, first.Header)
	}
	// A retry answers the same and records nothing new.
	again := s.Do("POST", "/v1/reviews", identify, map[string]string{"Idempotency-Key": "id-ada"})
	if again.Status != 201 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" || countEvents(t, s) != 1 {
		t.Fatalf("retry = %d %s; %d events", again.Status, again.Body, countEvents(t, s))
	}
	// A second open review of the patient is refused, naming the open one.
	if dup := s.Do("POST", "/v1/reviews", identify, map[string]string{"Idempotency-Key": "id-ada-2"}); dup.Status != 409 || !strings.Contains(dup.Problem(t).Detail, a.Review) {
		t.Fatalf("second open review = %d %s", dup.Status, dup.Body)
	}

	path := "/v1/reviews/" + a.Review
	a = do(t, s, path+"/invite", `{"channel":"letter"}`, etag(1), 200)
	if a.Status != "invited" || a.Invitations != 1 {
		t.Fatalf("invited: %+v", a)
	}
	// A stale If-Match changes nothing.
	if stale := s.Do("POST", path+"/invite", `{"channel":"phone"}`, etag(1)); stale.Status != 412 || countEvents(t, s) != 2 {
		t.Fatalf("stale invite = %d %s", stale.Status, stale.Body)
	}
	if none := s.Do("POST", path+"/invite", `{"channel":"phone"}`, nil); none.Status != 428 {
		t.Fatalf("invite without If-Match = %d", none.Status)
	}

	// Booked a moment ahead, so it can be marked missed once its time comes.
	soon := time.Now().Add(2 * time.Second).Truncate(time.Second)
	a = do(t, s, path+"/book", fmt.Sprintf(`{"appointmentAt":%q,"mode":"care-home","clinicianId":"pharm-ravi-shah"}`, rfc(soon)), etag(2), 200)
	if a.Status != "booked" || a.Appointment == nil || a.Appointment.ClinicianRole != "clinical-pharmacist" {
		t.Fatalf("booked: %+v", a)
	}
	dna := fmt.Sprintf(`{"appointmentAt":%q}`, rfc(soon))
	testkit.Eventually(t, 10*time.Second, func() bool {
		got := s.Do("POST", path+"/did-not-attend", dna, etag(3))
		if got.Status == 200 {
			got.JSON(t, &a)
		}
		return got.Status == 200
	}, "did-not-attend never accepted")
	if a.Status != "did-not-attend" || a.MissedAppointments != 1 {
		t.Fatalf("did not attend: %+v", a)
	}

	// Rebooked into BST: the London rendering carries +01:00.
	summer := time.Date(time.Now().Year()+1, 4, 15, 9, 30, 0, 0, time.UTC)
	if summer.After(time.Now().AddDate(0, 0, 179)) {
		summer = time.Date(time.Now().Year(), 7, 15, 9, 30, 0, 0, time.UTC)
	}
	if summer.Before(time.Now()) || summer.After(time.Now().AddDate(0, 0, 179)) {
		summer = time.Now().AddDate(0, 0, 30).Truncate(time.Hour)
	}
	a = do(t, s, path+"/rebook", fmt.Sprintf(`{"appointmentAt":%q,"mode":"telephone","clinicianId":"pharm-ravi-shah","reason":"patient asked"}`, rfc(summer)), etag(4), 200)
	if want := summer.In(london(t)).Format("2006-01-02T15:04:05-07:00"); a.Status != "booked" || a.Appointment.At != rfc(summer) || a.Appointment.AtLocal != want {
		t.Fatalf("rebooked: %+v; want local %s", a.Appointment, want)
	}

	a = do(t, s, path+"/complete", `{"mode":"telephone","clinicianId":"pharm-ravi-shah","summary":"Reviewed 11 medicines with the patient and carer."}`, etag(5), 200)
	if a.Status != "completed" || a.Completion == nil || a.Completion.SnomedCode != "1239511000000100" || a.Completion.FollowUpByLocal == "" {
		t.Fatalf("completed: %+v", a)
	}
	conflict(t, s, path+"/decline", `{"reason":"changed mind"}`, 6, "completed")
	conflict(t, s, path+"/close", `{"reason":"moved-practice"}`, 6, "completed")

	recs := `{"clinicianId":"pharm-ravi-shah","recommendations":[
		{"medicine":{"name":"Omeprazole 20mg capsules","dmdCode":"317302007"},"action":"stop","reason":"No ongoing indication","deprescribing":true},
		{"medicine":{"name":"Zopiclone 7.5mg tablets"},"action":"switch","reason":"Two falls","deprescribing":true,"switchTo":{"name":"Melatonin 2mg MR tablets"}}]}`
	a = do(t, s, path+"/recommendations", recs, etag(6), 200)
	if a.Version != 8 || a.AwaitingDecision != 2 || len(a.Recommendations) != 2 {
		t.Fatalf("recommended: %+v", a)
	}
	for _, r := range a.Recommendations {
		if r.Status != "recommended" || r.Enacted || r.Decision != nil {
			t.Fatalf("a recommendation shows as decided before any prescriber did: %+v", r)
		}
	}
	// A clinical pharmacist who does not say they are an independent
	// prescriber cannot enact; one who does can.
	refused := s.Do("POST", path+"/recommendations/rec-1/accept", `{"prescriberId":"pharm-ellen-moss"}`, etag(8))
	if p := refused.Problem(t); refused.Status != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "prescriberId" {
		t.Fatalf("accept by a non-prescriber = %d %s", refused.Status, refused.Body)
	}
	a = do(t, s, path+"/recommendations/rec-1/accept", `{"prescriberId":"pharm-ellen-moss","independentPrescriber":true,"note":"Stopped on the repeat template"}`, etag(8), 200)
	if r := a.Recommendations; r[0].Status != "accepted" || !r[0].Enacted || r[0].Decision == nil || r[0].Decision.AtLocal == "" ||
		r[1].Status != "recommended" || r[1].Enacted || a.AwaitingDecision != 1 {
		t.Fatalf("after accepting rec-1: %+v", a.Recommendations)
	}
	a = do(t, s, path+"/recommendations/rec-2/reject", `{"prescriberId":"gp-amara-okafor","reason":"Sleep clinic review first"}`, etag(9), 200)
	if r := a.Recommendations[1]; r.Status != "rejected" || r.Enacted || r.Decision == nil || r.Decision.Outcome != "rejected" || a.Version != 10 {
		t.Fatalf("after rejecting rec-2: %+v", r)
	}
	conflict(t, s, path+"/recommendations/rec-2/accept", `{"prescriberId":"gp-amara-okafor"}`, 10, "rejected")
	conflict(t, s, path+"/recommendations/rec-1/reject", `{"prescriberId":"gp-amara-okafor","reason":"x"}`, 10, "accepted")
	if missing := s.Do("POST", path+"/recommendations/rec-9/accept", `{"prescriberId":"gp-amara-okafor"}`, etag(10)); missing.Status != 404 {
		t.Fatalf("unknown recommendation = %d %s", missing.Status, missing.Body)
	}
	got := s.Do("GET", path, nil, nil)
	var read review
	got.JSON(t, &read)
	if got.Status != 200 || got.Header.Get("ETag") != `"10"` || read.Version != 10 || !read.Recommendations[0].Enacted || read.Recommendations[1].Enacted {
		t.Fatalf("GET = %d %s", got.Status, got.Body)
	}

	// Bea, by reference: declined, then closing is refused.
	b := do(t, s, "/v1/reviews", fmt.Sprintf(`{"patient":%q,"criteria":["severe-frailty"],"identifiedBy":"gp-amara-okafor"}`, refs[nhsBea]), map[string]string{"Idempotency-Key": "id-bea"}, 201)
	b = do(t, s, "/v1/reviews/"+b.Review+"/decline", `{"reason":"Does not want a review"}`, etag(1), 200)
	if b.Status != "declined" {
		t.Fatalf("declined: %+v", b)
	}
	conflict(t, s, "/v1/reviews/"+b.Review+"/close", `{"reason":"other","note":"x"}`, 2, "declined")
	conflict(t, s, "/v1/reviews/"+b.Review+"/recommendations", recs, 2, "declined")

	// Cyril: closed, after which a new episode may open.
	c := do(t, s, "/v1/reviews", `{"nhsNumber":"9990000034","criteria":["opioids"],"identifiedBy":"pharm-ravi-shah"}`, map[string]string{"Idempotency-Key": "id-cyril"}, 201)
	c = do(t, s, "/v1/reviews/"+c.Review+"/close", `{"reason":"entered-in-error"}`, etag(1), 200)
	if c.Status != "closed" {
		t.Fatalf("closed: %+v", c)
	}
	conflict(t, s, "/v1/reviews/"+c.Review+"/book", fmt.Sprintf(`{"appointmentAt":%q,"mode":"video","clinicianId":"pharm-ravi-shah"}`, rfc(summer)), 2, "closed")
	do(t, s, "/v1/reviews", `{"nhsNumber":"9990000034","criteria":["opioids","recent-fall"],"identifiedBy":"pharm-ravi-shah"}`, map[string]string{"Idempotency-Key": "id-cyril-2"}, 201)

	// Every event reached JetStream, stamped with actor and correlation,
	// on subjects that carry no patient data.
	const want = 15
	published := careEvents(t, s, want)
	if len(published) != want || countEvents(t, s) != want {
		t.Fatalf("%d events published, %d stored; want %d", len(published), countEvents(t, s), want)
	}
	types := map[string]int{}
	for _, e := range published {
		types[e.Envelope.Type]++
		raw, _ := json.Marshal(e.Envelope)
		for _, n := range []string{nhsAda, nhsBea, nhsCyril, "999 000 0018"} {
			if strings.Contains(string(raw), n) || strings.Contains(e.Subject, n) {
				t.Fatalf("NHS number in %s on %s", e.Envelope.Type, e.Subject)
			}
		}
		if !strings.HasPrefix(e.Subject, "care.medreviews.U84001.p") || strings.Contains(e.Subject, e.Envelope.Subject) {
			t.Fatalf("subject %q (patient %s)", e.Subject, e.Envelope.Subject)
		}
		if e.Envelope.ActorID != "pharm-ravi-shah" || e.Envelope.ActorRole != "clinical-pharmacist" || e.Envelope.ActorOrg != "U84001" ||
			e.Envelope.CorrelationID == "" || e.Envelope.CausationID == "" {
			t.Fatalf("event lacks actor or correlation: %+v", e.Envelope)
		}
	}
	if published[0].Envelope.CorrelationID != "corr-ada" || published[0].Envelope.Subject != refs[nhsAda] {
		t.Fatalf("first event: correlation %q subject %q", published[0].Envelope.CorrelationID, published[0].Envelope.Subject)
	}
	for _, typ := range []string{"candidate_identified", "review_invited", "review_booked", "appointment_not_attended", "review_rebooked",
		"review_completed", "review_declined", "review_closed", "recommendation_recorded", "recommendation_accepted", "recommendation_rejected"} {
		if types["careweave.medreviews."+typ+".v1"] == 0 {
			t.Errorf("no %s event published: %v", typ, types)
		}
	}
}

func london(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestBadInputGetsAProblemAndChangesNothing(t *testing.T) {
	s, refs := stacks(t)
	key := map[string]string{"Idempotency-Key": "k"}
	valid := `{"nhsNumber":"9990000018","criteria":["housebound"],"identifiedBy":"pharm-ravi-shah"}`
	creates := []struct {
		name, body string
		headers    map[string]string
		status     int
		field      string
	}{
		{"malformed", `{"nhsNumber":`, key, 400, "body"},
		{"oversized", `{"identifiedBy":"` + strings.Repeat("x", 70000) + `"}`, key, 413, ""},
		{"unknown field", strings.Replace(valid, `"criteria"`, `"colour":"red","criteria"`, 1), key, 400, "colour"},
		{"unknown cohort", strings.Replace(valid, "housebound", "left-handed", 1), key, 400, "criteria[0]"},
		{"no cohort", strings.Replace(valid, `"housebound"`, ``, 1), key, 400, "criteria"},
		{"bad check digit", strings.Replace(valid, "0018", "0019", 1), key, 400, "nhsNumber"},
		{"unregistered number", strings.Replace(valid, nhsAda, nhsNobody, 1), key, 400, "nhsNumber"},
		{"unknown reference", `{"patient":"0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10","criteria":["housebound"],"identifiedBy":"pharm-ravi-shah"}`, key, 400, "patient"},
		{"both reference and number", `{"patient":"` + refs[nhsAda] + `","nhsNumber":"9990000018","criteria":["housebound"],"identifiedBy":"pharm-ravi-shah"}`, key, 400, "patient"},
		{"unknown clinician", strings.Replace(valid, "pharm-ravi-shah", "pharm-nobody", 1), key, 400, "identifiedBy"},
		{"unknown care home", strings.Replace(valid, `"identifiedBy"`, `"careHome":"home-nowhere","identifiedBy"`, 1), key, 400, "careHome"},
		{"care home of another PCN", strings.Replace(valid, `"identifiedBy"`, `"careHome":"home-oakfield","identifiedBy"`, 1), key, 400, "careHome"},
		{"care-home cohort without a home", strings.Replace(valid, "housebound", "care-home-resident", 1), key, 400, "careHome"},
		{"wrong type", strings.Replace(valid, `["housebound"]`, `"housebound"`, 1), key, 400, "criteria"},
		{"no key", valid, nil, 400, "Idempotency-Key"},
		{"no actor", valid, map[string]string{"Idempotency-Key": "k", "Authorization": ""}, 401, "Authorization"},
	}
	for _, c := range creates {
		t.Run("identify/"+c.name, func(t *testing.T) {
			got := s.Do("POST", "/v1/reviews", c.body, c.headers)
			p := got.Problem(t)
			if got.Status != c.status || (c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field)) {
				t.Fatalf("= %d %s; want %d on %q", got.Status, got.Body, c.status, c.field)
			}
		})
	}
	if n := countEvents(t, s); n != 0 {
		t.Fatalf("refused requests stored %d events", n)
	}

	r := do(t, s, "/v1/reviews", valid, map[string]string{"Idempotency-Key": "ok"}, 201)
	path := "/v1/reviews/" + r.Review
	past := rfc(time.Now().Add(-time.Hour))
	future := rfc(time.Now().AddDate(0, 0, 7))
	changes := []struct {
		name, route, body string
		status            int
		field             string
	}{
		{"unknown channel", "/invite", `{"channel":"pigeon"}`, 400, "channel"},
		{"time without offset", "/invite", `{"channel":"letter","invitedAt":"2026-03-18T10:30:00"}`, 400, "invitedAt"},
		{"invited before identified", "/invite", `{"channel":"letter","invitedAt":"` + past + `"}`, 400, "invitedAt"},
		{"unknown mode", "/book", `{"appointmentAt":"` + future + `","mode":"carrier-pigeon","clinicianId":"pharm-ravi-shah"}`, 400, "mode"},
		{"appointment in the past", "/book", `{"appointmentAt":"` + past + `","mode":"video","clinicianId":"pharm-ravi-shah"}`, 400, "appointmentAt"},
		{"booked with a paramedic", "/book", `{"appointmentAt":"` + future + `","mode":"video","clinicianId":"para-jess-patel"}`, 400, "clinicianId"},
		{"booked with nobody", "/book", `{"appointmentAt":"` + future + `","mode":"video","clinicianId":"nobody-here"}`, 400, "clinicianId"},
		{"care-home mode without a home", "/book", `{"appointmentAt":"` + future + `","mode":"care-home","clinicianId":"pharm-ravi-shah"}`, 400, "mode"},
		{"completed before identified", "/complete", `{"mode":"video","clinicianId":"pharm-ravi-shah","summary":"ok","completedAt":"` + past + `"}`, 400, "completedAt"},
		{"completed in the future", "/complete", `{"mode":"video","clinicianId":"pharm-ravi-shah","summary":"ok","completedAt":"` + future + `"}`, 400, "completedAt"},
		{"declined in the future", "/decline", `{"reason":"no","declinedAt":"` + future + `"}`, 400, "declinedAt"},
		{"unknown close reason", "/close", `{"reason":"bored"}`, 400, "reason"},
		{"other without a note", "/close", `{"reason":"other"}`, 400, "note"},
		{"unknown action", "/recommendations", `{"clinicianId":"pharm-ravi-shah","recommendations":[{"medicine":{"name":"x"},"action":"double","reason":"r"}]}`, 400, "recommendations[0].action"},
		{"recommend before completed", "/recommendations", `{"clinicianId":"pharm-ravi-shah","recommendations":[{"medicine":{"name":"x"},"action":"stop","reason":"r"}]}`, 409, ""},
		{"not attended before booked", "/did-not-attend", `{"appointmentAt":"` + past + `"}`, 409, ""},
		{"rebook before booked", "/rebook", `{"appointmentAt":"` + future + `","mode":"video","clinicianId":"pharm-ravi-shah"}`, 409, ""},
		{"decide before completed", "/recommendations/rec-1/accept", `{"prescriberId":"gp-amara-okafor"}`, 409, ""},
		{"unknown field", "/decline", `{"reason":"no","why":"x"}`, 400, "why"},
		{"oversized", "/decline", `{"reason":"` + strings.Repeat("x", 70000) + `"}`, 413, ""},
	}
	for _, c := range changes {
		t.Run("change/"+c.name, func(t *testing.T) {
			got := s.Do("POST", path+c.route, c.body, etag(1))
			p := got.Problem(t)
			if got.Status != c.status || (c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field)) {
				t.Fatalf("= %d %s; want %d on %q", got.Status, got.Body, c.status, c.field)
			}
			if c.status == 409 && !strings.Contains(p.Detail, "identified") {
				t.Fatalf("409 does not name the state: %s", p.Detail)
			}
		})
	}
	if got := s.Do("POST", "/v1/reviews/not-a-review/invite", `{"channel":"letter"}`, etag(1)); got.Status != 404 {
		t.Fatalf("malformed review id = %d", got.Status)
	}
	if got := s.Do("POST", "/v1/reviews/0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10/invite", `{"channel":"letter"}`, etag(1)); got.Status != 404 {
		t.Fatalf("unknown review = %d", got.Status)
	}
	if got := s.Do("GET", "/v1/reviews/0190f4c2-7c1e-7cc3-8a41-9b5e2a1f3d10", nil, nil); got.Status != 404 {
		t.Fatalf("GET unknown review = %d", got.Status)
	}
	if n := countEvents(t, s); n != 1 {
		t.Fatalf("refused changes stored events: %d, want 1", n)
	}
	var status string
	if err := s.Pool.QueryRow(t.Context(), "SELECT status FROM "+s.Schema+".review_index WHERE review = $1", r.Review).Scan(&status); err != nil || status != "identified" {
		t.Fatalf("review index: %q, %v", status, err)
	}
}

func TestLoadRules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r, err := loadRules(write("ok.json", `{"decisionDueDays":7}`))
	if err != nil || r.DecisionDueDays != 7 || r.FollowUpDays != domain.DefaultRules().FollowUpDays {
		t.Fatalf("override: %+v, %v", r, err)
	}
	for _, bad := range []string{`{"decisionDueDays":0}`, `{"colour":1}`, `{`} {
		if _, err := loadRules(write("bad.json", bad)); err == nil {
			t.Errorf("rules %s accepted", bad)
		}
	}
	if err := run(t.Context(), nil, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "PATIENTS_URL") {
		t.Fatalf("run without PATIENTS_URL: %v", err)
	}
}
