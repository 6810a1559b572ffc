package api

import (
	"net/http"

	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// triageVisitRequest is the duty GP's triage: an urgency band with an
// optional window, or an outcome that needs no visit.
type triageVisitRequest struct {
	TriagedBy string `json:"triagedBy,omitempty"`
	Urgency   string `json:"urgency,omitempty"`
	NotBefore string `json:"notBefore,omitempty"`
	VisitBy   string `json:"visitBy,omitempty"`
	Outcome   string `json:"outcome,omitempty"`
	Notes     string `json:"notes,omitempty"`
}

// parseTriageVisit checks a triage; the window is checked against the
// rules at meta.Now, the instant the domain decides at.
func parseTriageVisit(body triageVisitRequest, dir *directory.Directory, rules domain.Rules, meta aggregate.Meta) (domain.TriageVisitCmd, error) {
	cmd := domain.TriageVisitCmd{Notes: body.Notes, Now: meta.Now}
	by, err := actingClinician("triagedBy", body.TriagedBy, meta.Actor, dir)
	if err != nil {
		return cmd, err
	}
	c, ok := dir.Clinician(by)
	if !ok {
		return cmd, httpkit.Invalid("triagedBy", "is not a clinician in the directory")
	}
	cmd.TriagedBy, cmd.TriagedByRole = c.ID, homevisits.Role(c.Role)
	if body.Outcome != "" {
		if body.Urgency != "" || body.NotBefore != "" || body.VisitBy != "" {
			return cmd, httpkit.Invalid("outcome", "an outcome that needs no visit takes no urgency or window")
		}
		cmd.Outcome, err = enum("outcome", body.Outcome, homevisits.ParseTriageOutcome)
		return cmd, err
	}
	cmd.Urgency = body.Urgency
	if cmd.NotBefore, err = instant("notBefore", body.NotBefore); err != nil {
		return cmd, err
	}
	if cmd.VisitBy, err = instant("visitBy", body.VisitBy); err != nil {
		return cmd, err
	}
	if _, err := rules.TriageWindow(cmd.Urgency, cmd.NotBefore, cmd.VisitBy, meta.Now); err != nil {
		return cmd, err
	}
	return cmd, nil
}

func (a *API) triageVisit(w http.ResponseWriter, r *http.Request) {
	var body triageVisitRequest
	a.change(w, r, policy.Triage, &body, func(meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
		cmd, err := parseTriageVisit(body, a.directory, a.rules, meta)
		if err != nil {
			return nil, err
		}
		return domain.TriageVisit(a.rules, cmd), nil
	})
}
