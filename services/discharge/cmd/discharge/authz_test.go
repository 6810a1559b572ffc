package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/servicetest"
)

// TestOnlyTheStaysRelationsGetIn drives every kind of route as callers
// with and without a relationship with the stay: the cases (a
// team reading another team's discharges, a coordinator of another PCN,
// and another trust's discharge coordinator) are refused 403 with a
// reason, change nothing, and leave one denied record on the patient's
// trail; each success leaves one record per event about the patient (or
// one for a read), on the basis the policy decided for the caller.
func TestOnlyTheStaysRelationsGetIn(t *testing.T) {
	h := start(t)
	ada := h.register("9990000018", "L84001")
	seen := 0
	bases := map[string]access.Basis{
		hannah.Subject: "relationship:hospital-stay", nia.Subject: "relationship:registered-in-pcn", kate.Subject: "relationship:routed-discharge",
	}
	// step sends a request as who and checks the answer and what it added
	// to Ada's trail: n records with the outcome, the basis and the action.
	step := func(who auth.Principal, method, path, body string, headers map[string]string, status, n int, action string) servicetest.Response {
		t.Helper()
		events := h.countEvents()
		got := h.s.As(who).Do(method, path, body, headers)
		if got.Status != status {
			t.Fatalf("%s %s as %s (%s) = %d %s; want %d", method, path, who.Subject, who.Role, got.Status, got.Body, status)
		}
		recs := h.s.Trail(ada)
		if len(recs)-seen != n {
			t.Fatalf("%s %s as %s: %d records, want %d: %+v", method, path, who.Subject, len(recs)-seen, n, recs[seen:])
		}
		for _, rec := range recs[seen:] {
			wantOutcome, wantBasis := access.Allowed, bases[who.Subject]
			if status == 403 {
				wantOutcome, wantBasis = access.Denied, access.NoBasis
			}
			if rec.Outcome != wantOutcome || rec.Basis != wantBasis || rec.Status != status || rec.ActorID != who.Subject ||
				rec.Team != who.Team || !strings.HasPrefix(string(rec.Action), action) || rec.Patient != ada {
				t.Fatalf("%s %s as %s: record %+v", method, path, who.Subject, rec)
			}
		}
		seen = len(recs)
		if status == 403 {
			if p := got.Problem(t); !strings.Contains(p.Detail, "not allowed") {
				t.Fatalf("%s %s as %s: refusal %q does not say why", method, path, who.Subject, p.Detail)
			}
			if h.countEvents() != events {
				t.Fatalf("%s %s as %s: a refusal recorded events", method, path, who.Subject)
			}
		}
		return got
	}
	key := func(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }
	etag := func(v int64) map[string]string { return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)} }
	admit := func(at time.Duration) string {
		return fmt.Sprintf(`{"patient":%q,"hospitalSite":"RTE01","ward":"Ward 7","admittedAt":%q,"admissionMethod":"emergency"}`, ada, h.at(at))
	}

	// Admission: the trust's discharge coordinator or the patient's PCN.
	// A community team never admits: refused before the patient is known,
	// so on no one's trail.
	step(kate, "POST", "/v1/stays", admit(-10*day), key("kate"), 403, 0, "")
	step(forestCoordinator, "POST", "/v1/stays", admit(-10*day), key("forest"), 403, 1, "change")
	step(otherTrust, "POST", "/v1/stays", admit(-10*day), key("rj1"), 403, 1, "change")
	var st stayJSON
	step(hannah, "POST", "/v1/stays", admit(-10*day), key("hannah"), 201, 1, "change:careweave.discharge.patient_admitted.v1").JSON(t, &st)
	path := "/v1/stays/" + st.ID

	// Reads: the hospital and the PCN; not yet the team, nor anyone else.
	step(forestCoordinator, "GET", path, "", nil, 403, 1, "read-record")
	step(otherTrust, "GET", path, "", nil, 403, 1, "read-record")
	step(kate, "GET", path, "", nil, 403, 1, "read-record")
	step(hannah, "GET", path, "", nil, 200, 1, "read-record")
	step(nia, "GET", path, "", nil, 200, 1, "read-record")

	// The hospital's acts.
	step(forestCoordinator, "PUT", path+"/plan", fmt.Sprintf(`{"pathway":"P1","expectedDate":%q}`, h.tomorrow), etag(1), 403, 1, "change")
	step(hannah, "PUT", path+"/plan", fmt.Sprintf(`{"pathway":"P1","expectedDate":%q}`, h.tomorrow), etag(1), 200, 1, "change:careweave.discharge.discharge_planned.v1")
	discharge := fmt.Sprintf(`{"dischargedAt":%q,"method":"hospital-transport","destination":"usual-residence","pathway":"P1","needs":["reablement"]}`, h.at(-5*day))
	step(otherTrust, "POST", path+"/discharge", discharge, etag(2), 403, 1, "change")
	step(hannah, "POST", path+"/discharge", discharge, etag(2), 200, 1, "change:careweave.discharge.patient_discharged.v1")
	step(kate, "PUT", path+"/follow-up", `{"teamId":"team-severn-ict"}`, etag(3), 403, 1, "change")
	step(nia, "PUT", path+"/follow-up", `{"teamId":"team-severn-ict"}`, etag(3), 200, 1, "change:careweave.discharge.follow_up_assigned.v1")

	// The team the follow-up is routed to reads it; another team does not.
	step(forestNurse, "GET", path, "", nil, 403, 1, "read-record")
	step(kate, "GET", path, "", nil, 200, 1, "read-record")

	// The outcome is the team's: not the hospital's, not another team's;
	// and the team does nothing else.
	completion := fmt.Sprintf(`{"clinicianId":"cn-kate-ward","outcome":"needs-met","completedAt":%q}`, h.at(-time.Hour))
	step(hannah, "POST", path+"/follow-up/completion", completion, etag(4), 403, 1, "change")
	step(forestNurse, "POST", path+"/follow-up/completion", completion, etag(4), 403, 1, "change")
	step(kate, "POST", path+"/summary", fmt.Sprintf(`{"receivedAt":%q}`, h.at(-time.Hour)), etag(4), 403, 1, "change")
	step(kate, "POST", path+"/follow-up/completion", completion, etag(4), 200, 1, "change:careweave.discharge.follow_up_completed.v1")

	// An emergency readmission: the admission and the readmission it
	// records on the previous stay, each on the trail, on the admission's
	// basis.
	step(hannah, "POST", "/v1/stays", admit(-day), key("hannah-2"), 201, 2, "change:careweave.discharge.")
	recs := h.s.Trail(ada)
	got := map[access.Action]bool{recs[len(recs)-2].Action: true, recs[len(recs)-1].Action: true}
	if !got["change:careweave.discharge.patient_admitted.v1"] || !got["change:careweave.discharge.readmission_detected.v1"] {
		t.Fatalf("readmission records %v", got)
	}

	// The events themselves are untouched by the refusals: seven, all Ada's.
	if n := h.countEvents(); n != 7 {
		t.Fatalf("%d events stored, want 7", n)
	}
}
