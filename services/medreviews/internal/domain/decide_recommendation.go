package domain

import (
	"fmt"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// Prescriber is who decides on a recommendation, as the API layer resolved
// them.
type Prescriber struct {
	// ID is the prescriber's directory id; Role the role the API layer found
	// for it ("" when unknown): a GP or a clinical pharmacist.
	ID   string
	Role medreviews.ClinicianRole
	// IndependentPrescriber must be true for a clinical pharmacist: the API
	// layer establishes it (the directory does not record prescribing rights
	// yet). Every GP prescribes, so it is ignored for a GP.
	IndependentPrescriber bool
}

// AcceptRecommendationCmd records that a prescriber accepted a
// recommendation and enacted it in the GP record.
type AcceptRecommendationCmd struct {
	RecommendationID string
	Prescriber       Prescriber
	// EnactedAt is when the GP record was changed; zero means Now.
	EnactedAt time.Time
	Note      string
	Now       time.Time
}

// RejectRecommendationCmd records that a prescriber decided not to enact a
// recommendation.
type RejectRecommendationCmd struct {
	RecommendationID string
	Prescriber       Prescriber
	Reason           string
	Now              time.Time
}

// AcceptRecommendation records the prescriber's acceptance: from now on, and
// only now, the recommendation counts as enacted. Accepting an accepted
// recommendation again records nothing; a rejected one cannot be accepted
// (recommend afresh). A recommendation the review does not hold gives
// domain.ErrNotFound; only a completed review has recommendations to decide.
func AcceptRecommendation(cmd AcceptRecommendationCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		r, err := decidable(s, version, cmd.RecommendationID, cmd.Prescriber)
		if err != nil {
			return nil, err
		}
		note, err := optionalText("note", cmd.Note, maxNote, true)
		if err != nil {
			return nil, err
		}
		at, err := pastTime("enactedAt", cmd.EnactedAt, cmd.Now, r.RecordedAt)
		if err != nil {
			return nil, err
		}
		switch r.Status {
		case RecommendationRecommended:
		case RecommendationAccepted:
			return nil, nil
		default:
			return nil, domain.Refuse("recommendation", string(r.Status), "accepted")
		}
		return []events.Data{medreviews.RecommendationAccepted{
			RecommendationID: r.ID,
			Medicine:         r.Medicine,
			Action:           r.Action,
			PrescriberID:     cmd.Prescriber.ID,
			PrescriberRole:   cmd.Prescriber.Role,
			EnactedAt:        at,
			Note:             note,
		}}, nil
	}
}

// RejectRecommendation records the prescriber's rejection and its reason;
// the GP record is unchanged. Rejecting a rejected recommendation again
// records nothing; an accepted one cannot be rejected (it is enacted). A
// recommendation the review does not hold gives domain.ErrNotFound; only a
// completed review has recommendations to decide.
func RejectRecommendation(cmd RejectRecommendationCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		r, err := decidable(s, version, cmd.RecommendationID, cmd.Prescriber)
		if err != nil {
			return nil, err
		}
		reason, err := requiredText("reason", cmd.Reason, maxReason, true)
		if err != nil {
			return nil, err
		}
		switch r.Status {
		case RecommendationRecommended:
		case RecommendationRejected:
			return nil, nil
		default:
			return nil, domain.Refuse("recommendation", string(r.Status), "rejected")
		}
		return []events.Data{medreviews.RecommendationRejected{
			RecommendationID: r.ID,
			Medicine:         r.Medicine,
			Action:           r.Action,
			PrescriberID:     cmd.Prescriber.ID,
			PrescriberRole:   cmd.Prescriber.Role,
			Reason:           reason,
			RejectedAt:       cmd.Now.UTC(),
		}}, nil
	}
}

// decidable checks what accepting and rejecting share: the review exists and
// is completed, the prescriber may prescribe, and the recommendation exists.
func decidable(s ReviewState, version int64, id string, p Prescriber) (Recommendation, error) {
	if err := missing(version); err != nil {
		return Recommendation{}, err
	}
	if id == "" {
		return Recommendation{}, domain.Invalid("recommendationId", "is required")
	}
	if err := checkDirectoryID("prescriberId", p.ID); err != nil {
		return Recommendation{}, err
	}
	switch {
	case p.Role == "":
		return Recommendation{}, domain.Invalid("prescriberId", "is not a clinician in the directory")
	case !p.Role.Valid():
		return Recommendation{}, domain.Invalid("prescriberId", "is not a prescriber: only a GP or a prescribing clinical pharmacist changes the GP record")
	case p.Role == medreviews.RoleClinicalPharmacist && !p.IndependentPrescriber:
		return Recommendation{}, domain.Invalid("prescriberId", "is a clinical pharmacist who is not an independent prescriber")
	}
	if s.Status != StatusCompleted {
		return Recommendation{}, domain.Refuse(AggregateName, string(s.Status), "given a prescriber decision")
	}
	r, ok := s.Recommendation(id)
	if !ok {
		return Recommendation{}, fmt.Errorf("recommendation %q: %w", truncate(id, 40), domain.ErrNotFound)
	}
	return r, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
