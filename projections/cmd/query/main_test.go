package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	dc "github.com/careweave/careweave/events/discharge"
	hv "github.com/careweave/careweave/events/homevisits"
	mr "github.com/careweave/careweave/events/medreviews"
	pe "github.com/careweave/careweave/events/patients"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/servicetest"
	"github.com/careweave/careweave/kit/testkit"
	"github.com/careweave/careweave/projections"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const patient = "01a20900-0000-7000-8000-000000000042"

type page struct {
	Patient    string
	NextCursor string
	Entries    []struct {
		EventID, Service, EventType, Summary, Status, StatusReason string
		OccurredAt                                                 time.Time
	}
	Freshness struct {
		Partition int
		StreamSeq int64
	}
}

func publish(t *testing.T, js jetstream.JetStream, stream string, version int64, at time.Time, data events.Data) {
	t.Helper()
	publishFor(t, js, patient, stream, version, at, data)
}

// register puts who on the registry in pcn: what a care coordinator's
// relationship with a patient rests on.
func register(t *testing.T, js jetstream.JetStream, who, pcn string) {
	t.Helper()
	publishFor(t, js, who, "patient-"+who, 1, time.Now().UTC(), pe.PatientRegistered{Patient: who, Practice: "L84001", PCN: pcn, TraceStatus: pe.TraceVerified})
}

func publishFor(t *testing.T, js jetstream.JetStream, who, stream string, version int64, at time.Time, data events.Data) {
	t.Helper()
	en, err := events.New(data, events.Metadata{ID: events.NewID(at), Time: at, Subject: who, Area: "U84001",
		CorrelationID: "test", Actor: events.Actor{ID: "dc-hannah-lee", Role: "discharge-coordinator", Org: "RTE"}})
	if err != nil {
		t.Fatal(err)
	}
	en.StreamID, en.StreamVersion = stream, version
	b, err := en.Encode()
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := events.SubjectOf(&en)
	if _, err := js.PublishMsg(t.Context(), &nats.Msg{Subject: subject, Data: b, Header: nats.Header{jetstream.MsgIDHeader: []string{en.ID.String()}}}); err != nil {
		t.Fatal(err)
	}
}

// breakGlass lets the test's caller read patient: these tests are about
// what the read models hold, not who may read them (authz_test.go).
func breakGlass(t *testing.T, q *servicetest.Stack, who string) {
	t.Helper()
	if r := q.Do("POST", "/v1/patients/"+who+"/break-glass", map[string]string{"reason": "testing the read models"}, nil); r.Status != 201 {
		t.Fatalf("break glass = %d %s", r.Status, r.Body)
	}
}

