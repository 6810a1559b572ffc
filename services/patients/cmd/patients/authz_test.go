package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/servicetest"
)

// Callers: the demo directory's people of Severn Vale (U84001), where
// the test patients are registered, and of Forest Edge (U84002); a
// community team's nurse (no pcn claim) and a Careweave careweaveProcess.
var (
	nia               = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"}
	okafor            = auth.Principal{Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"}
	ravi              = auth.Principal{Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"}
	jess              = auth.Principal{Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"}
	forestCoordinator = auth.Principal{Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"}
	forestGP          = auth.Principal{Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"}
	kate              = auth.Principal{Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", Team: "team-severn-ict"}
	careweaveProcess  = auth.Principal{Subject: "careweave-discharge", Role: auth.SystemRole, Org: "careweave"}
)

// TestOnlyThePatientsPCNGetsIn drives every route as callers with and
// without the patient registered in their PCN: another PCN's
// coordinator or GP, a clinician who may only read, a team without a
// PCN and a Careweave careweaveProcess reading names are refused 403 with a
// reason, change nothing, and (once the patient exists) leave one denied
// record on the patient's trail; each success leaves one record per
// event about the patient, or one for a read — reading personal details
// included — on the basis the policy decided.
func TestOnlyThePatientsPCNGetsIn(t *testing.T) {
	s := start(t)
	seen := map[string]int{}
	// step sends a request as who and checks the answer and what it added
	// to patient's trail: n records with the outcome, the basis and the
	// action.
	step := func(who auth.Principal, patient, method, path, body string, headers map[string]string, status, n int, action string) servicetest.Response {
		t.Helper()
		events := countEvents(t, s)
		got := s.As(who).Do(method, path, body, headers)
		if got.Status != status {
			t.Fatalf("%s %s as %s (%s) = %d %s; want %d", method, path, who.Subject, who.Role, got.Status, got.Body, status)
		}
		if patient == "" {
			return got
		}
		recs := s.Trail(patient)
		if len(recs)-seen[patient] != n {
			t.Fatalf("%s %s as %s: %d records, want %d: %+v", method, path, who.Subject, len(recs)-seen[patient], n, recs[seen[patient]:])
		}
		for _, rec := range recs[seen[patient]:] {
			wantOutcome, wantBasis := access.Allowed, access.Basis("relationship:registered-in-pcn")
			if who.Role == auth.SystemRole {
				wantBasis = "relationship:careweave-service"
			}
			if status == 403 {
				wantOutcome, wantBasis = access.Denied, access.NoBasis
			}
			if rec.Outcome != wantOutcome || rec.Basis != wantBasis || rec.Status != status || rec.ActorID != who.Subject ||
				rec.PCN != who.PCN || string(rec.Action) != action || rec.Patient != patient {
				t.Fatalf("%s %s as %s: record %+v", method, path, who.Subject, rec)
			}
		}
		seen[patient] = len(recs)
		if status == 403 {
			p := got.Problem(t)
			if !strings.Contains(p.Detail, "not allowed") {
				t.Fatalf("%s %s as %s: refusal %q does not say why", method, path, who.Subject, p.Detail)
			}
			// The caller named the reference in the path, if at all: a
			// refusal tells them nothing more (a resolve, not even that).
			if strings.Contains(p.Detail, patient) || (!strings.Contains(path, patient) && strings.Contains(string(got.Body), patient)) ||
				strings.Contains(string(got.Body), "Example") {
				t.Fatalf("%s %s as %s: a refusal shows the patient: %s", method, path, who.Subject, got.Body)
			}
			if countEvents(t, s) != events {
				t.Fatalf("%s %s as %s: a refusal recorded events", method, path, who.Subject)
			}
		}
		return got
	}
	key := func(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }
	etag := func(v int64) map[string]string { return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)} }

	// Registration: a coordinator or GP of the practice's PCN. A refusal
	// is of no patient yet, so on no trail.
	for i, who := range []auth.Principal{forestCoordinator, ravi, kate, careweaveProcess} {
		step(who, "", "POST", "/v1/patients", alice, key(fmt.Sprint("no-", i)), 403, 0, "")
	}
	if n := countEvents(t, s); n != 0 {
		t.Fatalf("refused registrations stored %d events", n)
	}
	var p patient
	s.As(nia).Do("POST", "/v1/patients", alice, key("nia")).JSON(t, &p)
	ada := p.Patient
	if ada == "" || len(s.Trail(ada)) != 1 || s.Trail(ada)[0].Action != "change:careweave.patients.patient_registered.v1" {
		t.Fatalf("registration of %q: trail %+v", ada, s.Trail(ada))
	}
	seen[ada] = 1
	path := "/v1/patients/" + ada

	// Personal details: the PCN's clinicians, never another PCN's nor a
	// careweaveProcess; every read recorded.
	step(forestCoordinator, ada, "GET", path, "", nil, 403, 1, "read-details")
	step(kate, ada, "GET", path, "", nil, 403, 1, "read-details")
	step(careweaveProcess, ada, "GET", path, "", nil, 403, 1, "read-details")
	step(jess, ada, "GET", path, "", nil, 200, 1, "read-details")
	step(okafor, ada, "GET", path, "", nil, 200, 1, "read-details")

	// Registrations and resolving: the PCN's clinicians and the Careweave
	// processes.
	step(forestGP, ada, "GET", path+"/registration", "", nil, 403, 1, "read-registration")
	step(careweaveProcess, ada, "GET", path+"/registration", "", nil, 200, 1, "read-registration")
	step(ravi, ada, "GET", path+"/registration", "", nil, 200, 1, "read-registration")
	step(forestCoordinator, ada, "POST", "/v1/patients/resolve", `{"nhsNumber":"9990000018"}`, nil, 403, 1, "resolve")
	step(careweaveProcess, ada, "POST", "/v1/patients/resolve", `{"nhsNumber":"9990000018"}`, nil, 200, 1, "resolve")
	step(nia, ada, "POST", "/v1/patients/resolve", `{"nhsNumber":"9990000018"}`, nil, 200, 1, "resolve")

	// Changing details: a coordinator or GP of the PCN.
	step(ravi, ada, "PATCH", path, `{"familyName":"Married"}`, etag(1), 403, 1, "change")
	step(forestGP, ada, "PATCH", path, `{"familyName":"Married"}`, etag(1), 403, 1, "change")
	step(okafor, ada, "PATCH", path, `{"familyName":"Married"}`, etag(1), 200, 1, "change:careweave.patients.patient_demographics_changed.v1")

	// A merge: a coordinator of the PCN both records are in.
	var b patient
	s.As(nia).Do("POST", "/v1/patients", strings.ReplaceAll(alice, "999 000 0018", "9990000026"), key("bob")).JSON(t, &b)
	bob := b.Patient
	seen[bob] = 1
	merge := `{"survivor":"` + ada + `"}`
	step(okafor, bob, "POST", "/v1/patients/"+bob+"/merge", merge, etag(1), 403, 1, "change")
	step(forestCoordinator, bob, "POST", "/v1/patients/"+bob+"/merge", merge, etag(1), 403, 1, "change")
	step(nia, bob, "POST", "/v1/patients/"+bob+"/merge", merge, etag(1), 200, 1, "change:careweave.patients.patient_merged.v1")

	// A practice change: the current PCN's, never the receiving one's
	// (which would let anyone move a patient into their reach). Moved to
	// Forest Edge, Ada is no longer Severn Vale's to read or move.
	step(forestGP, ada, "PUT", path+"/practice", `{"practice":"L84011"}`, etag(2), 403, 1, "change")
	step(nia, ada, "PUT", path+"/practice", `{"practice":"L84011"}`, etag(2), 200, 1, "change:careweave.patients.patient_practice_changed.v1")
	step(nia, ada, "GET", path, "", nil, 403, 1, "read-details")
	step(forestCoordinator, ada, "GET", path, "", nil, 200, 1, "read-details")
	step(nia, ada, "PUT", path+"/practice", `{"practice":"L84001"}`, etag(3), 403, 1, "change")
}

// countEvents counts the registry's own stored events (not the access
// records).
func countEvents(t *testing.T, s *servicetest.Stack) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+s.Schema+".events WHERE stream_id NOT LIKE 'access-%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
