package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

// acceptRequest records that a prescriber enacted a recommendation in the
// GP record.
//
// IndependentPrescriber is the prescriber's own statement that they hold
// independent prescribing rights (default false): the directory does not
// record prescribing rights, so a clinical pharmacist must say so. Issue 6
// replaces it with the verified identity's prescribing status; until then
// it is recorded in the request, not checked.
type acceptRequest struct {
	PrescriberID          string `json:"prescriberId"`
	IndependentPrescriber bool   `json:"independentPrescriber,omitempty"`
	EnactedAt             string `json:"enactedAt,omitempty"`
	Note                  string `json:"note,omitempty"`
}

// rejectRequest records that a prescriber decided not to enact a
// recommendation; IndependentPrescriber is as for acceptRequest.
type rejectRequest struct {
	PrescriberID          string `json:"prescriberId"`
	IndependentPrescriber bool   `json:"independentPrescriber,omitempty"`
	Reason                string `json:"reason"`
}

func prescriber(dir *directory.Directory, id string, independent bool) domain.Prescriber {
	id = strings.TrimSpace(id)
	return domain.Prescriber{ID: id, Role: clinicianRole(dir, id), IndependentPrescriber: independent}
}

func parseAccept(body acceptRequest, recommendation string, dir *directory.Directory, now time.Time) (domain.AcceptRecommendationCmd, error) {
	at, err := parseTime("enactedAt", body.EnactedAt, false)
	if err != nil {
		return domain.AcceptRecommendationCmd{}, err
	}
	return domain.AcceptRecommendationCmd{RecommendationID: recommendation,
		Prescriber: prescriber(dir, body.PrescriberID, body.IndependentPrescriber), EnactedAt: at, Note: body.Note, Now: now}, nil
}

func parseReject(body rejectRequest, recommendation string, dir *directory.Directory, now time.Time) (domain.RejectRecommendationCmd, error) {
	return domain.RejectRecommendationCmd{RecommendationID: recommendation,
		Prescriber: prescriber(dir, body.PrescriberID, body.IndependentPrescriber), Reason: body.Reason, Now: now}, nil
}

func (a *API) acceptRecommendation(w http.ResponseWriter, r *http.Request) {
	var req acceptRequest
	a.change(w, r, policy.Accept, &req, func() string { return req.PrescriberID }, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseAccept(req, r.PathValue("recommendation"), a.directory, now)
		if err != nil {
			return nil, err
		}
		return domain.AcceptRecommendation(cmd), nil
	})
}

func (a *API) rejectRecommendation(w http.ResponseWriter, r *http.Request) {
	var req rejectRequest
	a.change(w, r, policy.Reject, &req, func() string { return req.PrescriberID }, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseReject(req, r.PathValue("recommendation"), a.directory, now)
		if err != nil {
			return nil, err
		}
		return domain.RejectRecommendation(cmd), nil
	})
}
