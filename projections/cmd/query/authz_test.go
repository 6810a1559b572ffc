package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/projections"
	"github.com/careweave/careweave/projections/synthetic"
)

// The attacker table, over the real routes: who may read what, and
// every look — allowed or refused — on the patient's audit trail once.
func TestWhoMayReadWhatOverEveryRoute(t *testing.T) {
	infra := servicetest.NewInfra(t)
	servicetest.StartIn(t, infra, "projector", projections.ProjectorOptions(nil))
	q := servicetest.StartIn(t, infra, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))

	// Patient 1: registered in U84001; discharged with a follow-up routed
	// to team-severn-ict; a home visit assigned to Jess, reassigned to
	// Owen, who accepted and completed it an hour ago.
	const i = 1
	patient := synthetic.Patient(i)
	for _, en := range synthetic.History(i, time.Now().UTC().Add(-5*time.Hour).Truncate(time.Second)) {
		b, err := en.Encode()
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := events.SubjectOf(&en)
		if _, err := q.JS.PublishMsg(t.Context(), &nats.Msg{Subject: subject, Data: b, Header: nats.Header{jetstream.MsgIDHeader: []string{en.ID.String()}}}); err != nil {
			t.Fatal(err)
		}
	}
	register(t, q.JS, patient, "U84001")
	testkit.Eventually(t, 30*time.Second, func() bool {
		return q.Do("GET", "/v1/patients/"+patient+"/summary", nil, nil).Status == http.StatusOK &&
			len(q.Do("GET", "/v1/teams/team-severn-ict/discharges", nil, nil).Body) > 0 &&
			strings.Contains(string(q.Do("GET", "/v1/teams/team-severn-ict/discharges", nil, nil).Body), patient)
	}, "the patient never reached the read models")
	countBefore := len(records(t, q, patient))

	coordinator := servicetest.DefaultPrincipal
	otherPCN := auth.Principal{Subject: "cc-forest", Role: "care-coordinator", Org: "U84002", PCN: "U84002"}
	owen := auth.Principal{Subject: "para-owen-jones", Role: "paramedic", Org: "U84001", PCN: "U84001"}
	jess := auth.Principal{Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"}
	kate := auth.Principal{Subject: "cn-kate-ward", Role: "community-nurse", Org: "RTE", Team: "team-severn-ict"}
	david := auth.Principal{Subject: "sw-david-ross", Role: "social-worker", Org: "RTE", Team: "team-severn-social"}
	forest := auth.Principal{Subject: "cn-forest", Role: "community-nurse", Org: "RTE", Team: "team-forest-ict"}
	gpOther := auth.Principal{Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"}
	system := auth.Principal{Subject: "careweave-discharge", Role: auth.SystemRole, Org: "careweave"}

	p := "/v1/patients/" + patient
	timeline, summary, log := p+"/timeline", p+"/summary", p+"/access-log"
	board, worklist, rounds := "/v1/clinicians/para-owen-jones/visits", "/v1/teams/team-severn-ict/discharges", "/v1/care-homes/home-willow-court/rounds"
	type call struct {
		who    auth.Principal
		path   string
		status int
	}
	calls := []call{
		{coordinator, timeline, 200}, {coordinator, summary, 200}, {coordinator, log, 200},
		{otherPCN, timeline, 403}, {otherPCN, summary, 403}, {otherPCN, log, 403},
		{gpOther, timeline, 403},
		{owen, timeline, 200}, {owen, summary, 200}, {owen, log, 403}, // his visit to the patient
		{jess, timeline, 403}, {jess, summary, 403}, // the visit was taken from her: no relationship
		{kate, timeline, 200}, {kate, summary, 200}, {kate, log, 403}, // her team follows up the discharge
		{david, timeline, 403}, {forest, timeline, 403}, // other teams
		{system, timeline, 403},
		{owen, board, 200}, {jess, board, 403}, {coordinator, board, 200}, {otherPCN, board, 403},
		{kate, worklist, 200}, {david, worklist, 403}, {forest, worklist, 403}, {coordinator, worklist, 200}, {otherPCN, worklist, 403},
		{coordinator, rounds, 200}, {gpOther, rounds, 403}, {kate, rounds, 403},
	}
	want := map[string]int{} // "actor action outcome" → records about the patient
	for _, c := range calls {
		r := q.As(c.who).Do("GET", c.path, nil, nil)
		if r.Status != c.status {
			t.Errorf("%s (%s) GET %s = %d, want %d: %s", c.who.Subject, c.who.Role, c.path, r.Status, c.status, r.Body)
			continue
		}
		if r.Status == 403 {
			if d := r.Problem(t).Detail; strings.Contains(d, patient) || d == "" {
				t.Errorf("%s GET %s: the refusal must say why without naming the patient: %s", c.who.Subject, c.path, r.Body)
			}
		}
		action, outcome := map[string]string{timeline: "read-timeline", summary: "read-summary", log: "read-access-log", worklist: "read-team-worklist"}[c.path], "allowed"
		if c.status == 403 {
			outcome = "denied"
		}
		// Refusals of another's board or worklist name no patient; the
		// worklist shows this patient, the board (a done visit) and the
		// rounds (no nomination) do not.
		if action != "" && (c.path != worklist || c.status == 200) {
			want[c.who.Subject+" "+action+" "+outcome]++
		}
	}

	// Breaking glass: Jess states why, and may read the timeline for a while.
	if r := q.As(jess).Do("POST", p+"/break-glass", map[string]string{"reason": ""}, nil); r.Status != 400 {
		t.Errorf("break glass without a reason = %d", r.Status)
	}
	if r := q.As(jess).Do("POST", p+"/break-glass", map[string]string{"reason": "patient 999 000 0085 collapsed"}, nil); r.Status != 400 {
		t.Errorf("break glass with an NHS number in the reason = %d", r.Status)
	}
	if r := q.As(system).Do("POST", p+"/break-glass", map[string]string{"reason": "a process has no reason"}, nil); r.Status != 403 {
		t.Errorf("a process breaking glass = %d", r.Status)
	}
	want[system.Subject+" break-glass denied"]++
	r := q.As(jess).Do("POST", p+"/break-glass", map[string]string{"reason": "called to the patient's home by the ambulance service"}, nil)
	var grant struct {
		Until time.Time
	}
	r.JSON(t, &grant)
	if r.Status != 201 || grant.Until.Before(time.Now().Add(25*time.Minute)) || grant.Until.After(time.Now().Add(31*time.Minute)) {
		t.Fatalf("break glass = %d %s", r.Status, r.Body)
	}
	want[jess.Subject+" break-glass allowed"]++
	// A service asking, with Jess's token, finds her grant; asking with
	// another's finds none: the answer is for its caller alone.
	var mine struct{ Patient, Reason string }
	if r := q.As(jess).Do("GET", p+"/break-glass", nil, nil); r.Status != 200 {
		t.Fatalf("Jess asking for her grant = %d %s", r.Status, r.Body)
	} else if r.JSON(t, &mine); mine.Patient != patient || mine.Reason != "called to the patient's home by the ambulance service" {
		t.Errorf("Jess's grant reads %+v", mine)
	}
	for _, who := range []auth.Principal{owen, coordinator} {
		if r := q.As(who).Do("GET", p+"/break-glass", nil, nil); r.Status != 404 {
			t.Errorf("%s asking about the patient's grants = %d %s", who.Subject, r.Status, r.Body)
		}
	}
	if r := q.As(jess).Do("GET", timeline, nil, nil); r.Status != 200 {
		t.Fatalf("Jess on broken glass = %d", r.Status)
	}
	want[jess.Subject+" read-timeline allowed"]++

	got := map[string]int{}
	var glassRead, grants int
	for _, rec := range records(t, q, patient)[countBefore:] {
		switch e := rec.(type) {
		case access.AccessRecorded:
			got[fmt.Sprintf("%s %s %s", e.ActorID, e.Action, e.Outcome)]++
			if e.Outcome == access.Denied && (e.Basis != access.NoBasis || e.Status != 403) {
				t.Errorf("a refusal recorded as %+v", e)
			}
			if e.Basis == access.BreakGlass && e.Action == "read-timeline" && e.Reason == "called to the patient's home by the ambulance service" {
				glassRead++
			}
		case access.BreakGlassGranted:
			grants++
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%d records of %q, want %d", got[k], k, n)
		}
	}
	for k, n := range got {
		if want[k] == 0 {
			t.Errorf("%d unexpected records of %q", n, k)
		}
	}
	if glassRead != 1 || grants != 1 {
		t.Errorf("%d reads on broken glass with its reason, %d grants; want 1 and 1", glassRead, grants)
	}
}

// records are the audit records the query API holds about patient, in order.
func records(t *testing.T, q *servicetest.Stack, patient string) []events.Data {
	t.Helper()
	rows, err := q.Pool.Query(t.Context(), `SELECT envelope FROM `+q.Schema+`.events WHERE stream_id = $1 ORDER BY version`, access.Stream(patient))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []events.Data
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		en, err := events.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		data, err := access.Registry().Decode(en)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
