package api

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type reviewResidentRequest struct {
	ReviewedBy string `json:"reviewedBy"`
	Outcome    string `json:"outcome"`
	FollowUp   string `json:"followUp"`
}

// parseReviewResident checks the reviewer exists; the domain checks they
// attended the round and takes their role from the attendance.
func parseReviewResident(body reviewResidentRequest, dir *directory.Directory, patient string) (domain.ReviewResidentCmd, error) {
	if _, err := clinician(dir, "reviewedBy", body.ReviewedBy); err != nil {
		return domain.ReviewResidentCmd{}, err
	}
	return domain.ReviewResidentCmd{Patient: patient, ReviewedBy: body.ReviewedBy, Outcome: body.Outcome, FollowUp: body.FollowUp}, nil
}

func (a *API) reviewResident(w http.ResponseWriter, r *http.Request) {
	var req reviewResidentRequest
	a.roundChange(w, r, policy.Review, service.Command[domain.RoundState]{
		Body: &req,
		Decide: func(context.Context, aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			cmd, err := parseReviewResident(req, a.directory, r.PathValue("patient"))
			if err != nil {
				return nil, err
			}
			return domain.ReviewResident(cmd), nil
		},
	})
}

type recordNotReviewedRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func parseRecordNotReviewed(body recordNotReviewedRequest, patient string) (domain.RecordNotReviewedCmd, error) {
	return domain.RecordNotReviewedCmd{Patient: patient, Reason: body.Reason, Note: body.Note}, nil
}

func (a *API) recordNotReviewed(w http.ResponseWriter, r *http.Request) {
	var req recordNotReviewedRequest
	a.roundChange(w, r, policy.NotReviewed, service.Command[domain.RoundState]{
		Body: &req,
		Decide: func(context.Context, aggregate.Meta) (aggregate.Decide[domain.RoundState], error) {
			cmd, err := parseRecordNotReviewed(req, r.PathValue("patient"))
			if err != nil {
				return nil, err
			}
			return domain.RecordNotReviewed(cmd), nil
		},
	})
}
