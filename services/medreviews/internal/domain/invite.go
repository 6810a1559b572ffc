package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/domain"
)

// InviteCmd records an invitation to the review.
type InviteCmd struct {
	Channel medreviews.Channel
	// InvitedAt is when the invitation went out; zero means Now.
	InvitedAt time.Time
	Now       time.Time
}

// Invite invites the patient: first time, again (a reminder or another
// channel), or after a missed appointment. The invitation lapses after
// rules.InvitationValidityDays. Inviting again by the same channel on the
// same (UTC) day records nothing. A booked, completed, declined or closed
// review cannot be invited.
func Invite(rules Rules, cmd InviteCmd) func(s ReviewState, version int64) ([]events.Data, error) {
	return func(s ReviewState, version int64) ([]events.Data, error) {
		if err := missing(version); err != nil {
			return nil, err
		}
		if err := rules.Validate(); err != nil {
			return nil, err
		}
		if !cmd.Channel.Valid() {
			return nil, domain.Invalid("channel", "must be letter, phone, sms or in-person")
		}
		at, err := pastTime("invitedAt", cmd.InvitedAt, cmd.Now, s.IdentifiedAt)
		if err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusIdentified, StatusDidNotAttend:
		case StatusInvited:
			if last := s.LastInvitation; last != nil && last.Channel == cmd.Channel && sameDay(last.InvitedAt, at) {
				return nil, nil
			}
		default:
			return nil, domain.Refuse(AggregateName, string(s.Status), "invited")
		}
		return []events.Data{medreviews.ReviewInvited{
			Channel:    cmd.Channel,
			InvitedAt:  at,
			RespondBy:  days(at, rules.InvitationValidityDays),
			Invitation: s.Invitations + 1,
		}}, nil
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}
