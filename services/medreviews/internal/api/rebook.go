package api

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

type rebookRequest struct {
	AppointmentAt string `json:"appointmentAt"`
	Mode          string `json:"mode"`
	ClinicianID   string `json:"clinicianId"`
	Reason        string `json:"reason,omitempty"`
}

func parseRebook(body rebookRequest, dir *directory.Directory, now time.Time) (domain.RebookCmd, error) {
	at, mode, id, role, err := parseAppointment(body.AppointmentAt, body.Mode, body.ClinicianID, dir)
	if err != nil {
		return domain.RebookCmd{}, err
	}
	return domain.RebookCmd{AppointmentAt: at, Mode: mode, ClinicianID: id, ClinicianRole: role, Reason: body.Reason, Now: now}, nil
}

func (a *API) rebook(w http.ResponseWriter, r *http.Request) {
	var req rebookRequest
	a.change(w, r, policy.Rebook, &req, nil, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseRebook(req, a.directory, now)
		if err != nil {
			return nil, err
		}
		return domain.Rebook(a.rules, cmd), nil
	})
}