func TestTimelineServedWithFreshnessPaginationAndRetractions(t *testing.T) {
	infra := servicetest.NewInfra(t)
	servicetest.StartIn(t, infra, "projector", projections.ProjectorOptions(nil))
	q := servicetest.StartIn(t, infra, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))
	breakGlass(t, q, patient)

	t0 := time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC)
	stay := "stay-01a20900-0000-7000-9000-000000000001"
	visit := "visit-01a20900-0000-7000-9000-000000000002"
	publish(t, q.JS, stay, 1, t0, dc.PatientAdmitted{StayID: "01a20900-0000-7000-9000-000000000001", Patient: patient, HospitalSite: "RTE01", Ward: "Ward 7", AdmittedAt: t0,
		Method: dc.AdmissionEmergency, Practice: "L84001", PCN: "U84001"})
	publish(t, q.JS, stay, 2, t0.Add(2*time.Hour), dc.PatientDischarged{DischargedAt: t0.Add(2 * time.Hour), Method: dc.DischargeOwnTransport,
		Destination: dc.DestinationUsualResidence, Pathway: dc.PathwayP1, HospitalSite: "RTE01", Ward: "Ward 7", Practice: "L84001",
		SummaryDueBy: t0.Add(26 * time.Hour), FollowUpDueBy: t0.Add(26 * time.Hour)})
	publish(t, q.JS, visit, 1, t0.Add(3*time.Hour), hv.VisitRequested{Patient: patient, Practice: "L84001", PCN: "U84001", Reason: "dizzy after discharge",
		Source: hv.SourcePhone, Caller: hv.CallerRelative, RequestedAt: t0.Add(3 * time.Hour)})
	publish(t, q.JS, stay, 3, t0.Add(4*time.Hour), dc.DischargeCancelled{Reason: dc.CancelEnteredInError, CancelledAt: t0.Add(4 * time.Hour), DischargedAt: t0.Add(2 * time.Hour)})

	path := "/v1/patients/" + patient + "/timeline"
	var p page
	testkit.Eventually(t, 30*time.Second, func() bool {
		r := q.Do("GET", path, nil, nil)
		r.JSON(t, &p)
		// The freshness is read before the entries, so it may trail them.
		return len(p.Entries) == 4 && p.Freshness.StreamSeq >= 4
	}, "timeline has %d of 4 entries, freshness %+v", len(p.Entries), p.Freshness)
	if p.Freshness.Partition != events.Partition(patient) || p.Freshness.StreamSeq < 4 {
		t.Fatalf("freshness = %+v", p.Freshness)
	}
	wantTypes := []string{"patient_admitted", "patient_discharged", "visit_requested", "discharge_cancelled"}
	for i, e := range p.Entries {
		if tn, _ := events.ParseTypeName(e.EventType); tn.Event != wantTypes[i] {
			t.Fatalf("entry %d is %s, want %s (in order)", i, e.EventType, wantTypes[i])
		}
	}
	if d := p.Entries[1]; d.Status != "retracted" || d.StatusReason == "" {
		t.Fatalf("the cancelled discharge shows as %q (%q), want retracted with a reason", d.Status, d.StatusReason)
	}

	// Pages of one, followed by cursor, give the same entries in order.
	var seen []string
	cursor := ""
	for range 10 {
		r := q.Do("GET", path+"?limit=1&cursor="+url.QueryEscape(cursor), nil, nil)
		var pg page
		r.JSON(t, &pg)
		for _, e := range pg.Entries {
			seen = append(seen, e.EventID)
		}
		if cursor = pg.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != 4 || seen[0] != p.Entries[0].EventID || seen[3] != p.Entries[3].EventID {
		t.Fatalf("paged through %v", seen)
	}

	// Filters.
	var f page
	q.Do("GET", path+"?service=homevisits", nil, nil).JSON(t, &f)
	if len(f.Entries) != 1 || f.Entries[0].Service != "homevisits" {
		t.Fatalf("service filter: %+v", f.Entries)
	}
	q.Do("GET", path+"?from="+url.QueryEscape(t0.Add(150*time.Minute).Format(time.RFC3339)), nil, nil).JSON(t, &f)
	if len(f.Entries) != 2 {
		t.Fatalf("from filter gave %d entries, want 2", len(f.Entries))
	}

	for _, bad := range []string{"?limit=0", "?limit=x", "?cursor=zzz", "?type=nonsense", "?from=yesterday", "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "?service=Home%20Visits"} {
		r := q.Do("GET", path+bad, nil, nil)
		if r.Status != 400 || len(r.Problem(t).Errors) == 0 {
			t.Errorf("GET %s = %d %s", bad, r.Status, r.Body)
		}
	}
	if r := q.Do("GET", "/v1/patients/9990000018/timeline", nil, nil); r.Status != 400 {
		t.Errorf("an NHS number instead of a reference = %d", r.Status)
	}
}

