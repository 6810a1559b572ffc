package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
)

func enRouteCmd(clinician string) domain.MarkEnRouteCmd {
	return domain.MarkEnRouteCmd{ClinicianID: clinician, Now: at(30 * time.Minute)}
}

func onSiteCmd(clinician string) domain.MarkOnSiteCmd {
	return domain.MarkOnSiteCmd{ClinicianID: clinician, Now: at(50 * time.Minute)}
}

func TestMarkEnRoute(t *testing.T) {
	t.Run("after accepting", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAccepted], domain.MarkEnRoute(enRouteCmd(jess)), enRoute)
	})
	t.Run("straight from assigned: setting off is accepting", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAssigned], domain.MarkEnRoute(enRouteCmd(jess)),
			homevisits.AssignmentAccepted{ClinicianID: jess, Role: homevisits.RoleParamedic, AcceptedAt: at(30 * time.Minute)},
			enRoute)
	})
	t.Run("again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusEnRoute], domain.MarkEnRoute(enRouteCmd(jess)))
	})
	for _, st := range []domain.Status{domain.StatusAssigned, domain.StatusAccepted, domain.StatusEnRoute} {
		t.Run("by anyone else when "+string(st), func(t *testing.T) {
			aggregatetest.Invalid(t, visitType, histories[st], domain.MarkEnRoute(enRouteCmd(owen)), "clinicianId")
		})
	}
	notFound(t, domain.MarkEnRoute(enRouteCmd(jess)))
	refusedOutside(t, domain.MarkEnRoute(enRouteCmd(jess)),
		domain.StatusAssigned, domain.StatusAccepted, domain.StatusEnRoute)
}

func TestMarkOnSite(t *testing.T) {
	t.Run("after setting off", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusEnRoute], domain.MarkOnSite(onSiteCmd(jess)), arrived)
	})
	t.Run("without having said so on setting off", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAccepted], domain.MarkOnSite(onSiteCmd(jess)), arrived)
	})
	t.Run("straight from assigned: turning up is accepting", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusAssigned], domain.MarkOnSite(onSiteCmd(jess)),
			homevisits.AssignmentAccepted{ClinicianID: jess, Role: homevisits.RoleParamedic, AcceptedAt: at(50 * time.Minute)},
			arrived)
	})
	t.Run("again records nothing", func(t *testing.T) {
		aggregatetest.Then(t, visitType, histories[domain.StatusOnSite], domain.MarkOnSite(onSiteCmd(jess)))
	})
	for _, st := range []domain.Status{domain.StatusAssigned, domain.StatusAccepted, domain.StatusEnRoute, domain.StatusOnSite} {
		t.Run("by anyone else when "+string(st), func(t *testing.T) {
			aggregatetest.Invalid(t, visitType, histories[st], domain.MarkOnSite(onSiteCmd(owen)), "clinicianId")
		})
	}
	notFound(t, domain.MarkOnSite(onSiteCmd(jess)))
	refusedOutside(t, domain.MarkOnSite(onSiteCmd(jess)),
		domain.StatusAssigned, domain.StatusAccepted, domain.StatusEnRoute, domain.StatusOnSite)
}
