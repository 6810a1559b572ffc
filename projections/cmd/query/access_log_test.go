package main

import (
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/projections"
	"github.com/careweave/careweave/projections/synthetic"
)

type accessLogPage struct {
	Patient    string
	NextCursor string
	Entries    []struct {
		EventID, Kind, Action, Resource, Basis, Reason, Outcome, RequestID, TokenID, RecordedBy string
		At                                                                                      time.Time
		Until                                                                                   *time.Time
		Status                                                                                  int
		Actor                                                                                   struct{ ID, Role, Org, PCN, Team string }
	}
	Freshness struct {
		Generation   int
		MinStreamSeq int64
	}
}

// publishAudit puts audit records on the stream as the recording services'
// relays would, on care.access.<service>.pNN.<event>.v1.
func publishAudit(t *testing.T, js jetstream.JetStream, envs []events.Envelope) {
	t.Helper()
	for _, en := range envs {
		data, err := access.Registry().Decode(en)
		if err != nil {
			t.Fatal(err)
		}
		if err := data.(interface{ Validate() error }).Validate(); err != nil {
			t.Fatalf("a record kit/audit would refuse: %v", err)
		}
		b, err := en.Encode()
		if err != nil {
			t.Fatal(err)
		}
		subject, err := events.SubjectOf(&en)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.PublishMsg(t.Context(), &nats.Msg{Subject: subject, Data: b, Header: nats.Header{jetstream.MsgIDHeader: []string{en.ID.String()}}}); err != nil {
			t.Fatal(err)
		}
	}
}

// reads are n more timeline reads of patient i by the care coordinator,
// one a minute from at.
func reads(t *testing.T, i, n int, at time.Time) []events.Envelope {
	t.Helper()
	p := synthetic.Patient(i)
	var out []events.Envelope
	for k := range n {
		when := at.Add(time.Duration(k) * time.Minute)
		rec := access.AccessRecorded{Patient: p, ActorID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001",
			Action: access.ReadSummary, Resource: "/v1/patients/" + p + "/summary", Basis: access.Relationship(access.RegisteredInPCN),
			Outcome: access.Allowed, Status: 200, RequestID: "req-more-" + strconv.Itoa(k)}
		en, err := events.New(rec, events.Metadata{ID: events.NewID(when), Time: when, Subject: p, Area: "query", CorrelationID: rec.RequestID,
			Actor: events.Actor{ID: rec.ActorID, Role: rec.Role, Org: rec.Org}})
		if err != nil {
			t.Fatal(err)
		}
		en.StreamID, en.StreamVersion = access.Stream(p), int64(10+k)
		out = append(out, en)
	}
	return out
}

