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

type completeRequest struct {
	Mode        string `json:"mode"`
	ClinicianID string `json:"clinicianId"`
	CompletedAt string `json:"completedAt,omitempty"`
	Summary     string `json:"summary"`
}

func parseComplete(body completeRequest, dir *directory.Directory, now time.Time) (domain.CompleteCmd, error) {
	mode, err := enum("mode", body.Mode, medreviews.ParseMode, medreviews.Modes())
	if err != nil {
		return domain.CompleteCmd{}, err
	}
	at, err := parseTime("completedAt", body.CompletedAt, false)
	if err != nil {
		return domain.CompleteCmd{}, err
	}
	id := strings.TrimSpace(body.ClinicianID)
	return domain.CompleteCmd{Mode: mode, ClinicianID: id, ClinicianRole: clinicianRole(dir, id),
		CompletedAt: at, Summary: body.Summary, Now: now}, nil
}

func (a *API) complete(w http.ResponseWriter, r *http.Request) {
	var req completeRequest
	a.change(w, r, policy.Complete, &req, nil, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseComplete(req, a.directory, now)
		if err != nil {
			return nil, err
		}
		return domain.Complete(a.rules, cmd), nil
	})
}
