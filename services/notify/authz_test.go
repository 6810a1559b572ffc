package notify_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/servicetest"
	notifysvc "github.com/careweave/careweave/services/notify"
)

// TestOnlyTheClinicianTheirCoordinatorAndTheTeamGetIn drives every route
// of the API as callers with and without a relationship to the clinician
// or team in the path: each is allowed or refused 403 with a reason, and
// a refusal changes nothing.
func TestOnlyTheClinicianTheirCoordinatorAndTheTeamGetIn(t *testing.T) {
	svc := servicetest.Start(t, "notify", notifysvc.Options(directory.Demo(), notifysvc.WebhookConfig{AllowHTTP: true, AllowPrivateNetworks: true,
		InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Timeout: time.Second}))
	p := &publisher{js: svc.JS, versions: map[string]int64{}}
	p.publish(t, patient(1), "visit-a", assigned(jess, time.Hour), "")
	p.publish(t, patient(2), "visit-b", assigned(owen, time.Hour), "")
	awaitFeeds(t, svc, map[string]int{jess: 1, owen: 1})
	rcv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(rcv.Close)

	callers := map[string]auth.Principal{
		"paramedic A (Jess)":            jessPrincipal,
		"paramedic B (Owen)":            owenPrincipal,
		"coordinator of Severn Vale":    {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"},
		"coordinator of Forest Edge":    {Subject: "cc-forest-edge", Role: "care-coordinator", Org: "U84002", PCN: "U84002"},
		"coordinator with no pcn claim": {Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"},
		"GP of Forest Edge":             {Subject: "gp-farah-khan", Role: "gp", Org: "L84011", PCN: "U84002"},
		"Severn ICT nurse":              {Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", Team: "team-severn-ict"},
		"Forest ICT nurse":              {Subject: "cn-forest-ict", Role: "community-nurse", Org: "team-forest-ict", Team: "team-forest-ict"},
		"a Careweave process":           {Subject: "careweave-projector", Role: auth.SystemRole, Org: "careweave"},
	}
	const (
		jessFeed   = "/v1/clinicians/para-jess-patel/assignments"
		owenFeed   = "/v1/clinicians/para-owen-jones/assignments"
		severnHook = "/v1/teams/team-severn-ict/webhook"
		forestHook = "/v1/teams/team-forest-ict/webhook"
	)
	hook := func(secret string) map[string]string { return map[string]string{"url": rcv.URL, "secret": secret} }
	severnSecret, forestSecret := strings.Repeat("s", 32), strings.Repeat("f", 32)

	// The waits above read the lists as the stack's default coordinator:
	// the table's records are counted from here.
	before := [2]int{len(trail(t, svc, patient(1))), len(trail(t, svc, patient(2)))}

	// In order: each row may depend on what the rows before it did.
	for i, c := range []struct {
		caller, method, path string
		body                 any
		want                 int
	}{
		// Paramedic A reading paramedic B's assignments or live feed; her own.
		{"paramedic A (Jess)", "GET", owenFeed, nil, 403},
		{"paramedic A (Jess)", "GET", owenFeed + "/stream", nil, 403},
		{"paramedic A (Jess)", "GET", jessFeed, nil, 200},
		{"paramedic B (Owen)", "GET", jessFeed + "/stream", nil, 403},
		{"paramedic B (Owen)", "GET", owenFeed, nil, 200},
		// Coordinators: of the clinicians' PCN, of another, with no PCN.
		{"coordinator of Severn Vale", "GET", jessFeed, nil, 200},
		{"coordinator of Severn Vale", "GET", owenFeed, nil, 200},
		{"coordinator of Forest Edge", "GET", jessFeed, nil, 403},
		{"coordinator of Forest Edge", "GET", jessFeed + "/stream", nil, 403},
		{"coordinator with no pcn claim", "GET", jessFeed, nil, 403},
		{"GP of Forest Edge", "GET", jessFeed, nil, 403},
		{"Severn ICT nurse", "GET", jessFeed, nil, 403},
		{"a Careweave process", "GET", jessFeed + "/stream", nil, 403},

		// A team managing another team's webhook, others, then its own.
		{"Forest ICT nurse", "PUT", severnHook, hook(forestSecret), 403},
		{"coordinator of Forest Edge", "PUT", severnHook, hook(forestSecret), 403},
		{"paramedic A (Jess)", "PUT", severnHook, hook(forestSecret), 403},
		{"a Careweave process", "PUT", severnHook, hook(forestSecret), 403},
		{"Severn ICT nurse", "GET", severnHook, nil, 404}, // the refusals registered nothing
		{"Severn ICT nurse", "PUT", severnHook, hook(severnSecret), 200},
		{"Forest ICT nurse", "GET", severnHook, nil, 403},
		{"coordinator of Forest Edge", "GET", severnHook, nil, 403},
		{"paramedic A (Jess)", "GET", severnHook, nil, 403},
		{"coordinator of Severn Vale", "GET", severnHook, nil, 200},
		{"Forest ICT nurse", "POST", severnHook + "/redeliver", map[string]any{"fromSequence": 0}, 403},
		{"Forest ICT nurse", "DELETE", severnHook, nil, 403},
		{"coordinator of Forest Edge", "DELETE", severnHook, nil, 403},
		{"Severn ICT nurse", "GET", severnHook, nil, 200}, // the refusals removed nothing
		{"Severn ICT nurse", "POST", severnHook + "/redeliver", map[string]any{}, 202},
		{"Forest ICT nurse", "PUT", forestHook, hook(forestSecret), 200},
		{"Severn ICT nurse", "DELETE", forestHook, nil, 403},
		{"coordinator of Severn Vale", "PUT", forestHook, hook(severnSecret), 403},
		{"coordinator of Forest Edge", "GET", forestHook, nil, 200},
		{"coordinator of Forest Edge", "POST", forestHook + "/redeliver", map[string]any{}, 202},
		{"Severn ICT nurse", "DELETE", severnHook, nil, 204},
		{"coordinator of Forest Edge", "DELETE", forestHook, nil, 204},
	} {
		who, ok := callers[c.caller]
		if !ok {
			t.Fatalf("row %d: unknown caller %q", i, c.caller)
		}
		if c.want == 200 && strings.HasSuffix(c.path, "/stream") {
			t.Fatalf("row %d: a live feed that opens never ends; use openFeed", i)
		}
		r := svc.As(who).Do(c.method, c.path, c.body, nil)
		if r.Status != c.want {
			t.Errorf("row %d: %s: %s %s = %d %s, want %d", i, c.caller, c.method, c.path, r.Status, r.Body, c.want)
			continue
		}
		if c.want != 403 {
			continue
		}
		pr := r.Problem(t)
		if pr.Status != 403 || !strings.HasPrefix(pr.Detail, "not allowed: ") || len(pr.Detail) < len("not allowed: ")+10 {
			t.Errorf("row %d: %s: %s %s: problem %+v, want a 403 naming the reason", i, c.caller, c.method, c.path, pr)
		}
		for _, secret := range []string{patient(1), patient(2), "visit-a", "visit-b", severnSecret, forestSecret} {
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("row %d: the refusal gives away %s: %s", i, secret, r.Body)
			}
		}
	}

	// Each allowed read of a list left one record on its patient's trail,
	// with its basis; the refusals name no patient and left none (they are
	// logged, without a patient's identifiers).
	coordinator := callers["coordinator of Severn Vale"].Subject
	for _, c := range []struct {
		patient       string
		actor, path   string
		basis         access.Basis
		before, total int
	}{
		{patient(1), jess, jessFeed, ownFeed, before[0], 2},
		{patient(1), coordinator, jessFeed, pcnCoordinator, before[0], 2},
		{patient(2), owen, owenFeed, ownFeed, before[1], 2},
		{patient(2), coordinator, owenFeed, pcnCoordinator, before[1], 2},
	} {
		if n := readsBy(t, svc, c.patient, c.actor, c.path, c.basis); n != 1 {
			t.Errorf("%s's reads of %s recorded %d times, want once", c.actor, c.path, n)
		}
		if n := len(trail(t, svc, c.patient)); n != c.before+c.total {
			t.Errorf("%d records after the table, want %d", n, c.before+c.total)
		}
	}
	logs := svc.Logs()
	if strings.Count(logs, `"access denied"`) < 10 || strings.Contains(logs, patient(1)) || strings.Contains(logs, patient(2)) {
		t.Errorf("the refusals are not all logged, or the log names a patient")
	}

	// What Jess's device reads is hers, and her live feed opens for her.
	if c := current(t, svc.As(jessPrincipal), jess); len(c.Assignments) != 1 || c.Assignments[0].Visit != "a" {
		t.Errorf("Jess's assignments: %+v", c)
	}
	if ev := openFeed(t, svc.As(jessPrincipal), jess, "").next(t, 1)[0]; ev.notice.Visit != "a" || ev.notice.Clinician != jess {
		t.Errorf("Jess's live feed sent %+v", ev)
	}

	// The refusals' reasons.
	for _, c := range []struct{ caller, path, reason string }{
		{"paramedic A (Jess)", owenFeed, "read only by the clinician or a care coordinator of their PCN"},
		{"coordinator of Forest Edge", jessFeed, "does not work in your PCN (U84002)"},
		{"Forest ICT nurse", severnHook, "managed only by its own members"},
	} {
		r := svc.As(callers[c.caller]).Do("GET", c.path, nil, nil)
		if pr := r.Problem(t); r.Status != http.StatusForbidden || r.Header.Get("Content-Type") != httpkit.ProblemContentType || !strings.Contains(pr.Detail, c.reason) {
			t.Errorf("%s: GET %s = %d %+v, want 403 saying %q", c.caller, c.path, r.Status, pr, c.reason)
		}
	}
}