// sse reads a live feed until it has n events or the deadline passes, then
// disconnects; it returns each event's id and entry.
func sse(t *testing.T, q *servicetest.Stack, patient, lastID string, n int) (ids []string, entries []map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", q.URL+"/v1/patients/"+patient+"/timeline/stream", nil)
	q.Authorize(req)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	var id string
	for len(ids) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			var e map[string]any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e); err != nil {
				t.Fatal(err)
			}
			ids, entries = append(ids, id), append(entries, e)
		}
	}
	if len(ids) < n {
		t.Fatalf("feed gave %d of %d events", len(ids), n)
	}
	return ids, entries
}

func TestLiveFeedResumesWithoutMissingOrRepeating(t *testing.T) {
	infra := servicetest.NewInfra(t)
	servicetest.StartIn(t, infra, "projector", projections.ProjectorOptions(nil))
	q := servicetest.StartIn(t, infra, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))
	breakGlass(t, q, patient)
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	stay := "stay-01a20900-0000-7000-9000-000000000001"
	publish(t, q.JS, stay, 1, t0, dc.PatientAdmitted{StayID: "01a20900-0000-7000-9000-000000000001", Patient: patient, HospitalSite: "RTE01",
		Ward: "Ward 7", AdmittedAt: t0, Method: dc.AdmissionEmergency, Practice: "L84001", PCN: "U84001"})
	publish(t, q.JS, stay, 2, t0.Add(time.Hour), dc.PatientDischarged{DischargedAt: t0.Add(time.Hour), Method: dc.DischargeOwnTransport,
		Destination: dc.DestinationUsualResidence, Pathway: dc.PathwayP1, HospitalSite: "RTE01", Ward: "Ward 7", Practice: "L84001",
		SummaryDueBy: t0.Add(25 * time.Hour), FollowUpDueBy: t0.Add(25 * time.Hour)})

	first, entries := sse(t, q, patient, "", 2)
	if entries[1]["status"] != "recorded" {
		t.Fatalf("discharge first sent as %v", entries[1]["status"])
	}
	// Disconnected: the discharge is cancelled and a visit requested meanwhile.
	publish(t, q.JS, stay, 3, t0.Add(2*time.Hour), dc.DischargeCancelled{Reason: dc.CancelEnteredInError, CancelledAt: t0.Add(2 * time.Hour), DischargedAt: t0.Add(time.Hour)})
	publish(t, q.JS, "visit-01a20900-0000-7000-9000-000000000002", 1, t0.Add(3*time.Hour), hv.VisitRequested{Patient: patient, Practice: "L84001",
		PCN: "U84001", Reason: "dizzy", Source: hv.SourcePhone, Caller: hv.CallerRelative, RequestedAt: t0.Add(3 * time.Hour)})

	// Resumed: the retraction of the discharge, the cancellation and the
	// request — each once, none of what was already sent unchanged.
	ids, later := sse(t, q, patient, first[1], 3)
	prev := feedChange(t, first[1])
	for i, e := range later {
		id := feedChange(t, ids[i])
		if id <= prev {
			t.Fatalf("event id %s is not after %d: repeated or out of order", ids[i], prev)
		}
		prev = id
		if e["eventId"] == entries[0]["eventId"] {
			t.Fatalf("the unchanged admission was sent again")
		}
	}
	retracted := false
	for _, e := range later {
		if e["eventId"] == entries[1]["eventId"] && e["status"] == "retracted" {
			retracted = true
		}
	}
	if !retracted {
		t.Fatalf("the discharge's retraction never came down the feed: %v", later)
	}
}

