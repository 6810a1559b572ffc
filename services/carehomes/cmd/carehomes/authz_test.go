package main

import (
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/servicetest"
)

// Callers: clinicians of Severn Vale (U84001), to which Willow Court is
// aligned, and of Forest Edge (U84002), to which it is not.
var (
	okafor            = auth.Principal{Subject: "gp-amara-okafor", Role: "gp", Org: "L84001", PCN: "U84001"}
	ravi              = auth.Principal{Subject: "pharm-ravi-shah", Role: "clinical-pharmacist", Org: "U84001", PCN: "U84001"}
	forestCoordinator = auth.Principal{Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"}
	forestGP          = auth.Principal{Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"}
	forestPharmacist  = auth.Principal{Subject: "pharm-forest-edge", Role: "clinical-pharmacist", Org: "U84002", PCN: "U84002"}
	socialWorker      = auth.Principal{Subject: "sw-david-ross", Role: "social-worker", Org: "U84001", Team: "team-severn-social"}
)

// TestOnlyTheAlignedPCNGetsIn drives rounds and residencies as callers of
// the PCN the home is aligned to and of another: the other PCN's
// coordinator, GP and pharmacist (and a social worker) are refused 403
// with a reason and change nothing; each refusal about a resident leaves
// one denied record on their trail, each success one record per event
// about them (a round's events name no patient and leave none), each read
// of a resident one.
func TestOnlyTheAlignedPCNGetsIn(t *testing.T) {
	h := start(t)
	s, alice := h.s, h.refs[aliceNHS]
	coordinator := servicetest.DefaultPrincipal
	seen := 0
	step := func(who auth.Principal, method, path, body string, headers map[string]string, status, n int, action string) servicetest.Response {
		t.Helper()
		events := eventCount(t, s)
		got := s.As(who).Do(method, path, body, headers)
		if got.Status != status {
			t.Fatalf("%s %s as %s (%s) = %d %s; want %d", method, path, who.Subject, who.Role, got.Status, got.Body, status)
		}
		recs := s.Trail(alice)
		if len(recs)-seen != n {
			t.Fatalf("%s %s as %s: %d records, want %d: %+v", method, path, who.Subject, len(recs)-seen, n, recs[seen:])
		}
		for _, rec := range recs[seen:] {
			wantOutcome, wantBasis := access.Allowed, access.Basis("relationship:aligned-care-home")
			if status == 403 {
				wantOutcome, wantBasis = access.Denied, access.NoBasis
			}
			if rec.Outcome != wantOutcome || rec.Basis != wantBasis || rec.Status != status || rec.ActorID != who.Subject ||
				!strings.HasPrefix(string(rec.Action), action) || rec.Patient != alice {
				t.Fatalf("%s %s as %s: record %+v", method, path, who.Subject, rec)
			}
		}
		seen = len(recs)
		if status == 403 {
			if p := got.Problem(t); !strings.Contains(p.Detail, "not allowed") {
				t.Fatalf("%s %s as %s: refusal %q does not say why", method, path, who.Subject, p.Detail)
			}
			if eventCount(t, s) != events {
				t.Fatalf("%s %s as %s: a refusal recorded events", method, path, who.Subject)
			}
		}
		return got
	}

	// Residencies: admission, reads and changes.
	admit := `{"patient":"` + alice + `","careHomeId":"home-willow-court"}`
	step(forestCoordinator, "POST", "/v1/residencies", admit, key("f-cc"), 403, 1, "change")
	step(forestGP, "POST", "/v1/residencies", `{"nhsNumber":"`+aliceNHS+`","careHomeId":"home-willow-court"}`, key("f-gp"), 403, 1, "change")
	var res residency
	step(coordinator, "POST", "/v1/residencies", admit, key("cc"), 201, 1, "change:careweave.carehomes.resident_admitted.v1").JSON(t, &res)
	rp := "/v1/residencies/" + res.ID
	step(forestGP, "GET", rp, "", nil, 403, 1, "read-record")
	step(socialWorker, "GET", rp, "", nil, 403, 1, "read-record")
	step(ravi, "GET", rp, "", nil, 200, 1, "read-record")
	step(forestPharmacist, "POST", rp+"/assessment", `{"assessedBy":"gp-farah-khan"}`, ifMatch(1), 403, 1, "change")
	step(okafor, "POST", rp+"/assessment", `{"assessedBy":"gp-amara-okafor"}`, ifMatch(1), 200, 1, "change:careweave.carehomes.")

	// The home's residents: a read of each one shown.
	step(forestCoordinator, "GET", "/v1/care-homes/home-willow-court/residents", "", nil, 403, 0, "")
	step(okafor, "GET", "/v1/care-homes/home-willow-court/residents", "", nil, 200, 1, "read-record")

	// Rounds: the same PCN only. A round is about its nominees: before
	// anyone is nominated nothing goes on a trail; then a nomination, a
	// read and a refusal each go on the nominee's.
	plan := `{"careHomeId":"home-willow-court","plannedStart":"2030-01-07T10:00:00Z"}`
	step(forestCoordinator, "POST", "/v1/rounds", plan, key("r-f"), 403, 0, "")
	var rd round
	step(coordinator, "POST", "/v1/rounds", plan, key("r-cc"), 201, 0, "").JSON(t, &rd)
	path := "/v1/rounds/" + rd.ID
	step(forestGP, "GET", path, "", nil, 403, 0, "")
	step(okafor, "GET", path, "", nil, 200, 0, "")
	nominate := `{"patient":"` + alice + `","nominatedBy":"mdt","reason":"New admission","priority":"high"}`
	step(forestPharmacist, "POST", path+"/nominations", nominate, ifMatch(1), 403, 0, "")
	step(ravi, "POST", path+"/nominations", nominate, ifMatch(1), 200, 1, "change:careweave.carehomes.resident_nominated.v1")
	step(forestGP, "GET", path, "", nil, 403, 1, "read-record")
	step(okafor, "GET", path, "", nil, 200, 1, "read-record")
	step(forestCoordinator, "POST", path+"/cancel", `{"reason":"x"}`, ifMatch(2), 403, 1, "change")
	step(coordinator, "POST", path+"/cancel", `{"reason":"GP unwell"}`, ifMatch(2), 200, 0, "")

	// A home aligned to another PCN is that PCN's.
	step(forestCoordinator, "POST", "/v1/rounds", `{"careHomeId":"home-oakfield","plannedStart":"2030-01-07T10:00:00Z"}`, key("r-oak"), 201, 0, "")
	step(coordinator, "POST", "/v1/rounds", `{"careHomeId":"home-oakfield","plannedStart":"2030-01-07T10:00:00Z"}`, key("r-oak-cc"), 403, 0, "")
}
