package api

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/events"
	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// completeFollowUpRequest records the community follow-up done.
type completeFollowUpRequest struct {
	ClinicianID string `json:"clinicianId"`
	Outcome     string `json:"outcome"`
	CompletedAt string `json:"completedAt"`
}

// parseCompleteFollowUp looks the clinician up for their role; whether
// they belong to the assigned team is checked against the stay
// (inTeam).
func parseCompleteFollowUp(body completeFollowUpRequest, dir *directory.Directory, now time.Time) (domain.CompleteFollowUpCmd, error) {
	if body.ClinicianID == "" {
		return domain.CompleteFollowUpCmd{}, httpkit.Invalid("clinicianId", "is required: the clinician's directory id")
	}
	c, ok := dir.Clinician(body.ClinicianID)
	if !ok {
		return domain.CompleteFollowUpCmd{}, httpkit.Invalid("clinicianId", "is not a clinician in the directory")
	}
	outcome, err := parseEnum("outcome", body.Outcome, dischargeevents.ParseFollowUpOutcome)
	if err != nil {
		return domain.CompleteFollowUpCmd{}, err
	}
	at, err := parseTime("completedAt", body.CompletedAt)
	if err != nil {
		return domain.CompleteFollowUpCmd{}, err
	}
	return domain.CompleteFollowUpCmd{ClinicianID: c.ID, ClinicianRole: string(c.Role), Outcome: outcome, CompletedAt: at, Now: now}, nil
}

// inTeam wraps a completion so that only a member of the team the
// follow-up is assigned to (Clinician.Org) may complete it. The state's
// own refusals (no follow-up, missed, not discharged) come first.
func inTeam(decide aggregate.Decide[domain.StayState], org string) aggregate.Decide[domain.StayState] {
	return func(s domain.StayState, version int64) ([]events.Data, error) {
		if d := s.Discharge; d != nil && d.FollowUp != nil && d.FollowUp.Status == domain.FollowUpAssigned && d.FollowUp.TeamID != org {
			return nil, httpkit.Invalid("clinicianId", "is not a member of the team the follow-up is assigned to ("+d.FollowUp.TeamID+")")
		}
		return decide(s, version)
	}
}

func (a *API) completeFollowUp(w http.ResponseWriter, r *http.Request) {
	var req completeFollowUpRequest
	a.change(w, r, policy.CompleteFollowUp, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parseCompleteFollowUp(req, a.dir, meta.Now)
		if err != nil {
			return nil, err
		}
		c, _ := a.dir.Clinician(cmd.ClinicianID)
		return inTeam(domain.CompleteFollowUp(cmd), c.Org), nil
	})
}