func TestAccessLogServedNewestFirstWithFreshnessPaginationAndFilters(t *testing.T) {
	infra := servicetest.NewInfra(t)
	servicetest.StartIn(t, infra, "projector", projections.ProjectorOptions(nil))
	q := servicetest.StartIn(t, infra, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))

	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	const i = 42
	patient := synthetic.Patient(i)
	audit := synthetic.Access(i, t0)                            // at t0 .. t0+4s, query and homevisits
	audit = append(audit, reads(t, i, 4, t0.Add(time.Hour))...) // at t0+1h .. t0+1h3m
	publishAudit(t, q.JS, audit)
	publishAudit(t, q.JS, synthetic.Access(i+1, t0)) // someone else's: not on this log
	// The test's care coordinator reads these logs as a coordinator of the
	// patients' PCN.
	register(t, q.JS, patient, "U84001")
	register(t, q.JS, synthetic.Patient(7), "U84001")

	// Every read of the log is itself on the log: until the end, the test
	// looks only at what happened before it began.
	start := time.Now().UTC()
	path := "/v1/patients/" + patient + "/access-log"
	before := "to=" + url.QueryEscape(start.Format(time.RFC3339Nano))
	var all accessLogPage
	testkit.Eventually(t, 30*time.Second, func() bool {
		all = accessLogPage{} // decoding into a used page would keep fields an entry leaves out
		q.Do("GET", path+"?"+before, nil, nil).JSON(t, &all)
		return len(all.Entries) == len(audit)
	}, "the access log shows %d of %d records", len(all.Entries), len(audit))
	if all.Patient != patient || all.NextCursor != "" || all.Freshness.Generation != 1 {
		t.Fatalf("page %+v", all)
	}

	// Newest first: the four later reads, then the synthetic audit backwards.
	for k := 1; k < len(all.Entries); k++ {
		if all.Entries[k].At.After(all.Entries[k-1].At) {
			t.Fatalf("entry %d at %s is newer than entry %d at %s", k, all.Entries[k].At, k-1, all.Entries[k-1].At)
		}
	}
	byID := map[string]int{}
	for k, e := range all.Entries {
		byID[e.EventID] = k
	}
	for k, en := range audit {
		if _, ok := byID[en.ID.String()]; !ok {
			t.Fatalf("record %d (%s) is not on the log", k, en.Type)
		}
	}
	entry := func(n int) int { return byID[audit[n].ID.String()] }
	if e := all.Entries[entry(0)]; e.Kind != "access" || e.Action != "read-timeline" || e.Resource != "/v1/patients/"+patient+"/timeline" ||
		e.Basis != "relationship:registered-in-pcn" || e.Outcome != "allowed" || e.Status != 200 || e.RecordedBy != "query" ||
		e.Actor.ID != "cc-nia-brown" || e.Actor.Role != "care-coordinator" || e.Actor.Org != "U84001" || e.Actor.PCN != "U84001" ||
		e.RequestID == "" || e.TokenID != "jti-nia" || !e.At.Equal(t0) || e.Until != nil {
		t.Errorf("the coordinator's read: %+v", e)
	}
	if e := all.Entries[entry(1)]; e.Outcome != "denied" || e.Basis != "none" || e.Status != 403 || e.Actor.ID != "para-jess-patel" {
		t.Errorf("the paramedic's refused read: %+v", e)
	}
	grant := all.Entries[entry(2)]
	if grant.Kind != "break-glass-granted" || grant.Basis != "break-glass" || grant.Reason == "" || grant.Until == nil ||
		!grant.Until.Equal(t0.Add(2*time.Second+30*time.Minute)) || grant.Action != "" || grant.Status != 0 || grant.RequestID == "" {
		t.Errorf("the grant: %+v", grant)
	}
	if e := all.Entries[entry(3)]; e.Basis != "break-glass" || e.Reason != grant.Reason || e.Outcome != "allowed" || e.RequestID != grant.RequestID {
		t.Errorf("the read on the broken glass: %+v (grant %+v)", e, grant)
	}
	if e := all.Entries[entry(4)]; e.RecordedBy != "homevisits" || e.Action != "change:careweave.homevisits.travel_started.v1" ||
		e.Basis != "relationship:assigned-visit" {
		t.Errorf("the change recorded by homevisits: %+v", e)
	}

	// Pages of two, followed by cursor, give the same entries in order.
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > len(audit) {
			t.Fatal("the cursor never ran out")
		}
		var pg accessLogPage
		q.Do("GET", path+"?limit=2&"+before+"&cursor="+url.QueryEscape(cursor), nil, nil).JSON(t, &pg)
		if len(pg.Entries) > 2 {
			t.Fatalf("a page of %d", len(pg.Entries))
		}
		for _, e := range pg.Entries {
			seen = append(seen, e.EventID)
		}
		if cursor = pg.NextCursor; cursor == "" {
			break
		}
	}
	var want []string
	for _, e := range all.Entries {
		want = append(want, e.EventID)
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("paged through\n %v\nwant\n %v", seen, want)
	}

	// from is inclusive, to exclusive.
	var f accessLogPage
	q.Do("GET", path+"?"+before+"&from="+url.QueryEscape(t0.Add(time.Hour).Format(time.RFC3339)), nil, nil).JSON(t, &f)
	if len(f.Entries) != 4 {
		t.Errorf("from the later reads: %d entries, want 4", len(f.Entries))
	}
	f = accessLogPage{}
	q.Do("GET", path+"?from="+url.QueryEscape(t0.Add(time.Second).Format(time.RFC3339))+"&to="+url.QueryEscape(t0.Add(3*time.Second).Format(time.RFC3339)), nil, nil).JSON(t, &f)
	if len(f.Entries) != 2 || f.Entries[0].Kind != "break-glass-granted" || f.Entries[1].Outcome != "denied" {
		t.Errorf("between the refusal and the read on broken glass: %+v", f.Entries)
	}

	for _, bad := range []string{"?limit=0", "?limit=501", "?limit=x", "?cursor=zzz", "?cursor=eyJhIjoiMjAyNi0xMS0yM1QwOTowMDowMFoiLCJlIjoieCJ9",
		"?from=yesterday", "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"} {
		r := q.Do("GET", path+bad, nil, nil)
		if r.Status != 400 || len(r.Problem(t).Errors) == 0 {
			t.Errorf("GET %s = %d %s", bad, r.Status, r.Body)
		}
	}
	if r := q.Do("GET", "/v1/patients/9990000018/access-log", nil, nil); r.Status != 400 {
		t.Errorf("an NHS number instead of a reference = %d", r.Status)
	}
	var none accessLogPage
	testkit.Eventually(t, 30*time.Second, func() bool {
		r := q.Do("GET", "/v1/patients/"+synthetic.Patient(7)+"/access-log", nil, nil)
		if r.Status != 200 {
			return false
		}
		r.JSON(t, &none)
		return true
	}, "patient 7's registration never reached the read models")
	if len(none.Entries) != 0 {
		t.Errorf("a patient nobody looked at has %d entries", len(none.Entries))
	}

	// The test's own reads of the log are on it now, on the coordinator's
	// relationship with the patient.
	testkit.Eventually(t, 30*time.Second, func() bool {
		var now accessLogPage
		q.Do("GET", path, nil, nil).JSON(t, &now)
		for _, e := range now.Entries {
			if e.Action == "read-access-log" && e.Actor.ID == servicetest.DefaultPrincipal.Subject && e.Basis == "relationship:registered-in-pcn" &&
				e.RecordedBy == "query" && e.Outcome == "allowed" && !e.At.Before(start) {
				return true
			}
		}
		return false
	}, "reading the access log left no record on it")
}
