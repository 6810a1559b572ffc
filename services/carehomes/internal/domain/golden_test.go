package domain_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
)

// Golden histories are recorded once, by running the commands below, and
// replayed for ever after through today's registry and Evolve: they prove
// that what was stored can still be read. A schema change adds a fixture and
// never edits one, so -update only writes fixtures that do not exist yet.
var update = flag.Bool("update", false, "write golden histories that do not exist yet (existing ones are never rewritten)")

var (
	gp    = events.Actor{ID: leadGP, Role: "gp", Org: "L84001"}
	coord = events.Actor{ID: "cc-nia-brown", Role: "care-coordinator", Org: area}
	kate  = events.Actor{ID: nurse, Role: "community-nurse", Org: ictTeam}
)

// step is one command of a recorded history: who ran it, when, and what.
type step[S any] struct {
	at     time.Time
	actor  events.Actor
	decide aggregate.Decide[S]
}

// record runs steps as the repository would (decide on the current state,
// evolve, route on the resulting state) and returns the envelopes it would
// append.
func record[S any](t *testing.T, typ aggregate.Type[S], id string, steps []step[S]) []events.Envelope {
	t.Helper()
	var (
		s       S
		version int64
		out     []events.Envelope
	)
	for i, st := range steps {
		decided, err := st.decide(s, version)
		if err != nil || len(decided) == 0 {
			t.Fatalf("step %d decided %v, %v", i+1, decided, err)
		}
		for _, d := range decided {
			s = typ.Evolve(s, d)
		}
		subject, area := typ.Route(s)
		for _, d := range decided {
			version++
			env, err := events.New(d, events.Metadata{
				ID: events.NewID(st.at), Time: st.at, Subject: subject, Area: area,
				CorrelationID: fmt.Sprintf("golden-%s-%d", id, i+1), Actor: st.actor,
			})
			if err != nil {
				t.Fatal(err)
			}
			env.StreamID, env.StreamVersion = typ.Name+"-"+id, version
			out = append(out, env)
		}
	}
	return out
}