// An open feed hears of a new entry from the watcher, which looks once for
// every feed: with the feed's own recheck set to an hour, the entry can
// only come because the watcher woke it.
func TestAnOpenFeedIsWokenByTheWatcher(t *testing.T) {
	infra := servicetest.NewInfra(t)
	servicetest.StartIn(t, infra, "projector", projections.ProjectorOptions(nil))
	q := servicetest.StartIn(t, infra, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo(), FeedRecheck: time.Hour}))
	breakGlass(t, q, patient)
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	stay := "stay-01a20900-0000-7000-9000-000000000001"
	admitted := dc.PatientAdmitted{StayID: "01a20900-0000-7000-9000-000000000001", Patient: patient, HospitalSite: "RTE01",
		Ward: "Ward 7", AdmittedAt: t0, Method: dc.AdmissionEmergency, Practice: "L84001", PCN: "U84001"}
	publish(t, q.JS, stay, 1, t0, admitted)
	testkit.Eventually(t, 30*time.Second, func() bool {
		var page struct{ Entries []any }
		q.Do("GET", "/v1/patients/"+patient+"/timeline", nil, nil).JSON(t, &page)
		return len(page.Entries) == 1
	}, "the admission never reached the timeline")

	// The feed sends the admission at once; the discharge is published
	// once it has, so it can only come down the feed while the feed is open.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // before the 15 s keep-alive, which also looks
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", q.URL+"/v1/patients/"+patient+"/timeline/stream", nil)
	q.Authorize(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	entries := 0
	for entries < 2 && sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "data: ") {
			continue
		}
		if entries++; entries == 1 {
			// Past the watcher's first look (which wakes every feed, as it
			// cannot know what changed before it), so only a wake for this
			// patient can bring the discharge.
			time.Sleep(3 * 250 * time.Millisecond)
			publish(t, q.JS, stay, 2, t0.Add(time.Hour), dc.PatientDischarged{DischargedAt: t0.Add(time.Hour), Method: dc.DischargeOwnTransport,
				Destination: dc.DestinationUsualResidence, Pathway: dc.PathwayP1, HospitalSite: "RTE01", Ward: "Ward 7", Practice: "L84001",
				SummaryDueBy: t0.Add(25 * time.Hour), FollowUpDueBy: t0.Add(25 * time.Hour)})
		}
	}
	if entries != 2 {
		t.Fatalf("the open feed gave %d of 2 entries in 10 s: the watcher did not wake it", entries)
	}
}

// feedChange is the change number of a live feed event id, in generation 1
// (no test here rebuilds).
func feedChange(t *testing.T, id string) int64 {
	t.Helper()
	change, ok := strings.CutPrefix(id, "1.")
	n, err := strconv.ParseInt(change, 10, 64)
	if !ok || err != nil {
		t.Fatalf("feed event id %q: want 1.<change number>", id)
	}
	return n
}

