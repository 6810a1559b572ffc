package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/servicetest"
)

// TestOnlyThePatientsPCNGetsIn drives every kind of route as callers with
// and without the patient on their PCN's SMR caseload: the cases
// (a pharmacist, GP or coordinator of another PCN) are refused 403 with a
// reason, change nothing, and leave one denied record on the patient's
// trail; each success leaves one record per event about the patient (or
// one for a read), on the basis relationship:smr-caseload.
func TestOnlyThePatientsPCNGetsIn(t *testing.T) {
	s, refs := stacks(t)
	ada := refs[nhsAda]
	seen := 0
	// step sends a request as who and checks the answer and what it added
	// to Ada's trail: n records with the outcome, the basis and the action.
	step := func(who auth.Principal, method, path, body string, headers map[string]string, status, n int, action string) servicetest.Response {
		t.Helper()
		events := countEvents(t, s)
		got := s.As(who).Do(method, path, body, headers)
		if got.Status != status {
			t.Fatalf("%s %s as %s (%s) = %d %s; want %d", method, path, who.Subject, who.Role, got.Status, got.Body, status)
		}
		recs := s.Trail(ada)
		if len(recs)-seen != n {
			t.Fatalf("%s %s as %s: %d records, want %d: %+v", method, path, who.Subject, len(recs)-seen, n, recs[seen:])
		}
		for _, rec := range recs[seen:] {
			wantOutcome, wantBasis := access.Allowed, access.Basis("relationship:smr-caseload")
			if status == 403 {
				wantOutcome, wantBasis = access.Denied, access.NoBasis
			}
			if rec.Outcome != wantOutcome || rec.Basis != wantBasis || rec.Status != status || rec.ActorID != who.Subject ||
				rec.PCN != who.PCN || !strings.HasPrefix(string(rec.Action), action) || rec.Patient != ada {
				t.Fatalf("%s %s as %s: record %+v", method, path, who.Subject, rec)
			}
		}
		seen = len(recs)
		if status == 403 {
			if p := got.Problem(t); !strings.Contains(p.Detail, "not allowed") {
				t.Fatalf("%s %s as %s: refusal %q does not say why", method, path, who.Subject, p.Detail)
			}
			if countEvents(t, s) != events {
				t.Fatalf("%s %s as %s: a refusal recorded events", method, path, who.Subject)
			}
		}
		return got
	}
	key := func(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }
	identify := fmt.Sprintf(`{"patient":%q,"criteria":["polypharmacy-10-plus"],"identifiedBy":"pharm-ravi-shah"}`, ada)

	// Identification: only by the patient's PCN.
	step(forestCoordinator, "POST", "/v1/reviews", identify, key("f-cc"), 403, 1, "change")
	step(forestPharmacist, "POST", "/v1/reviews", `{"nhsNumber":"9990000018","criteria":["polypharmacy-10-plus"],"identifiedBy":"pharm-ravi-shah"}`, key("f-ph"), 403, 1, "change")
	var r review
	step(nia, "POST", "/v1/reviews", identify, key("nia"), 201, 1, "change:careweave.medreviews.candidate_identified.v1").JSON(t, &r)
	path := "/v1/reviews/" + r.Review

	// Reads.
	step(forestPharmacist, "GET", path, "", nil, 403, 1, "read-record")
	step(forestGP, "GET", path, "", nil, 403, 1, "read-record")
	step(okafor, "GET", path, "", nil, 200, 1, "read-record")

	// The caseload's changes.
	step(forestCoordinator, "POST", path+"/invite", `{"channel":"letter"}`, etag(1), 403, 1, "change")
	step(nia, "POST", path+"/invite", `{"channel":"letter"}`, etag(1), 200, 1, "change:careweave.medreviews.review_invited.v1")
	step(forestPharmacist, "POST", path+"/complete", `{"mode":"telephone","clinicianId":"pharm-ravi-shah","summary":"Reviewed."}`, etag(2), 403, 1, "change")
	step(moss, "POST", path+"/complete", `{"mode":"telephone","clinicianId":"pharm-ellen-moss","summary":"Reviewed."}`, etag(2), 200, 1, "change:careweave.medreviews.review_completed.v1")

	// Recommendations: the PCN's pharmacists and GPs; a coordinator only
	// for a pharmacist or GP of the PCN.
	recs := func(clinician string) string {
		return `{"clinicianId":"` + clinician + `","recommendations":[{"medicine":{"name":"Amlodipine 10mg tablets"},"action":"change-dose","newDose":"5mg once daily","reason":"Postural hypotension"},` +
			`{"medicine":{"name":"Zopiclone 7.5mg tablets"},"action":"stop","deprescribing":true,"reason":"Falls risk"}]}`
	}
	step(forestPharmacist, "POST", path+"/recommendations", recs("pharm-ravi-shah"), etag(3), 403, 1, "change")
	step(nia, "POST", path+"/recommendations", recs("gp-farah-khan"), etag(3), 403, 1, "change")
	step(ravi, "POST", path+"/recommendations", recs("pharm-ravi-shah"), etag(3), 200, 2, "change:careweave.medreviews.recommendation_recorded.v1")

	// A prescriber's decisions: a GP or pharmacist of the PCN.
	step(forestGP, "POST", path+"/recommendations/rec-1/accept", `{"prescriberId":"gp-farah-khan"}`, etag(5), 403, 1, "change")
	step(forestCoordinator, "POST", path+"/recommendations/rec-1/reject", `{"prescriberId":"gp-farah-khan","reason":"x"}`, etag(5), 403, 1, "change")
	step(okafor, "POST", path+"/recommendations/rec-1/accept", `{"prescriberId":"gp-amara-okafor"}`, etag(5), 200, 1, "change:careweave.medreviews.recommendation_accepted.v1")
	step(nia, "POST", path+"/recommendations/rec-2/reject", `{"prescriberId":"gp-amara-okafor","reason":"Sleep clinic first"}`, etag(6), 200, 1, "change:careweave.medreviews.recommendation_rejected.v1")

	// The events themselves are untouched by the refusals: seven, all Ada's.
	if n := countEvents(t, s); n != 7 {
		t.Fatalf("%d events stored, want 7", n)
	}
}
