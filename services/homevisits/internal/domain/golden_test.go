package domain_test

import (
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

// Golden histories are recorded event streams replayed through today's
// decoders and EvolveVisit. They are written once, with
//
//	go test ./services/homevisits/internal/domain -run TestGoldenHistories -update
//
// which writes only the files that are missing: a fixture is never
// rewritten. A change to an event's schema adds a new fixture (and an
// upcaster) and leaves the old ones to prove old streams still replay.
var update = flag.Bool("update", false, "write golden histories missing from testdata/")

type step struct {
	actor  events.Actor
	at     time.Time
	decide aggregate.Decide[domain.VisitState]
}

type golden struct {
	file  string
	id    string
	steps []step // how the fixture was recorded (used with -update only)
	want  domain.VisitState
}

var (
	coordinator = events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: "U84001"}
	reception   = events.Actor{ID: "rx-desk-l84001", Role: "receptionist", Org: "L84001"}
	dutyGP      = events.Actor{ID: drOkafor, Role: "gp", Org: "L84001"}
	asJess      = events.Actor{ID: jess, Role: "paramedic", Org: "U84001"}
	asOwen      = events.Actor{ID: owen, Role: "paramedic", Org: "U84001"}
	asSam       = events.Actor{ID: sam, Role: "advanced-clinical-practitioner", Org: "U84001"}
	asMaria     = events.Actor{ID: "dn-maria-silva", Role: "district-nurse", Org: "U84001"}
	asDrHughes  = events.Actor{ID: "gp-tom-hughes", Role: "gp", Org: "L84002"}
	timer       = events.Actor{ID: "careweave-homevisits", Role: "system", Org: "careweave"}
)

// Tuesday 13 January 2026 (GMT) and Saturday 24 October 2026 (BST, the eve
// of the clocks going back).
var (
	jan = func(h, m int) time.Time { return time.Date(2026, 1, 13, h, m, 0, 0, time.UTC) }
	oct = func(d, h, m int) time.Time { return time.Date(2026, 10, d, h, m, 0, 0, time.UTC) }
)

