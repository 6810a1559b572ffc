package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// assignFollowUpRequest gives the community follow-up to a team (or moves
// it to another).
type assignFollowUpRequest struct {
	TeamID string `json:"teamId"`
}

// parseAssignFollowUp looks the team up: the domain checks it covers the
// stay's area.
func parseAssignFollowUp(body assignFollowUpRequest, dir *directory.Directory, now time.Time) (domain.AssignFollowUpCmd, error) {
	if body.TeamID == "" {
		return domain.AssignFollowUpCmd{}, httpkit.Invalid("teamId", "is required: a community team's directory id")
	}
	team, ok := dir.Team(body.TeamID)
	if !ok {
		return domain.AssignFollowUpCmd{}, httpkit.Invalid("teamId", "is not a community team in the directory")
	}
	return domain.AssignFollowUpCmd{TeamID: team.ID, TeamAreas: slices.Clone(team.Areas), Now: now}, nil
}

func (a *API) assignFollowUp(w http.ResponseWriter, r *http.Request) {
	var req assignFollowUpRequest
	a.change(w, r, policy.AssignFollowUp, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parseAssignFollowUp(req, a.dir, meta.Now)
		if err != nil {
			return nil, err
		}
		return domain.AssignFollowUp(cmd, a.rules), nil
	})
}