func TestAssignmentBoardShowsEachClinicianTheirOpenVisits(t *testing.T) {
	infra := servicetest.NewInfra(t)
	servicetest.StartIn(t, infra, "projector", projections.ProjectorOptions(nil))
	q := servicetest.StartIn(t, infra, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))
	t0 := time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC) // the window crosses the end of summer time
	win := hv.Window{NotBefore: t0, VisitBy: t0.Add(2 * time.Hour)}
	v1, v2, v3 := "visit-01a20900-0000-7000-9000-0000000000a1", "visit-01a20900-0000-7000-9000-0000000000a2", "visit-01a20900-0000-7000-9000-0000000000a3"
	requested := hv.VisitRequested{Patient: patient, Practice: "L84001", PCN: "U84001", Reason: "fall", Source: hv.SourcePhone, Caller: hv.CallerRelative, RequestedAt: t0}
	triaged := hv.VisitTriaged{TriagedBy: "gp-amara-okafor", TriagedByRole: "gp", Urgency: "urgent", Window: win, TriagedAt: t0}
	for _, v := range []string{v1, v2, v3} {
		publish(t, q.JS, v, 1, t0, requested)
		publish(t, q.JS, v, 2, t0, triaged)
		publish(t, q.JS, v, 3, t0, hv.VisitAssigned{ClinicianID: "para-jess-patel", Role: "paramedic", Urgency: "urgent", Window: win, AssignedAt: t0})
	}
	publish(t, q.JS, v1, 4, t0, hv.AssignmentAccepted{ClinicianID: "para-jess-patel", Role: "paramedic", AcceptedAt: t0})
	publish(t, q.JS, v2, 4, t0, hv.VisitCancelled{Reason: "patient-cancelled", ClinicianID: "para-jess-patel", Role: "paramedic", CancelledAt: t0})
	publish(t, q.JS, v3, 4, t0, hv.AssignmentTimedOut{ClinicianID: "para-jess-patel", Role: "paramedic", AssignedAt: t0, AcceptBy: t0, TimedOutAt: t0})

	type board struct {
		Visits []struct {
			Visit, Status, WindowLondon string
		}
		Freshness struct{ Partitions int }
	}
	var b board
	testkit.Eventually(t, 30*time.Second, func() bool {
		q.Do("GET", "/v1/clinicians/para-jess-patel/visits", nil, nil).JSON(t, &b)
		return len(b.Visits) == 1 && b.Visits[0].Status == "accepted"
	}, "Jess's board: %+v", b)
	if b.Visits[0].Visit != strings.TrimPrefix(v1, "visit-") || !strings.Contains(b.Visits[0].WindowLondon, "BST") || !strings.Contains(b.Visits[0].WindowLondon, "GMT") {
		t.Fatalf("board entry %+v: want visit 1 with its window in London time across the clock change", b.Visits[0])
	}
	if b.Freshness.Partitions == 0 {
		t.Fatal("the board does not say how fresh it is")
	}

	// Reassigned: off Jess's board, onto Owen's; the timed-out visit too.
	for _, v := range []string{v1, v3} {
		publish(t, q.JS, v, 5, t0, hv.VisitReassigned{FromClinicianID: "para-jess-patel", FromRole: "paramedic", ClinicianID: "para-owen-jones", Role: "paramedic",
			Urgency: "urgent", Window: win, ReassignedAt: t0})
	}
	testkit.Eventually(t, 30*time.Second, func() bool {
		var owen board
		q.Do("GET", "/v1/clinicians/para-owen-jones/visits", nil, nil).JSON(t, &owen)
		q.Do("GET", "/v1/clinicians/para-jess-patel/visits", nil, nil).JSON(t, &b)
		return len(owen.Visits) == 2 && owen.Visits[0].Status == "assigned" && owen.Visits[1].Status == "assigned" && len(b.Visits) == 0
	}, "reassignment not reflected")
	if r := q.Do("GET", "/v1/clinicians/Jess%20Patel/visits", nil, nil); r.Status != 400 {
		t.Fatalf("a bad clinician id = %d", r.Status)
	}
}

func TestDischargeWorklistFlagsOverdueAndShowsRetractions(t *testing.T) {
	infra := servicetest.NewInfra(t)
	servicetest.StartIn(t, infra, "projector", projections.ProjectorOptions(nil))
	q := servicetest.StartIn(t, infra, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))
	past := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
	future := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
	assign := func(stay string, due time.Time) {
		publish(t, q.JS, stay, 1, past, dc.FollowUpAssigned{TeamID: "team-severn-ict", AssignedAt: past, DueBy: due, DischargedAt: past,
			Pathway: dc.PathwayP1, Needs: []dc.FollowUpNeed{"reablement"}, Destination: dc.DestinationUsualResidence, Practice: "L84001"})
	}
	overdue, open, cancelled := "stay-01a20900-0000-7000-9000-0000000000b1", "stay-01a20900-0000-7000-9000-0000000000b2", "stay-01a20900-0000-7000-9000-0000000000b3"
	assign(overdue, past.Add(24*time.Hour))
	assign(open, future)
	assign(cancelled, future)
	publish(t, q.JS, cancelled, 2, past, dc.DischargeCancelled{Reason: dc.CancelEnteredInError, CancelledAt: past, DischargedAt: past})

	var l struct {
		Discharges []struct {
			Stay, Status string
			Overdue      bool
		}
		Freshness struct{ Partitions int }
	}
	testkit.Eventually(t, 30*time.Second, func() bool {
		q.Do("GET", "/v1/teams/team-severn-ict/discharges", nil, nil).JSON(t, &l)
		return len(l.Discharges) == 3 && l.Discharges[2].Status == "retracted"
	}, "worklist: %+v", l)
	got := map[string]string{}
	for _, d := range l.Discharges {
		got["stay-"+d.Stay] = fmt.Sprintf("%s/%v", d.Status, d.Overdue)
	}
	want := map[string]string{overdue: "assigned/true", open: "assigned/false", cancelled: "retracted/false"}
	for stay, w := range want {
		if got[stay] != w {
			t.Fatalf("%s: %q, want %q (all: %v)", stay, got[stay], w, got)
		}
	}
	var other struct{ Discharges []any }
	q.Do("GET", "/v1/teams/team-forest-ict/discharges", nil, nil).JSON(t, &other)
	if len(other.Discharges) != 0 {
		t.Fatalf("another team sees %d discharges", len(other.Discharges))
	}
}