func goldens() []golden {
	gp := func(now time.Time, urgency string, outcome homevisits.TriageOutcome) domain.TriageVisitCmd {
		return domain.TriageVisitCmd{TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: urgency,
			Outcome: outcome, Now: now}
	}
	return []golden{
		{
			file: "timed_out_then_reassigned.json", id: "0190f4c2-timed-out-then-reassigned",
			steps: []step{
				{reception, jan(14, 0), domain.RequestVisit(domain.RequestVisitCmd{Patient: "pt-golden-6", Practice: "L84001",
					PCN: "U84001", Reason: "Breathless since yesterday", Source: homevisits.SourcePhone,
					Caller: homevisits.CallerPatient, Now: jan(14, 0)})},
				{dutyGP, jan(14, 5), domain.TriageVisit(rules, gp(jan(14, 5), "same-day", ""))},
				{coordinator, jan(14, 10), domain.AssignVisit(rules, domain.AssignVisitCmd{ClinicianID: jess,
					Role: homevisits.RoleParamedic, Now: jan(14, 10)})},
				{timer, jan(14, 26), domain.TimeOutAssignment(rules, jan(14, 26))},
				{coordinator, jan(14, 30), domain.ReassignVisit(rules, domain.ReassignVisitCmd{ClinicianID: owen,
					Role: homevisits.RoleParamedic, Reason: "Jess did not accept", Now: jan(14, 30)})},
				{asOwen, jan(14, 32), domain.AcceptVisit(domain.AcceptVisitCmd{ClinicianID: owen, Now: jan(14, 32)})},
			},
			want: domain.VisitState{
				Status: domain.StatusAccepted, Patient: "pt-golden-6", Practice: "L84001", PCN: "U84001",
				Reason: "Breathless since yesterday", Source: homevisits.SourcePhone, Caller: homevisits.CallerPatient,
				RequestedAt: jan(14, 0), TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "same-day",
				Window:    homevisits.Window{NotBefore: jan(14, 5), VisitBy: jan(22, 5)},
				TriagedAt: jan(14, 5), ClinicianID: owen, Role: homevisits.RoleParamedic, AssignedAt: jan(14, 30),
				AcceptedAt: jan(14, 32),
			},
		},
		{
			file: "completed_after_decline.json", id: "0190f4c2-completed-after-decline",
			steps: []step{
				{reception, jan(9, 5), domain.RequestVisit(domain.RequestVisitCmd{Patient: "pt-golden-1", Practice: "L84001",
					PCN: "U84001", CareHome: "home-willow-court", Reason: "Found on floor, hip pain",
					Source: homevisits.SourceCareHome, Caller: homevisits.CallerCareHomeStaff, Now: jan(9, 5)})},
				{dutyGP, jan(9, 20), domain.TriageVisit(rules, domain.TriageVisitCmd{TriagedBy: drOkafor,
					TriagedByRole: homevisits.RoleGP, Urgency: "urgent", Notes: "Query NOF fracture", Now: jan(9, 20)})},
				{coordinator, jan(9, 25), domain.AssignVisit(rules, domain.AssignVisitCmd{ClinicianID: jess,
					Role: homevisits.RoleParamedic, Now: jan(9, 25)})},
				{asJess, jan(9, 27), domain.DeclineVisit(domain.DeclineVisitCmd{ClinicianID: jess,
					Reason: "Committed to a 999 call", Now: jan(9, 27)})},
				{coordinator, jan(9, 30), domain.ReassignVisit(rules, domain.ReassignVisitCmd{ClinicianID: sam,
					Role: homevisits.RoleAdvancedPractitioner, Reason: "Jess declined", Now: jan(9, 30)})},
				{asSam, jan(9, 31), domain.AcceptVisit(domain.AcceptVisitCmd{ClinicianID: sam, Now: jan(9, 31)})},
				{asSam, jan(9, 45), domain.MarkEnRoute(domain.MarkEnRouteCmd{ClinicianID: sam, Now: jan(9, 45)})},
				{asSam, jan(10, 5), domain.MarkOnSite(domain.MarkOnSiteCmd{ClinicianID: sam, Now: jan(10, 5)})},
				{asSam, jan(10, 50), domain.CompleteVisit(domain.CompleteVisitCmd{ClinicianID: sam,
					Outcome: homevisits.OutcomeReferredToCommunityTeam, Notes: "No fracture; falls team referral",
					Now: jan(10, 50)})},
			},
			want: domain.VisitState{
				Status: domain.StatusCompleted, Patient: "pt-golden-1", Practice: "L84001", PCN: "U84001",
				CareHome: "home-willow-court", Reason: "Found on floor, hip pain", Source: homevisits.SourceCareHome,
				Caller: homevisits.CallerCareHomeStaff, RequestedAt: jan(9, 5),
				TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "urgent",
				Window:      homevisits.Window{NotBefore: jan(9, 20), VisitBy: jan(11, 20)},
				TriageNotes: "Query NOF fracture", TriagedAt: jan(9, 20),
				ClinicianID: sam, Role: homevisits.RoleAdvancedPractitioner, AssignedAt: jan(9, 30),
				AcceptedAt: jan(9, 31), EnRouteAt: jan(9, 45), ArrivedAt: jan(10, 5),
				Outcome: homevisits.OutcomeReferredToCommunityTeam, CompletionNotes: "No fracture; falls team referral",
				ClosedAt: jan(10, 50),
			},
		},
		{
			file: "triaged_without_visit.json", id: "0190f4c2-triaged-without-visit",
			steps: []step{
				{reception, jan(8, 40), domain.RequestVisit(domain.RequestVisitCmd{Patient: "pt-golden-2", Practice: "L84002",
					PCN: "U84001", Reason: "Repeat UTI symptoms, housebound", Source: homevisits.SourceOnline,
					Caller: homevisits.CallerPatient, Now: jan(8, 40)})},
				{dutyGP, jan(9, 0), domain.TriageVisit(rules, gp(jan(9, 0), "", homevisits.TriagePrescription))},
			},
			want: domain.VisitState{
				Status: domain.StatusTriagedNoVisit, Patient: "pt-golden-2", Practice: "L84002", PCN: "U84001",
				Reason: "Repeat UTI symptoms, housebound", Source: homevisits.SourceOnline, Caller: homevisits.CallerPatient,
				RequestedAt: jan(8, 40), TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP,
				TriageOutcome: homevisits.TriagePrescription, TriagedAt: jan(9, 0), ClosedAt: jan(9, 0),
			},
		},
		{
			file: "retriaged_then_cancelled_en_route.json", id: "0190f4c2-cancelled-en-route",
			steps: []step{
				{reception, oct(24, 8, 10), domain.RequestVisit(domain.RequestVisitCmd{Patient: "pt-golden-3",
					Practice: "L84001", PCN: "U84001", Reason: "More breathless this week", Source: homevisits.SourcePhone,
					Caller: homevisits.CallerRelative, Now: oct(24, 8, 10)})},
				{dutyGP, oct(24, 9, 0), domain.TriageVisit(rules, gp(oct(24, 9, 0), "routine", ""))},
				{coordinator, oct(24, 9, 30), domain.AssignVisit(rules, domain.AssignVisitCmd{ClinicianID: owen,
					Role: homevisits.RoleParamedic, Now: oct(24, 9, 30)})},
				{dutyGP, oct(24, 11, 0), domain.TriageVisit(rules, domain.TriageVisitCmd{TriagedBy: drOkafor,
					TriagedByRole: homevisits.RoleGP, Urgency: "urgent", Notes: "Daughter rang: worse, new confusion",
					Now: oct(24, 11, 0)})},
				{asOwen, oct(24, 11, 10), domain.MarkEnRoute(domain.MarkEnRouteCmd{ClinicianID: owen, Now: oct(24, 11, 10)})},
				{reception, oct(24, 11, 25), domain.CancelVisit(domain.CancelVisitCmd{
					Reason: homevisits.CancelAdmittedBeforeVisit, Notes: "Daughter called 999; admitted", Now: oct(24, 11, 25)})},
			},
			want: domain.VisitState{
				Status: domain.StatusCancelled, Patient: "pt-golden-3", Practice: "L84001", PCN: "U84001",
				Reason: "More breathless this week", Source: homevisits.SourcePhone, Caller: homevisits.CallerRelative,
				RequestedAt: oct(24, 8, 10), TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "urgent",
				Window:      homevisits.Window{NotBefore: oct(24, 11, 0), VisitBy: oct(24, 13, 0)},
				TriageNotes: "Daughter rang: worse, new confusion", TriagedAt: oct(24, 11, 0),
				ClinicianID: owen, Role: homevisits.RoleParamedic, AssignedAt: oct(24, 9, 30),
				AcceptedAt: oct(24, 11, 10), EnRouteAt: oct(24, 11, 10),
				CancelReason: homevisits.CancelAdmittedBeforeVisit, CancelNotes: "Daughter called 999; admitted",
				ClosedAt: oct(24, 11, 25),
			},
		},
		{
			file: "no_access.json", id: "0190f4c2-no-access",
			steps: []step{
				{reception, jan(10, 0), domain.RequestVisit(domain.RequestVisitCmd{Patient: "pt-golden-4", Practice: "L84003",
					PCN: "U84001", Reason: "Leg ulcer dressing overdue", Source: homevisits.Source111,
					Caller: homevisits.CallerProfessional, Now: jan(10, 0)})},
				{dutyGP, jan(10, 30), domain.TriageVisit(rules, gp(jan(10, 30), "same-day", ""))},
				{coordinator, jan(10, 40), domain.AssignVisit(rules, domain.AssignVisitCmd{ClinicianID: "dn-maria-silva",
					Role: homevisits.RoleDistrictNurse, Now: jan(10, 40)})},
				{asMaria, jan(14, 0), domain.MarkOnSite(domain.MarkOnSiteCmd{ClinicianID: "dn-maria-silva", Now: jan(14, 0)})},
				{asMaria, jan(14, 15), domain.RecordNoAccess(domain.RecordNoAccessCmd{ClinicianID: "dn-maria-silva",
					Reason: "No answer; neighbour says patient is at daughter's", Now: jan(14, 15)})},
			},
			want: domain.VisitState{
				Status: domain.StatusNoAccess, Patient: "pt-golden-4", Practice: "L84003", PCN: "U84001",
				Reason: "Leg ulcer dressing overdue", Source: homevisits.Source111, Caller: homevisits.CallerProfessional,
				RequestedAt: jan(10, 0), TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "same-day",
				Window:    homevisits.Window{NotBefore: jan(10, 30), VisitBy: jan(18, 30)},
				TriagedAt: jan(10, 30), ClinicianID: "dn-maria-silva", Role: homevisits.RoleDistrictNurse,
				AssignedAt: jan(10, 40), AcceptedAt: jan(14, 0), ArrivedAt: jan(14, 0),
				NoAccessReason: "No answer; neighbour says patient is at daughter's", ClosedAt: jan(14, 15),
			},
		},
		{
			file: "escalated_on_site.json", id: "0190f4c2-escalated-on-site",
			steps: []step{
				{reception, jan(11, 0), domain.RequestVisit(domain.RequestVisitCmd{Patient: "pt-golden-5", Practice: "L84002",
					PCN: "U84001", Reason: "Palliative patient, more pain", Source: homevisits.SourcePhone,
					Caller: homevisits.CallerCarer, Now: jan(11, 0)})},
				{dutyGP, jan(11, 10), domain.TriageVisit(rules, gp(jan(11, 10), "urgent", ""))},
				{coordinator, jan(11, 15), domain.AssignVisit(rules, domain.AssignVisitCmd{ClinicianID: "gp-tom-hughes",
					Role: homevisits.RoleGP, Now: jan(11, 15)})},
				{asDrHughes, jan(11, 16), domain.AcceptVisit(domain.AcceptVisitCmd{ClinicianID: "gp-tom-hughes", Now: jan(11, 16)})},
				{asDrHughes, jan(12, 0), domain.MarkEnRoute(domain.MarkEnRouteCmd{ClinicianID: "gp-tom-hughes", Now: jan(12, 0)})},
				{asDrHughes, jan(12, 20), domain.MarkOnSite(domain.MarkOnSiteCmd{ClinicianID: "gp-tom-hughes", Now: jan(12, 20)})},
				{asDrHughes, jan(12, 35), domain.EscalateVisit(domain.EscalateVisitCmd{To: homevisits.EscalateTo999,
					Reason: "Signs of spinal cord compression", Now: jan(12, 35)})},
			},
			want: domain.VisitState{
				Status: domain.StatusEscalated, Patient: "pt-golden-5", Practice: "L84002", PCN: "U84001",
				Reason: "Palliative patient, more pain", Source: homevisits.SourcePhone, Caller: homevisits.CallerCarer,
				RequestedAt: jan(11, 0), TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "urgent",
				Window:    homevisits.Window{NotBefore: jan(11, 10), VisitBy: jan(13, 10)},
				TriagedAt: jan(11, 10), ClinicianID: "gp-tom-hughes", Role: homevisits.RoleGP,
				AssignedAt: jan(11, 15), AcceptedAt: jan(11, 16), EnRouteAt: jan(12, 0), ArrivedAt: jan(12, 20),
				EscalatedTo: homevisits.EscalateTo999, EscalationReason: "Signs of spinal cord compression",
				ClosedAt: jan(12, 35),
			},
		},
	}
}

