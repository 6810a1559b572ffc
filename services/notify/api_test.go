package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	hv "github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	notifysvc "github.com/careweave/careweave/services/notify"
)

const (
	jess = "para-jess-patel"
	owen = "para-owen-jones"
)

// Callers, as the tokens the dev stack's issuer gives them (carectl token).
var (
	jessPrincipal = auth.Principal{Subject: jess, Role: "paramedic", Org: "U84001", PCN: "U84001"}
	owenPrincipal = auth.Principal{Subject: owen, Role: "paramedic", Org: "U84001", PCN: "U84001"}
)

// currentAssignments is the wire form of GET .../assignments.
type currentAssignments struct {
	Clinician   string `json:"clinician"`
	Assignments []struct {
		Visit     string    `json:"visit"`
		Patient   string    `json:"patient"`
		Urgency   string    `json:"urgency"`
		NotBefore time.Time `json:"notBefore"`
		VisitBy   time.Time `json:"visitBy"`
		Kind      string    `json:"kind"`
	} `json:"assignments"`
	LastEventID string `json:"lastEventId"`
}

// visits lists the assignments as "<kind> <visit>", in the order served.
func (c currentAssignments) visits() []string {
	var out []string
	for _, a := range c.Assignments {
		out = append(out, a.Kind+" "+a.Visit)
	}
	return out
}

func current(t *testing.T, svc *servicetest.Stack, clinician string) currentAssignments {
	t.Helper()
	r := svc.Do("GET", "/v1/clinicians/"+clinician+"/assignments", nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("current assignments of %s = %d %s", clinician, r.Status, r.Body)
	}
	var c currentAssignments
	r.JSON(t, &c)
	return c
}

// awaitFeeds waits until each clinician's feed holds the given number of
// notices.
func awaitFeeds(t *testing.T, svc *servicetest.Stack, want map[string]int) {
	t.Helper()
	for clinician, n := range want {
		testkit.Eventually(t, 15*time.Second, func() bool { return current(t, svc, clinician).LastEventID == strconv.Itoa(n) },
			"%s's feed never reached %d notices", clinician, n)
	}
}

// feedEvent is one event read from a live feed.
type feedEvent struct {
	id, kind string
	notice   struct {
		notify.AssignmentNotice
		EventID string    `json:"eventId"`
		Time    time.Time `json:"time"`
	}
}

func (e feedEvent) String() string { return string(e.notice.Kind) + " " + e.notice.Visit }

// liveFeed is an open connection to a clinician's live feed.
type liveFeed struct {
	events     chan feedEvent
	disconnect func()
}

func openFeed(t *testing.T, svc *servicetest.Stack, clinician, lastEventID string) *liveFeed {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, "GET", svc.URL+"/v1/clinicians/"+clinician+"/assignments/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	svc.Authorize(req)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live feed = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	f := &liveFeed{events: make(chan feedEvent, 100)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev feedEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.notice); err != nil {
					t.Errorf("feed data %q: %v", line, err)
				}
			case line == "" && ev.kind != "":
				select {
				case f.events <- ev:
				case <-ctx.Done():
					return
				}
				ev = feedEvent{}
			}
		}
	}()
	f.disconnect = func() { cancel(); <-done }
	t.Cleanup(f.disconnect)
	return f
}

// next reads the feed's next n events.
func (f *liveFeed) next(t *testing.T, n int) []feedEvent {
	t.Helper()
	var got []feedEvent
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for len(got) < n {
		select {
		case ev := <-f.events:
			got = append(got, ev)
		case <-ctx.Done():
			t.Fatalf("the live feed sent %d of %d events: %v", len(got), n, got)
		}
	}
	return got
}

func assigned(clinician string, visitBy time.Duration) hv.VisitAssigned {
	return hv.VisitAssigned{ClinicianID: clinician, Role: "paramedic", Urgency: "urgent", Window: hv.Window{NotBefore: t0, VisitBy: t0.Add(visitBy)}, AssignedAt: t0}
}

func reassigned(from, to string, visitBy time.Duration) hv.VisitReassigned {
	return hv.VisitReassigned{FromClinicianID: from, FromRole: "paramedic", ClinicianID: to, Role: "paramedic", Urgency: "urgent",
		Window: hv.Window{NotBefore: t0, VisitBy: t0.Add(visitBy)}, ReassignedAt: t0}
}

func cancelled(clinician string) hv.VisitCancelled {
	return hv.VisitCancelled{Reason: "patient-cancelled", ClinicianID: clinician, Role: "paramedic", CancelledAt: t0}
}

