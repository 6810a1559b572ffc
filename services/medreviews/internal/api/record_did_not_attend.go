package api

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

// didNotAttendRequest names the missed appointment, so a screen showing an
// appointment since moved cannot mark the new one missed.
type didNotAttendRequest struct {
	AppointmentAt string `json:"appointmentAt"`
}

func parseDidNotAttend(body didNotAttendRequest, now time.Time) (domain.RecordDidNotAttendCmd, error) {
	at, err := parseTime("appointmentAt", body.AppointmentAt, true)
	if err != nil {
		return domain.RecordDidNotAttendCmd{}, err
	}
	return domain.RecordDidNotAttendCmd{AppointmentAt: at, Now: now}, nil
}

func (a *API) recordDidNotAttend(w http.ResponseWriter, r *http.Request) {
	var req didNotAttendRequest
	a.change(w, r, policy.DidNotAttend, &req, nil, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseDidNotAttend(req, now)
		if err != nil {
			return nil, err
		}
		return domain.RecordDidNotAttend(cmd), nil
	})
}