func TestGoldenHistories(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range goldens() {
		t.Run(g.file, func(t *testing.T) {
			path := filepath.Join("testdata", g.file)
			if *update {
				writeMissing(t, path, g)
			}
			envs := readHistory(t, path)
			for i, env := range envs {
				seen[env.Type] = true
				if env.StreamID != "visit-"+g.id || env.StreamVersion != int64(i+1) {
					t.Fatalf("event %d is %s@%d; want visit-%s@%d", i, env.StreamID, env.StreamVersion, g.id, i+1)
				}
				if env.Subject != g.want.Patient || env.Area != g.want.PCN {
					t.Fatalf("event %d is routed to %s/%s; want %s/%s", i, env.Subject, env.Area, g.want.Patient, g.want.PCN)
				}
			}
			got, err := aggregate.Replay(visitType, g.id, envs)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != int64(len(envs)) || got.State != g.want {
				t.Fatalf("replayed to version %d:\n got %+v\nwant %+v", got.Version, got.State, g.want)
			}
		})
	}
	for _, d := range homevisits.All() {
		if !seen[d.EventType()] {
			t.Errorf("no golden history holds %s", d.EventType())
		}
	}
}

// readHistory decodes a fixture: a JSON array of envelopes, each validated
// as a consumer would.
func readHistory(t *testing.T, path string) []events.Envelope {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (write missing fixtures with -update)", err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		t.Fatal(err)
	}
	envs := make([]events.Envelope, len(raws))
	for i, raw := range raws {
		if envs[i], err = events.Decode(raw); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	return envs
}

