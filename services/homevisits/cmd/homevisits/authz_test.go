package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// More callers: people of the other demo PCN, Forest Edge, and roles with
// no relationship with home visits.
var (
	forestCoordinator = auth.Principal{Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"}
	forestGP          = auth.Principal{Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"}
	noPCN             = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}
	pharmacist        = auth.Principal{Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"}
	aProcess          = auth.Principal{Subject: "careweave-discharge", Role: auth.SystemRole, Org: "careweave", PCN: "U84001"}
)

const carolNHS = "9990000042" // registered at Forest Green Surgery, in Forest Edge

// TestOnlyThePatientsPCNAndTheVisitsCliniciansGetIn drives the routes as
// callers with and without a relationship with the visit's patient: the
// issue's cases (paramedic A and a visit they have no assignment for, a
// coordinator or GP of another PCN), in order, each allowed or refused 403
// with a reason; the refusals change nothing, and each refusal about a
// known patient leaves exactly one denied record on their trail.
func TestOnlyThePatientsPCNAndTheVisitsCliniciansGetIn(t *testing.T) {
	h := start(t)
	reg := h.registry.As(forestCoordinator).Do("POST", "/v1/patients", `{"nhsNumber":"`+carolNHS+`","traceStatus":"01","givenName":"Test","familyName":"Patient","birthDate":"1940-01-02","practice":"L84011"}`,
		map[string]string{"Idempotency-Key": "reg-carol"})
	var carol struct{ Patient string }
	reg.JSON(t, &carol)
	if reg.Status != 201 || carol.Patient == "" {
		t.Fatalf("register Carol = %d %s", reg.Status, reg.Body)
	}
	alice := h.patients[aliceNHS]
	forAlice := `{"patient":"` + alice + `","reason":"Fall at home","source":"phone","caller":"relative"}`
	forCarol := `{"patient":"` + carol.Patient + `","reason":"Breathless","source":"phone","caller":"patient"}`

	// Requests: only a coordinator or GP of the patient's PCN.
	for i, c := range []struct {
		who  auth.Principal
		body string
		want int
	}{
		{forestCoordinator, forAlice, 403},
		{forestCoordinator, `{"nhsNumber":"` + aliceNHS + `","reason":"Fall at home","source":"phone","caller":"relative"}`, 403},
		{forestGP, forAlice, 403},
		{noPCN, forAlice, 403},
		{jess, forAlice, 403},
		{pharmacist, forAlice, 403},
		{aProcess, forAlice, 403},
		{coordinator, forCarol, 403},
	} {
		r := h.do(c.who, "POST", "/v1/visits", c.body, map[string]string{"Idempotency-Key": "denied-" + string(rune('a'+i))})
		checkRefused(t, fmt.Sprintf("request %d by %s (%s)", i, c.who.Subject, c.who.Role), r, c.want, alice, carol.Patient)
	}
	if n := h.events(); n != 0 {
		t.Fatalf("refused requests stored %d events", n)
	}
	v := h.request(forAlice, "alice-1")
	var cv visit
	if r := h.do(forestCoordinator, "POST", "/v1/visits", forCarol, map[string]string{"Idempotency-Key": "carol-1"}); r.Status != 201 {
		t.Fatalf("Forest Edge's coordinator requesting for their patient = %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &cv)
	}
	h.step(dutyGP, v.Visit, "triage", 1, `{"urgency":"urgent"}`, "triaged", 2)
	h.step(coordinator, v.Visit, "assign", 2, `{"clinicianId":"para-jess-patel"}`, "assigned", 3)

	path := "/v1/visits/" + v.Visit
	before := h.events()
	// In order: a row may depend on the rows before it.
	for i, c := range []struct {
		who          auth.Principal
		method, path string
		body         string
		version      int // If-Match, for changes
		want         int
	}{
		// Reading: the PCN's coordinator and GP, the paramedic it is
		// assigned to; not paramedic B, nor another PCN's people.
		{coordinator, "GET", path, "", 0, 200},
		{dutyGP, "GET", path, "", 0, 200},
		{jess, "GET", path, "", 0, 200},
		{owen, "GET", path, "", 0, 403},
		{maria, "GET", path, "", 0, 403},
		{forestCoordinator, "GET", path, "", 0, 403},
		{forestGP, "GET", path, "", 0, 403},
		{noPCN, "GET", path, "", 0, 403},
		{pharmacist, "GET", path, "", 0, 403},
		{aProcess, "GET", path, "", 0, 403},
		// Changing: refused before If-Match is looked at (a stale one too).
		{forestGP, "POST", path + "/triage", `{"urgency":"routine"}`, 3, 403},
		{forestCoordinator, "POST", path + "/reassign", `{"clinicianId":"para-owen-jones"}`, 3, 403},
		{forestCoordinator, "POST", path + "/cancel", `{"reason":"patient-cancelled"}`, 1, 403},
		{forestCoordinator, "POST", path + "/escalate", `{"to":"999","reason":"x"}`, 3, 403},
		{forestCoordinator, "POST", path + "/accept", `{"clinicianId":"para-jess-patel"}`, 3, 403},
		{noPCN, "POST", path + "/cancel", `{"reason":"patient-cancelled"}`, 3, 403},
		{jess, "POST", path + "/reassign", `{"clinicianId":"para-owen-jones"}`, 3, 403},
		{jess, "POST", path + "/cancel", `{"reason":"patient-cancelled"}`, 3, 403},
		{owen, "POST", path + "/accept", `{}`, 3, 403},
		{owen, "POST", path + "/en-route", `{}`, 3, 403},
		{pharmacist, "POST", path + "/accept", `{"clinicianId":"para-jess-patel"}`, 3, 403},
		{aProcess, "POST", path + "/escalate", `{"to":"999","reason":"x"}`, 3, 403},
		// Moved to Owen: Jess still reads it (it was hers) but no longer
		// acts on it; Owen now does both.
		{coordinator, "POST", path + "/reassign", `{"clinicianId":"para-owen-jones"}`, 3, 200},
		{jess, "GET", path, "", 0, 200},
		{jess, "POST", path + "/accept", `{}`, 4, 403},
		{owen, "GET", path, "", 0, 200},
		{owen, "POST", path + "/accept", `{}`, 4, 200},
		// The other PCN's visit is theirs alone.
		{forestCoordinator, "GET", "/v1/visits/" + cv.Visit, "", 0, 200},
		{forestGP, "POST", "/v1/visits/" + cv.Visit + "/triage", `{"urgency":"routine"}`, 1, 200},
		{coordinator, "GET", "/v1/visits/" + cv.Visit, "", 0, 403},
		{dutyGP, "POST", "/v1/visits/" + cv.Visit + "/triage", `{"urgency":"urgent"}`, 2, 403},
		{jess, "GET", "/v1/visits/" + cv.Visit, "", 0, 403},
	} {
		var headers map[string]string
		var body any
		if c.method == "POST" {
			headers, body = map[string]string{"If-Match": etag(c.version)}, c.body
		}
		r := h.do(c.who, c.method, c.path, body, headers)
		checkRefused(t, fmt.Sprintf("row %d: %s (%s): %s %s", i, c.who.Subject, c.who.Role, c.method, c.path), r, c.want, alice, carol.Patient)
	}
	// Besides the events of the allowed rows (reassign, accept; Carol's
	// triage), the refusals stored nothing.
	if n := h.events(); n != before+3 {
		t.Fatalf("%d events after the table, want %d", n, before+3)
	}

	// The reasons, for the cases.
	for _, c := range []struct {
		who    auth.Principal
		path   string
		reason string
	}{
		{jess, "/v1/visits/" + cv.Visit, "a paramedic reads only visits assigned to them, now or before"},
		{coordinator, "/v1/visits/" + cv.Visit, "this visit's patient is not registered in your PCN (U84001)"},
		{noPCN, path, "no pcn claim"},
	} {
		r := h.do(c.who, "GET", c.path, nil, nil)
		if pr := r.Problem(t); r.Status != http.StatusForbidden || !strings.Contains(pr.Detail, c.reason) {
			t.Errorf("%s: GET %s = %d %+v, want 403 saying %q", c.who.Subject, c.path, r.Status, pr, c.reason)
		}
	}

	// The trails. Alice: the allowed reads (coordinator, GP, Jess twice —
	// the second as previously assigned — Owen) and one denial per refusal
	// about her (three requests the registry placed in her PCN, seven
	// reads, twelve changes, Jess's late accept, the no-pcn read); a
	// request refused before the registry was asked names no patient.
	// Carol: Forest Edge's read; her request by Severn Vale's coordinator,
	// three refusals in the table and two in the reasons.
	recs := checkTrail(t, h.s, alice, 5, 3+7+12+1+1)
	checkTrail(t, h.s, carol.Patient, 1, 1+3+2)
	jessReads := recordsOf(recs, jess.Subject, access.ReadRecord)
	if len(jessReads) != 2 || jessReads[0].Basis != policy.BasisAssignedVisit || jessReads[1].Basis != policy.BasisPreviouslyAssigned {
		t.Errorf("Jess's reads of Alice's visit: %+v, want assigned-visit, then previously-assigned", jessReads)
	}
	if got := recordsOf(recs, jess.Subject, "change"); len(got) != 3 || got[2].Outcome != access.Denied || got[2].Resource != path+"/accept" {
		t.Errorf("Jess's refused changes: %+v, want reassign, cancel, then her late accept", got)
	}
	if got := recordsOf(recs, owen.Subject, access.Change("careweave.homevisits.assignment_accepted.v1")); len(got) != 1 || got[0].Basis != policy.BasisAssignedVisit {
		t.Errorf("Owen's accept: %+v", got)
	}
}

// checkRefused checks a response's status and, for a 403, that it is
// problem+json naming a reason and giving away no patient.
func checkRefused(t *testing.T, what string, r servicetest.Response, want int, patients ...string) {
	t.Helper()
	if r.Status != want {
		t.Errorf("%s = %d %s, want %d", what, r.Status, r.Body, want)
		return
	}
	if want != http.StatusForbidden {
		return
	}
	if pr := r.Problem(t); pr.Status != 403 || !strings.HasPrefix(pr.Detail, "not allowed: ") || len(pr.Detail) < len("not allowed: ")+10 {
		t.Errorf("%s: problem %+v, want a 403 naming the reason", what, pr)
	}
	for _, secret := range append([]string{aliceNHS, bobNHS, carolNHS, "999 000", "Test", "Patient"}, patients...) {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("%s: the refusal gives away %q: %s", what, secret, r.Body)
		}
	}
}
