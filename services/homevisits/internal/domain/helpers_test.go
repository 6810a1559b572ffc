package domain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	kitdomain "github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

// visitType is the aggregate as the API wires it.
var visitType = aggregate.Type[domain.VisitState]{
	Name:     domain.Aggregate,
	Registry: homevisits.Registry(),
	Evolve:   domain.EvolveVisit,
	Route:    domain.RouteVisit,
}

// A Tuesday morning in winter (GMT), and the ids of the demo directory.
var (
	t0       = time.Date(2026, 1, 13, 9, 5, 0, 0, time.UTC)
	rules    = domain.DefaultRules()
	patient  = "pt-0190f4c2"
	jess     = "para-jess-patel"
	owen     = "para-owen-jones"
	sam      = "acp-sam-reid"
	drOkafor = "gp-amara-okafor"
)

func at(d time.Duration) time.Time { return t0.Add(d) }

// The events of the usual history, as the decide functions record them.
var (
	requested = homevisits.VisitRequested{
		Patient: patient, Practice: "L84001", PCN: "U84001", Reason: "Fall overnight, cannot get up",
		Source: homevisits.SourcePhone, Caller: homevisits.CallerRelative, RequestedAt: t0,
	}
	urgentWindow = homevisits.Window{NotBefore: at(10 * time.Minute), VisitBy: at(2*time.Hour + 10*time.Minute)}
	triaged      = homevisits.VisitTriaged{
		TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Urgency: "urgent", Window: urgentWindow,
		TriagedAt: at(10 * time.Minute),
	}
	triagedNoVisit = homevisits.TriagedWithoutVisit{
		TriagedBy: drOkafor, TriagedByRole: homevisits.RoleGP, Outcome: homevisits.TriageAdvice,
		TriagedAt: at(10 * time.Minute),
	}
	assigned = homevisits.VisitAssigned{
		ClinicianID: jess, Role: homevisits.RoleParamedic, Urgency: "urgent", Window: urgentWindow,
		AssignedAt: at(15 * time.Minute),
	}
	accepted = homevisits.AssignmentAccepted{ClinicianID: jess, Role: homevisits.RoleParamedic, AcceptedAt: at(20 * time.Minute)}
	declined = homevisits.AssignmentDeclined{ClinicianID: jess, Role: homevisits.RoleParamedic,
		Reason: "On a cardiac arrest call", DeclinedAt: at(20 * time.Minute)}
	timedOut = homevisits.AssignmentTimedOut{ClinicianID: jess, Role: homevisits.RoleParamedic, AssignedAt: at(15 * time.Minute),
		AcceptBy: at(30 * time.Minute), TimedOutAt: at(31 * time.Minute)}
	enRoute  = homevisits.TravelStarted{ClinicianID: jess, Role: homevisits.RoleParamedic, StartedAt: at(30 * time.Minute)}
	arrived  = homevisits.ClinicianArrived{ClinicianID: jess, Role: homevisits.RoleParamedic, ArrivedAt: at(50 * time.Minute)}
	complete = homevisits.VisitCompleted{ClinicianID: jess, Role: homevisits.RoleParamedic,
		Outcome: homevisits.OutcomeManagedAtHome, CompletedAt: at(90 * time.Minute)}
	noAccess = homevisits.NoAccessRecorded{ClinicianID: jess, Role: homevisits.RoleParamedic,
		Reason: "No answer at the door or by phone", RecordedAt: at(60 * time.Minute)}
	cancelled = homevisits.VisitCancelled{Reason: homevisits.CancelPatientCancelled, CancelledAt: at(5 * time.Minute)}
	escalated = homevisits.VisitEscalated{To: homevisits.EscalateToUCR, Reason: "Nobody free within 2 hours",
		EscalatedAt: at(40 * time.Minute)}
)

// histories leads to each status; jess holds the visit wherever one is held.
var histories = map[domain.Status][]events.Data{
	domain.StatusRequested:      {requested},
	domain.StatusTriagedNoVisit: {requested, triagedNoVisit},
	domain.StatusTriaged:        {requested, triaged},
	domain.StatusAssigned:       {requested, triaged, assigned},
	domain.StatusAccepted:       {requested, triaged, assigned, accepted},
	domain.StatusDeclined:       {requested, triaged, assigned, declined},
	domain.StatusTimedOut:       {requested, triaged, assigned, timedOut},
	domain.StatusEnRoute:        {requested, triaged, assigned, accepted, enRoute},
	domain.StatusOnSite:         {requested, triaged, assigned, accepted, enRoute, arrived},
	domain.StatusCompleted:      {requested, triaged, assigned, accepted, enRoute, arrived, complete},
	domain.StatusNoAccess:       {requested, triaged, assigned, accepted, enRoute, noAccess},
	domain.StatusCancelled:      {requested, cancelled},
	domain.StatusEscalated:      {requested, triaged, escalated},
}

func given(st domain.Status, more ...events.Data) []events.Data {
	return append(slices.Clone(histories[st]), more...)
}

// refusedOutside checks that decide is refused, naming the state, in every
// status not in allowed: the table of every refused transition.
func refusedOutside(t *testing.T, decide aggregate.Decide[domain.VisitState], allowed ...domain.Status) {
	t.Helper()
	for _, st := range domain.Statuses() {
		if slices.Contains(allowed, st) {
			continue
		}
		t.Run("refused when "+string(st), func(t *testing.T) {
			aggregatetest.Refused(t, visitType, histories[st], decide, string(st))
		})
	}
}

// notFound checks that decide fails on a visit that does not exist.
func notFound(t *testing.T, decide aggregate.Decide[domain.VisitState]) {
	t.Helper()
	t.Run("not found", func(t *testing.T) { aggregatetest.Fails(t, visitType, nil, decide, kitdomain.ErrNotFound) })
}
