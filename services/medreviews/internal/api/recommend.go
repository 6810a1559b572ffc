package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

type medicineRequest struct {
	Name    string `json:"name"`
	DmdCode string `json:"dmdCode,omitempty"`
}

type recommendationRequest struct {
	Medicine      *medicineRequest `json:"medicine"`
	Action        string           `json:"action"`
	Reason        string           `json:"reason"`
	Deprescribing bool             `json:"deprescribing,omitempty"`
	SwitchTo      *medicineRequest `json:"switchTo,omitempty"`
	NewDose       string           `json:"newDose,omitempty"`
}

// recommendRequest records per-medicine recommendations on a completed
// review. They are recommendations only: nothing is enacted until a
// prescriber accepts each one.
type recommendRequest struct {
	ClinicianID     string                  `json:"clinicianId"`
	Recommendations []recommendationRequest `json:"recommendations"`
}

// maxRecommendationsPerRequest bounds a request before the rules do, so a
// huge list is refused without building it.
const maxRecommendationsPerRequest = 200

func parseRecommend(body recommendRequest, dir *directory.Directory, now time.Time) (domain.RecommendCmd, error) {
	id := strings.TrimSpace(body.ClinicianID)
	cmd := domain.RecommendCmd{ClinicianID: id, ClinicianRole: clinicianRole(dir, id), Now: now}
	if len(body.Recommendations) > maxRecommendationsPerRequest {
		return cmd, httpkit.Invalid("recommendations", fmt.Sprintf("at most %d in one request", maxRecommendationsPerRequest))
	}
	for i, in := range body.Recommendations {
		field := fmt.Sprintf("recommendations[%d]", i)
		if in.Medicine == nil {
			return cmd, httpkit.Invalid(field+".medicine", "is required")
		}
		action, err := enum(field+".action", in.Action, medreviews.ParseAction, medreviews.Actions())
		if err != nil {
			return cmd, err
		}
		rec := domain.RecommendationInput{
			Medicine: medreviews.Medicine{Name: in.Medicine.Name, DmdCode: in.Medicine.DmdCode},
			Action:   action, Reason: in.Reason, Deprescribing: in.Deprescribing, NewDose: in.NewDose,
		}
		if in.SwitchTo != nil {
			rec.SwitchTo = &medreviews.Medicine{Name: in.SwitchTo.Name, DmdCode: in.SwitchTo.DmdCode}
		}
		cmd.Recommendations = append(cmd.Recommendations, rec)
	}
	return cmd, nil
}

func (a *API) recommend(w http.ResponseWriter, r *http.Request) {
	var req recommendRequest
	a.change(w, r, policy.Recommend, &req, func() string { return req.ClinicianID }, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseRecommend(req, a.directory, now)
		if err != nil {
			return nil, err
		}
		return domain.Recommend(a.rules, cmd), nil
	})
}
