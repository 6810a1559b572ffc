package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

type bookRequest struct {
	AppointmentAt string `json:"appointmentAt"`
	Mode          string `json:"mode"`
	ClinicianID   string `json:"clinicianId"`
}

// parseAppointment is what booking and rebooking share.
func parseAppointment(at, mode, clinician string, dir *directory.Directory) (time.Time, medreviews.Mode, string, medreviews.ClinicianRole, error) {
	t, err := parseTime("appointmentAt", at, true)
	if err != nil {
		return t, "", "", "", err
	}
	m, err := enum("mode", mode, medreviews.ParseMode, medreviews.Modes())
	if err != nil {
		return t, "", "", "", err
	}
	id := strings.TrimSpace(clinician)
	return t, m, id, clinicianRole(dir, id), nil
}

func parseBook(body bookRequest, dir *directory.Directory, now time.Time) (domain.BookCmd, error) {
	at, mode, id, role, err := parseAppointment(body.AppointmentAt, body.Mode, body.ClinicianID, dir)
	if err != nil {
		return domain.BookCmd{}, err
	}
	return domain.BookCmd{AppointmentAt: at, Mode: mode, ClinicianID: id, ClinicianRole: role, Now: now}, nil
}

func (a *API) book(w http.ResponseWriter, r *http.Request) {
	var req bookRequest
	a.change(w, r, policy.Book, &req, nil, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseBook(req, a.directory, now)
		if err != nil {
			return nil, err
		}
		return domain.Book(a.rules, cmd), nil
	})
}
