package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/careweave/careweave/events/carehomes"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type attendeeRequest struct {
	ClinicianID string `json:"clinicianId"`
}

type holdRoundRequest struct {
	Attendees []attendeeRequest `json:"attendees"`
	StartedAt string            `json:"startedAt"`
	EndedAt   string            `json:"endedAt"`
}

// maxAttendees bounds a round's attendance list.
const maxAttendees = 30

// parseHoldRound resolves each attendee's role from the directory.
func parseHoldRound(body holdRoundRequest, dir *directory.Directory, now time.Time) (domain.HoldRoundCmd, error) {
	if len(body.Attendees) > maxAttendees {
		return domain.HoldRoundCmd{}, httpkit.Invalid("attendees", fmt.Sprintf("lists more than %d clinicians", maxAttendees))
	}
	cmd := domain.HoldRoundCmd{Now: now}
	for i, at := range body.Attendees {
		role, err := clinician(dir, fmt.Sprintf("attendees[%d].clinicianId", i), at.ClinicianID)
		if err != nil {
			return domain.HoldRoundCmd{}, err
		}
		cmd.Attendees = append(cmd.Attendees, carehomes.Attendee{ClinicianID: at.ClinicianID, Role: role})
	}
	var err error
	if cmd.StartedAt, err = parseTime("startedAt", body.StartedAt, true); err != nil {
		return domain.HoldRoundCmd{}, err
	}
	if cmd.EndedAt, err = parseTime("endedAt", body.EndedAt, true); err != nil {
		return domain.HoldRoundCmd{}, err
	}
	return cmd, nil
}

func (a *API) holdRound(w http.ResponseWriter, r *http.Request) {
	var req holdRoundRequest
	a.roundChange(w, r, policy.Hold, service.Command[domain.RoundState]{
		Body: &req,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			cmd, err := parseHoldRound(req, a.directory, meta.Now)
			if err != nil {
				return nil, err
			}
			return domain.HoldRound(cmd), nil
		},
	})
}