func TestSummaryKeepsAReviewOpenUntilThePrescriberDecides(t *testing.T) {
	infra := servicetest.NewInfra(t)
	servicetest.StartIn(t, infra, "projector", projections.ProjectorOptions(nil))
	q := servicetest.StartIn(t, infra, "query", projections.QueryOptions(projections.QueryConfig{Directory: directory.Demo()}))
	breakGlass(t, q, patient)
	t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	review := "review-01a20900-0000-7000-9000-0000000000c1"
	med := mr.Medicine{Name: "Amlodipine 10mg tablets"}
	publish(t, q.JS, review, 1, t0, mr.CandidateIdentified{Patient: patient, Practice: "L84001", PCN: "U84001", Criteria: []mr.Cohort{mr.CohortPolypharmacy},
		IdentifiedBy: "pharm-ravi-shah", IdentifiedByRole: "clinical-pharmacist", IdentifiedAt: t0})
	publish(t, q.JS, review, 2, t0, mr.ReviewCompleted{Mode: mr.ModeTelephone, ClinicianID: "pharm-ravi-shah", ClinicianRole: mr.RoleClinicalPharmacist,
		CompletedAt: t0, Summary: "Reviewed", SnomedCode: "1239511000000100", FollowUpBy: t0.Add(90 * 24 * time.Hour)})
	publish(t, q.JS, review, 3, t0, mr.RecommendationRecorded{RecommendationID: "rec-1", Medicine: med, Action: mr.ActionStop, Reason: "No indication",
		RecommendedBy: "pharm-ravi-shah", RecommendedByRole: mr.RoleClinicalPharmacist, RecordedAt: t0, DecisionDueBy: t0.Add(14 * 24 * time.Hour)})

	type summary struct {
		Open []struct {
			Kind    string
			Pending int `json:"pendingDecisions"`
		}
	}
	var s summary
	testkit.Eventually(t, 30*time.Second, func() bool {
		q.Do("GET", "/v1/patients/"+patient+"/summary", nil, nil).JSON(t, &s)
		return len(s.Open) == 1 && s.Open[0].Kind == "medication-review" && s.Open[0].Pending == 1
	}, "a completed review with an undecided recommendation is not open: %+v", s)

	publish(t, q.JS, review, 4, t0, mr.RecommendationAccepted{RecommendationID: "rec-1", Medicine: med, Action: mr.ActionStop,
		PrescriberID: "gp-amara-okafor", PrescriberRole: mr.RoleGP, EnactedAt: t0})
	testkit.Eventually(t, 30*time.Second, func() bool {
		q.Do("GET", "/v1/patients/"+patient+"/summary", nil, nil).JSON(t, &s)
		return len(s.Open) == 0
	}, "the decided review is still open: %+v", s)
}