// golden returns the fixture's envelopes, writing it from build first when
// it is missing and -update is set.
func golden(t *testing.T, name string, build func() []events.Envelope) []events.Envelope {
	t.Helper()
	path := filepath.Join("testdata", name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && *update {
		b, err = json.MarshalIndent(build(), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, '\n')
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	} else if err != nil {
		t.Fatalf("%v (record a missing fixture with go test -run TestGolden -update)", err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	envs := make([]events.Envelope, len(raws))
	for i, raw := range raws {
		if envs[i], err = events.Decode(raw); err != nil {
			t.Fatalf("%s[%d]: %v", path, i, err)
		}
	}
	return envs
}

func replay[S any](t *testing.T, typ aggregate.Type[S], id string, envs []events.Envelope, want S) {
	t.Helper()
	got, err := aggregate.Replay(typ, id, envs)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != int64(len(envs)) {
		t.Errorf("replayed to version %d; want %d", got.Version, len(envs))
	}
	if !reflect.DeepEqual(got.State, want) {
		g, _ := json.MarshalIndent(got.State, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("replayed state\n%s\nwant\n%s", g, w)
	}
}

func assertRouting(t *testing.T, envs []events.Envelope, subject string) {
	t.Helper()
	for _, env := range envs {
		if env.Subject != subject || env.Area != area {
			t.Errorf("%s@%d is routed to %q/%q; want %q/%q", env.Type, env.StreamVersion, env.Subject, env.Area, subject, area)
		}
	}
}

func TestGoldenRoundClosed(t *testing.T) {
	const id = "r-willow-2026-w48"
	day := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	envs := golden(t, "round_closed_v1.json", func() []events.Envelope {
		return record(t, roundType, id, []step[domain.RoundState]{
			{day(16, 9, 0), coord, domain.ScheduleRound(scheduleCmd(), rules)},
			{day(17, 11, 0), coord, domain.NominateResident(domain.NominateResidentCmd{Patient: ada, NominatedBy: "home", Reason: "two falls this week", Priority: "high"})},
			{day(18, 15, 0), gp, domain.NominateResident(domain.NominateResidentCmd{Patient: bo, NominatedBy: "mdt", Reason: "antipsychotic review", Priority: "routine"})},
			{day(19, 10, 0), coord, domain.NominateResident(nominateCy())},
			{day(23, 16, 0), coord, domain.WithdrawNomination(domain.WithdrawNominationCmd{Patient: cy, Reason: "admitted to hospital"})},
			{day(24, 12, 10), gp, domain.HoldRound(domain.HoldRoundCmd{Attendees: attendees, StartedAt: heldStart, EndedAt: heldEnd, Now: day(24, 12, 10)})},
			{day(24, 12, 20), gp, domain.ReviewResident(reviewAda())},
			{day(24, 12, 25), gp, domain.RecordNotReviewed(domain.RecordNotReviewedCmd{Patient: bo, Reason: "asleep"})},
			{day(24, 12, 30), gp, domain.RaiseAction(raiseAt(day(24, 12, 30)), rules)},
			{day(24, 12, 35), gp, domain.RaiseAction(domain.RaiseActionCmd{ActionID: "a-2", Patient: bo, Description: "nominate for next week's round", OwnerTeamID: ictTeam, DueOn: "2026-11-30", Now: day(24, 12, 35)}, rules)},
			{day(24, 12, 40), gp, domain.CloseRound(domain.CloseRoundCmd{})},
			{day(25, 9, 0), kate, domain.CompleteAction(domain.CompleteActionCmd{ActionID: "a-2", Note: "added to 2026-W49", Now: day(25, 9, 0)}, rules)},
			{day(30, 10, 0), kate, domain.CompleteAction(domain.CompleteActionCmd{ActionID: "a-1", Note: "referral sent", Now: day(30, 10, 0)}, rules)},
		})
	})
	assertRouting(t, envs, "")
	replay(t, roundType, id, envs, domain.RoundState{
		ID: id, Status: domain.RoundStatusClosed, CareHomeID: willow, Area: area, Week: "2026-W48",
		PlannedStart: plannedStart, ClinicalLead: leadGP, ClinicalLeadRole: "gp",
		Nominations: []domain.Nomination{
			{Patient: ada, NominatedBy: carehomes.NominatorHome, Reason: "two falls this week", Priority: carehomes.PriorityHigh,
				Outcome: domain.OutcomeReviewed, ReviewedBy: leadGP, ReviewerRole: "gp",
				OutcomeSummary: "no injury; lying and standing BP taken", FollowUp: "falls clinic referral"},
			{Patient: bo, NominatedBy: carehomes.NominatorMDT, Reason: "antipsychotic review", Priority: carehomes.PriorityRoutine,
				Outcome: domain.OutcomeNotReviewed, NotReviewedReason: carehomes.NotReviewedAsleep},
			{Patient: cy, NominatedBy: carehomes.NominatorHome, Reason: "weight loss", Priority: carehomes.PriorityUrgent,
				Withdrawn: true, WithdrawalReason: "admitted to hospital"},
		},
		Attendees: attendees, StartedAt: heldStart, EndedAt: heldEnd,
		Actions: []domain.Action{
			{ID: "a-1", Patient: ada, Description: "refer to falls clinic", OwnerClinicianID: nurse, OwnerRole: "community-nurse",
				DueOn: "2026-11-27", Completed: true, CompletedAt: day(30, 10, 0), CompletionNote: "referral sent", OnTime: false},
			{ID: "a-2", Patient: bo, Description: "nominate for next week's round", OwnerTeamID: ictTeam,
				DueOn: "2026-11-30", Completed: true, CompletedAt: day(25, 9, 0), CompletionNote: "added to 2026-W49", OnTime: true},
		},
	})
}

func raiseAt(now time.Time) domain.RaiseActionCmd {
	cmd := raiseCmd()
	cmd.Now = now
	return cmd
}

func TestGoldenRoundCancelled(t *testing.T) {
	const id = "r-willow-2026-w48"
	envs := golden(t, "round_cancelled_v1.json", func() []events.Envelope {
		return record(t, roundType, id, []step[domain.RoundState]{
			{time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC), coord, domain.ScheduleRound(scheduleCmd(), rules)},
			{time.Date(2026, 11, 17, 11, 0, 0, 0, time.UTC), coord, domain.NominateResident(domain.NominateResidentCmd{Patient: ada, NominatedBy: "home", Reason: "two falls this week", Priority: "high"})},
			{time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC), gp, domain.CancelRound(domain.CancelRoundCmd{Reason: "norovirus outbreak: home closed to visitors"})},
		})
	})
	assertRouting(t, envs, "")
	replay(t, roundType, id, envs, domain.RoundState{
		ID: id, Status: domain.RoundStatusCancelled, CareHomeID: willow, Area: area, Week: "2026-W48",
		PlannedStart: plannedStart, ClinicalLead: leadGP, ClinicalLeadRole: "gp",
		Nominations:  []domain.Nomination{{Patient: ada, NominatedBy: carehomes.NominatorHome, Reason: "two falls this week", Priority: carehomes.PriorityHigh}},
		CancelReason: "norovirus outbreak: home closed to visitors",
	})
}

func TestGoldenResidencyReadmitted(t *testing.T) {
	const id = "home-willow-court-pt-ada-0001"
	back := time.Date(2026, 12, 18, 16, 0, 0, 0, time.UTC)
	lateAssessment := time.Date(2027, 1, 4, 11, 0, 0, 0, time.UTC)
	latePlan := time.Date(2027, 1, 6, 15, 0, 0, 0, time.UTC)
	envs := golden(t, "residency_readmitted_v1.json", func() []events.Envelope {
		return record(t, residencyType, id, []step[domain.ResidencyState]{
			{admittedAt.Add(time.Hour), coord, domain.AdmitResident(admitCmd(), rules)},
			{assessedAt.Add(time.Hour), gp, domain.CompleteAssessment(assessCmd(), rules)},
			{leftAt.Add(time.Hour), coord, domain.DischargeResident(domain.DischargeResidentCmd{DischargedAt: leftAt, Destination: "hospital", Now: leftAt.Add(time.Hour)})},
			{back, coord, domain.AdmitResident(domain.AdmitResidentCmd{Patient: ada, CareHomeID: willow, Area: area, Now: back}, rules)},
			{lateAssessment, gp, domain.CompleteAssessment(domain.CompleteAssessmentCmd{AssessedBy: "acp-sam-reid", AssessorRole: "advanced-clinical-practitioner", Now: lateAssessment}, rules)},
			{latePlan, gp, domain.AgreeCarePlan(domain.AgreeCarePlanCmd{AgreedBy: leadGP, AgreedByRole: "gp", AgreedWith: "representative", Now: latePlan}, rules)},
		})
	})
	assertRouting(t, envs, ada)
	replay(t, residencyType, id, envs, domain.ResidencyState{
		Patient: ada, CareHomeID: willow, Area: area, Status: domain.ResidencyStatusCarePlanned,
		Stay: 2, AdmittedAt: back, Readmission: true, PrioritisedForSMR: true, WorkingDays: 7, DueOn: "2026-12-31",
		AssessedAt: lateAssessment, AssessedBy: "acp-sam-reid", AssessorRole: "advanced-clinical-practitioner", AssessmentOnTime: false,
		CarePlanAgreedAt: latePlan, CarePlanAgreedBy: leadGP, CarePlanAgreedByRole: "gp",
		CarePlanAgreedWith: carehomes.AgreedWithRepresentative, CarePlanOnTime: false,
	})
}

func TestGoldenResidencyDied(t *testing.T) {
	const id = "home-willow-court-pt-ada-0001"
	envs := golden(t, "residency_died_v1.json", func() []events.Envelope {
		return record(t, residencyType, id, []step[domain.ResidencyState]{
			{admittedAt.Add(time.Hour), coord, domain.AdmitResident(admitCmd(), rules)},
			{assessedAt.Add(time.Hour), gp, domain.CompleteAssessment(assessCmd(), rules)},
			{plannedAt.Add(time.Hour), gp, domain.AgreeCarePlan(planCmd(), rules)},
			{leftAt.Add(time.Hour), gp, domain.RecordDeath(domain.RecordDeathCmd{DiedAt: leftAt, Now: leftAt.Add(time.Hour)})},
		})
	})
	assertRouting(t, envs, ada)
	replay(t, residencyType, id, envs, domain.ResidencyState{
		Patient: ada, CareHomeID: willow, Area: area, Status: domain.ResidencyStatusDied,
		Stay: 1, AdmittedAt: admittedAt, PrioritisedForSMR: true, WorkingDays: 7, DueOn: dueOn,
		AssessedAt: assessedAt, AssessedBy: leadGP, AssessorRole: "gp", AssessmentOnTime: true,
		CarePlanAgreedAt: plannedAt, CarePlanAgreedBy: leadGP, CarePlanAgreedByRole: "gp",
		CarePlanAgreedWith: carehomes.AgreedWithFamily, CarePlanOnTime: true,
		DiedAt: leftAt,
	})
}
