package api

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type scheduleRoundRequest struct {
	CareHomeID   string `json:"careHomeId"`
	Week         string `json:"week"`         // optional: the ISO week of plannedStart
	PlannedStart string `json:"plannedStart"` // RFC 3339
	ClinicalLead string `json:"clinicalLead"` // optional: the home's named clinical lead
}

// parseScheduleRound resolves the home's PCN and the lead's role. A round
// led by nobody named is led by the home's clinical lead.
func parseScheduleRound(body scheduleRoundRequest, dir *directory.Directory, rules domain.Rules, roundID string) (domain.ScheduleRoundCmd, error) {
	home, err := careHome(dir, "careHomeId", body.CareHomeID)
	if err != nil {
		return domain.ScheduleRoundCmd{}, err
	}
	start, err := parseTime("plannedStart", body.PlannedStart, true)
	if err != nil {
		return domain.ScheduleRoundCmd{}, err
	}
	week := body.Week
	if week == "" {
		week = carehomes.WeekOf(start, rules.Location)
	}
	lead := body.ClinicalLead
	if lead == "" {
		lead = home.ClinicalLead
	}
	role, err := clinician(dir, "clinicalLead", lead)
	if err != nil {
		return domain.ScheduleRoundCmd{}, err
	}
	return domain.ScheduleRoundCmd{
		RoundID: roundID, CareHomeID: home.ID, Area: home.PCN, Week: week, PlannedStart: start,
		ClinicalLead: lead, ClinicalLeadRole: role,
	}, nil
}

// scheduleRound schedules a round at a home aligned to the caller's PCN.
func (a *API) scheduleRound(w http.ResponseWriter, r *http.Request) {
	var req scheduleRoundRequest
	var basis access.Basis
	id := events.NewID(a.now()).String()
	a.rounds.Create(w, r, id, service.Command[domain.RoundState]{
		Body: &req,
		Decide: func(context.Context, aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			cmd, err := parseScheduleRound(req, a.directory, a.rules, id)
			if err != nil {
				return nil, err
			}
			d, err := a.authorize(r, policy.ScheduleRound, cmd.Area)
			if err != nil {
				return nil, err
			}
			basis = d.Basis
			return domain.ScheduleRound(cmd, a.rules), nil
		},
		Basis: func() access.Basis { return basis },
	})
}

// getRound serves a round to a caller of the PCN its home is aligned to.
func (a *API) getRound(w http.ResponseWriter, r *http.Request) {
	a.rounds.Read(w, r, r.PathValue("round"), func(l aggregate.Loaded[domain.RoundState]) (access.Basis, error) {
		d, err := a.authorize(r, policy.ReadRound, l.State.Area)
		return d.Basis, err
	})
}
