package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// DeclineCmd records that the patient declined the review.
type DeclineCmd struct {
	Reason string
	// DeclinedAt is when the patient declined; zero means Now.
	DeclinedAt time.Time
	Now        time.Time
}

// Decline records the patient's refusal, mapped to the SNOMED CT declined
// cluster STRMEDRWVDEC_COD. It closes the episode. Declining again for the
// same reason records nothing. A completed or closed review cannot be
// declined, nor a declined one for another reason.
func Decline(cmd DeclineCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if err := missing(version); err != nil {
			return nil, err
		}
		reason, err := requiredText("reason", cmd.Reason, maxReason, true)
		if err != nil {
			return nil, err
		}
		at, err := pastTime("declinedAt", cmd.DeclinedAt, cmd.Now, s.IdentifiedAt)
		if err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusIdentified, StatusInvited, StatusBooked, StatusDidNotAttend:
		case StatusDeclined:
			if s.Decline != nil && s.Decline.Reason == reason {
				return nil, nil
			}
			return nil, domain.Refuse(AggregateName, string(s.Status), "declined")
		default:
			return nil, domain.Refuse(AggregateName, string(s.Status), "declined")
		}
		return []events.Data{medreviews.ReviewDeclined{
			Reason:      reason,
			DeclinedAt:  at,
			CodeCluster: medreviews.DeclinedCluster,
		}}, nil
	}
}