func TestEachClinicianSeesTheirAssignmentsNowAndFollowsThemLive(t *testing.T) {
	infra := servicetest.NewInfra(t)
	svc := servicetest.StartIn(t, infra, "notify", notifysvc.Options(directory.Demo(), notifysvc.WebhookConfig{AllowHTTP: true, AllowPrivateNetworks: true, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Timeout: time.Second}))
	p := &publisher{js: svc.JS, versions: map[string]int64{}}

	// Jess: v1 (re-triaged sooner) and v2 hers; v4 reassigned to Owen, v5
	// cancelled. Owen: v3 and v4.
	p.publish(t, patient(1), "visit-v1", assigned(jess, 4*time.Hour), "")
	p.publish(t, patient(2), "visit-v2", assigned(jess, 2*time.Hour), "")
	p.publish(t, patient(3), "visit-v3", assigned(owen, 3*time.Hour), "")
	p.publish(t, patient(4), "visit-v4", assigned(jess, time.Hour), "")
	p.publish(t, patient(4), "visit-v4", reassigned(jess, owen, time.Hour), "")
	p.publish(t, patient(5), "visit-v5", assigned(jess, 5*time.Hour), "")
	p.publish(t, patient(5), "visit-v5", cancelled(jess), "")
	p.publish(t, patient(1), "visit-v1", hv.VisitTriaged{TriagedBy: "gp-amara-okafor", TriagedByRole: "gp", Urgency: "urgent", PreviousUrgency: "urgent",
		Window: hv.Window{NotBefore: t0, VisitBy: t0.Add(90 * time.Minute)}, ClinicianID: jess, Role: "paramedic", TriagedAt: t0}, "")
	awaitFeeds(t, svc, map[string]int{jess: 7, owen: 2})

	// The current lists: each clinician's own, soonest visitBy first,
	// without what was withdrawn or moved away.
	checkCurrent := func(clinician string, want ...string) currentAssignments {
		t.Helper()
		c := current(t, svc, clinician)
		if c.Clinician != clinician || !slices.Equal(c.visits(), want) {
			t.Errorf("%s's current assignments = %q, want %q", clinician, c.visits(), want)
		}
		return c
	}
	now := checkCurrent(jess, "retriaged v1", "assigned v2")
	if a := now.Assignments[0]; a.Patient != patient(1) || a.Urgency != "urgent" || !a.NotBefore.Equal(t0) || !a.VisitBy.Equal(t0.Add(90*time.Minute)) {
		t.Errorf("v1 listed as %+v", a)
	}
	checkCurrent(owen, "assigned v4", "assigned v3")
	nobody := svc.As(auth.Principal{Subject: "para-nobody", Role: "paramedic", Org: "U84001", PCN: "U84001"})
	if c := current(t, nobody, "para-nobody"); len(c.Assignments) != 0 || c.LastEventID != "0" {
		t.Errorf("a clinician with no feed: %+v", c)
	}

	// Jess's device, as Jess, reads part of her feed from its start, then
	// loses the connection while more happens.
	asJess := svc.As(jessPrincipal)
	first := openFeed(t, asJess, jess, "")
	got := first.next(t, 4)
	first.disconnect()
	p.publish(t, patient(6), "visit-v6", assigned(jess, 30*time.Minute), "")
	p.publish(t, patient(3), "visit-v3", reassigned(owen, jess, 3*time.Hour), "")
	p.publish(t, patient(2), "visit-v2", cancelled(jess), "")
	p.publish(t, patient(7), "visit-v7", assigned(owen, 45*time.Minute), "")
	awaitFeeds(t, svc, map[string]int{jess: 10, owen: 4})
	checkCurrent(jess, "assigned v6", "retriaged v1", "assigned v3")
	checkCurrent(owen, "assigned v7", "assigned v4")

	// It resumes from the last event it read; another device starts afresh
	// from the current list. One more assignment reaches both once.
	resumed := openFeed(t, asJess, jess, got[len(got)-1].id)
	got = append(got, resumed.next(t, 6)...)
	fresh := openFeed(t, asJess, jess, current(t, asJess, jess).LastEventID)
	p.publish(t, patient(8), "visit-v8", assigned(jess, 6*time.Hour), "")
	got = append(got, resumed.next(t, 1)...)
	if ev := fresh.next(t, 1)[0]; ev.id != "11" || ev.String() != "assigned v8" {
		t.Errorf("the device that started from the current list got %s %s first", ev.id, ev)
	}

	// Every notice on Jess's feed arrived exactly once, in feed order, and
	// nothing of Owen's.
	want := feedEventIDs(t, svc, jess)
	if len(got) != len(want) {
		t.Fatalf("the live feed sent %d events, the feed holds %d: %v", len(got), len(want), got)
	}
	var kinds []string
	for i, ev := range got {
		n := ev.notice
		if ev.id != strconv.Itoa(i+1) || ev.kind != "assignment" || n.EventID != want[i] || n.Clinician != jess || n.Time.IsZero() || n.SourceEvent == "" {
			t.Errorf("event %d: id %s, %s, notice %+v; want id %d, event id %s", i, ev.id, ev.kind, n, i+1, want[i])
		}
		kinds = append(kinds, ev.String())
	}
	// Each patient the feed showed is on their trail once per connection
	// that showed them, as read by Jess on the basis of her own feed: the
	// first connection showed notices 1-7 at connection (before she read
	// four of them), the resumed one 5-10 at connection and v8's later,
	// before it was sent, the fresh one v8 only. Her one read of the
	// current list showed v6's, v1's and v3's patients. v7 was never hers.
	wantFeed := map[string]int{}
	for _, shown := range [][]feedEvent{got[:7], got[4:10], got[10:], got[10:]} {
		seen := map[string]bool{}
		for _, ev := range shown {
			if !seen[ev.notice.Patient] {
				seen[ev.notice.Patient] = true
				wantFeed[ev.notice.Patient]++
			}
		}
	}
	stream, list := "/v1/clinicians/"+jess+"/assignments/stream", "/v1/clinicians/"+jess+"/assignments"
	for i := 1; i <= 8; i++ {
		wantList := 0
		if i == 6 || i == 1 || i == 3 {
			wantList = 1
		}
		feed, listed := readsBy(t, svc, patient(i), jess, stream, ownFeed), readsBy(t, svc, patient(i), jess, list, ownFeed)
		if feed != wantFeed[patient(i)] || listed != wantList {
			t.Errorf("patient %d: Jess's feed and list reads recorded %d and %d times, want %d and %d", i, feed, listed, wantFeed[patient(i)], wantList)
		}
	}
	if wantFeed[patient(8)] != 2 || wantFeed[patient(7)] != 0 {
		t.Errorf("the feed showed %v", wantFeed)
	}
	for item, w := range map[string][]string{
		"v1": {"assigned v1", "retriaged v1"},
		"v2": {"assigned v2", "withdrawn v2"},
		"v3": {"assigned v3"},
		"v4": {"assigned v4", "reassigned-away v4"},
		"v5": {"assigned v5", "withdrawn v5"},
		"v6": {"assigned v6"},
		"v7": nil,
		"v8": {"assigned v8"},
	} {
		if g := only(kinds, item); !slices.Equal(g, w) {
			t.Errorf("Jess's live feed said %q about %s, want %q (all: %q)", g, item, w, kinds)
		}
	}
}

