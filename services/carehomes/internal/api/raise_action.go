package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	chdomain "github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type raiseActionRequest struct {
	ActionID         string `json:"actionId"` // optional: one is generated
	Patient          string `json:"patient"`
	Description      string `json:"description"`
	OwnerClinicianID string `json:"ownerClinicianId"`
	OwnerTeamID      string `json:"ownerTeamId"`
	DueOn            string `json:"dueOn"`
}

// parseRaiseAction resolves the owner: a clinician's role, or a team that
// exists. newID names the action when the caller did not.
func parseRaiseAction(body raiseActionRequest, dir *directory.Directory, newID string, now time.Time) (chdomain.RaiseActionCmd, error) {
	cmd := chdomain.RaiseActionCmd{
		ActionID: body.ActionID, Patient: body.Patient, Description: body.Description,
		OwnerClinicianID: body.OwnerClinicianID, OwnerTeamID: body.OwnerTeamID, DueOn: body.DueOn, Now: now,
	}
	if cmd.ActionID == "" {
		cmd.ActionID = newID
	}
	if body.OwnerClinicianID != "" && body.OwnerTeamID == "" {
		role, err := clinician(dir, "ownerClinicianId", body.OwnerClinicianID)
		if err != nil {
			return chdomain.RaiseActionCmd{}, err
		}
		cmd.OwnerRole = role
	}
	if body.OwnerTeamID != "" && body.OwnerClinicianID == "" {
		if _, ok := dir.Team(body.OwnerTeamID); !ok {
			return chdomain.RaiseActionCmd{}, httpkit.Invalid("ownerTeamId", "is not a team in the directory")
		}
	}
	return cmd, nil
}

// teamCovers refuses a team owner that does not cover the round's PCN.
func teamCovers(dir *directory.Directory, teamID, area string) error {
	if t, ok := dir.Team(teamID); ok && !slices.Contains(t.Areas, area) {
		return domain.Invalid("ownerTeamId", "does not cover the care home's PCN")
	}
	return nil
}

func (a *API) raiseAction(w http.ResponseWriter, r *http.Request) {
	var req raiseActionRequest
	a.roundChange(w, r, policy.RaiseAction, service.Command[chdomain.RoundState]{
		Body: &req,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[chdomain.RoundState], error) {
			cmd, err := parseRaiseAction(req, a.directory, events.NewID(meta.Now).String(), meta.Now)
			if err != nil {
				return nil, err
			}
			raise := chdomain.RaiseAction(cmd, a.rules)
			return func(s chdomain.RoundState, version int64) ([]events.Data, error) {
				if cmd.OwnerTeamID != "" && version > 0 {
					if err := teamCovers(a.directory, cmd.OwnerTeamID, s.Area); err != nil {
						return nil, err
					}
				}
				return raise(s, version)
			}, nil
		},
	})
}