// writeMissing records g's steps as the repository would, with a fixed clock
// and ids, and writes them unless the file exists.
func writeMissing(t *testing.T, path string, g golden) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Logf("%s exists; fixtures are never rewritten", path)
		return
	}
	var (
		state   domain.VisitState
		version int64
		envs    []events.Envelope
	)
	for i, st := range g.steps {
		decided, err := st.decide(state, version)
		if err != nil || len(decided) == 0 {
			t.Fatalf("step %d: decided %v, %v", i, decided, err)
		}
		for _, d := range decided {
			state = domain.EvolveVisit(state, d)
		}
		subject, area := domain.RouteVisit(state)
		for _, d := range decided {
			version++
			env, err := events.New(d, events.Metadata{
				ID: goldenID(st.at, version), Time: st.at, Subject: subject, Area: area,
				CorrelationID: g.id + "-step-" + string(rune('a'+i)), Actor: st.actor,
			})
			if err != nil {
				t.Fatal(err)
			}
			env.StreamID, env.StreamVersion = "visit-"+g.id, version
			if _, err := env.Encode(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			envs = append(envs, env)
		}
	}
	b, err := json.MarshalIndent(envs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// goldenID is a UUIDv7 for at whose random bits are the stream version, so
// recording a fixture twice gives the same file.
func goldenID(at time.Time, version int64) events.ID {
	id := events.NewID(at)
	for i := 6; i < 16; i++ {
		id[i] = 0
	}
	id[6], id[8], id[15] = 0x70, 0x80, byte(version)
	return id
}