// feedEventIDs is the event ids on the clinician's feed, in feed order, as
// the service stored them.
func feedEventIDs(t *testing.T, svc *servicetest.Stack, clinician string) []string {
	t.Helper()
	rows, err := svc.Pool.Query(t.Context(), `SELECT event_id::text FROM `+svc.Schema+`.events WHERE stream_id = $1 ORDER BY version`,
		notify.FeedStream(clinician))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestAssignmentsRefuseABadClinicianOrLastEventID(t *testing.T) {
	svc := servicetest.Start(t, "notify", notifysvc.Options(directory.Demo(), notifysvc.WebhookConfig{AllowHTTP: true, AllowPrivateNetworks: true, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Timeout: time.Second}))
	p := &publisher{js: svc.JS, versions: map[string]int64{}}
	p.publish(t, patient(1), "visit-v1", assigned(jess, time.Hour), "")
	awaitFeeds(t, svc, map[string]int{jess: 1})

	refused := func(path string, headers map[string]string, field string) {
		t.Helper()
		r := svc.Do("GET", path, nil, headers)
		if r.Status != http.StatusBadRequest {
			t.Errorf("GET %s %v = %d %s, want 400", path, headers, r.Status, r.Body)
			return
		}
		if pr := r.Problem(t); len(pr.Errors) != 1 || pr.Errors[0].Field != field {
			t.Errorf("GET %s %v: problem %+v, want one naming %s", path, headers, pr, field)
		}
	}
	for _, bad := range []string{"Para-Jess-Patel", "para_jess_patel", "-jess", "j", strings.Repeat("a", 65), "para%20jess", "para.jess"} {
		refused("/v1/clinicians/"+bad+"/assignments", nil, "clinician")
		refused("/v1/clinicians/"+bad+"/assignments/stream", nil, "clinician")
	}
	// Ids this feed never sent: not a version, or beyond the feed.
	for _, bad := range []string{"abc", "-1", "+1", "1.1", "99999999999999999999", "2"} {
		refused("/v1/clinicians/"+jess+"/assignments/stream", map[string]string{"Last-Event-ID": bad}, "Last-Event-ID")
	}
}
