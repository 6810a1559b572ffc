package api

import (
	"errors"
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

func TestAccessKeepsEveryoneTheVisitWasGivenTo(t *testing.T) {
	history := []events.Data{
		homevisits.VisitRequested{Patient: "pt-1", Practice: "L84001", PCN: "U84001", Reason: "Fall", Source: homevisits.SourcePhone, Caller: homevisits.CallerRelative, RequestedAt: fuzzNow},
		homevisits.VisitAssigned{ClinicianID: "para-jess-patel", Role: homevisits.RoleParamedic, AssignedAt: fuzzNow},
		homevisits.AssignmentDeclined{ClinicianID: "para-jess-patel", Role: homevisits.RoleParamedic, Reason: "busy", DeclinedAt: fuzzNow},
		homevisits.VisitReassigned{FromClinicianID: "para-jess-patel", ClinicianID: "para-owen-jones", Role: homevisits.RoleParamedic, ReassignedAt: fuzzNow},
		homevisits.VisitReassigned{FromClinicianID: "para-owen-jones", ClinicianID: "para-jess-patel", Role: homevisits.RoleParamedic, ReassignedAt: fuzzNow},
	}
	var (
		v      visitAccess
		state  domain.VisitState
		states []visitAccess
	)
	for _, e := range history {
		v, state = evolveAccess(v, e), domain.EvolveVisit(state, e)
		states = append(states, v)
		if v.state != state {
			t.Fatalf("after %s the state is %+v, want the visit's own %+v", e.EventType(), v.state, state)
		}
	}
	got := v.policyVisit()
	if got.PCN != "U84001" || got.Clinician != "para-jess-patel" || !slices.Equal(got.Assigned, []string{"para-jess-patel", "para-owen-jones"}) {
		t.Fatalf("policy visit %+v", got)
	}
	// Earlier states are not changed by later events.
	if !slices.Equal(states[1].assigned, []string{"para-jess-patel"}) || len(states[0].assigned) != 0 {
		t.Fatalf("earlier states changed: %+v, %+v", states[0].assigned, states[1].assigned)
	}
}

func TestAChangeIsAskedAgainOnTheStateItIsDecidedOn(t *testing.T) {
	a := &API{logger: slog.New(slog.DiscardHandler)}
	jess := auth.Principal{Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"}
	r := httptest.NewRequest("POST", "/v1/visits/x/accept", nil)
	r = r.WithContext(auth.With(r.Context(), jess))
	hers := domain.VisitState{Status: domain.StatusAssigned, PCN: "U84001", ClinicianID: jess.Subject}
	decided := 0
	decide := func(domain.VisitState, int64) ([]events.Data, error) { decided++; return nil, nil }

	var basis access.Basis
	guarded, err := a.authorized(r, policy.Accept, visitAccess{state: hers, assigned: []string{jess.Subject}}, &basis, decide)
	if err != nil {
		t.Fatalf("Jess accepting the visit loaded as hers: %v", err)
	}
	// Reassigned to Owen between the load and the transaction.
	owens := hers
	owens.ClinicianID = "para-owen-jones"
	var he *httpkit.Error
	if _, err := guarded(owens, 5); !errors.As(err, &he) || he.Kind != httpkit.KindForbidden || decided != 0 {
		t.Fatalf("on Owen's visit: %v (decided %d times), want 403 before deciding", err, decided)
	}
	if _, err := guarded(hers, 5); err != nil || decided != 1 || basis != policy.BasisAssignedVisit {
		t.Fatalf("on her visit: %v (decided %d times, basis %q)", err, decided, basis)
	}

	// A caller refused on the loaded visit is refused before any decision.
	if _, err := a.authorized(r, policy.Accept, visitAccess{state: owens, assigned: []string{jess.Subject, owens.ClinicianID}}, &basis, decide); !errors.As(err, &he) || he.Kind != httpkit.KindForbidden {
		t.Fatalf("Jess accepting Owen's visit: %v, want 403", err)
	}
	// No principal: 401.
	if _, err := a.authorized(httptest.NewRequest("GET", "/", nil), policy.Read, visitAccess{state: hers}, &basis, decide); httpkit.KindOf(err) != httpkit.KindUnauthorized {
		t.Fatalf("without a principal: %v, want 401", err)
	}
}
