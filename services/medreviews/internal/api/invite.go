package api

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

type inviteRequest struct {
	Channel   string `json:"channel"`
	InvitedAt string `json:"invitedAt,omitempty"`
}

func parseInvite(body inviteRequest, now time.Time) (domain.InviteCmd, error) {
	ch, err := enum("channel", body.Channel, medreviews.ParseChannel, medreviews.Channels())
	if err != nil {
		return domain.InviteCmd{}, err
	}
	at, err := parseTime("invitedAt", body.InvitedAt, false)
	if err != nil {
		return domain.InviteCmd{}, err
	}
	return domain.InviteCmd{Channel: ch, InvitedAt: at, Now: now}, nil
}

func (a *API) invite(w http.ResponseWriter, r *http.Request) {
	var req inviteRequest
	a.change(w, r, policy.Invite, &req, nil, func(now time.Time) (aggregate.Decide[domain.ReviewState], error) {
		cmd, err := parseInvite(req, now)
		if err != nil {
			return nil, err
		}
		return domain.Invite(a.rules, cmd), nil
	})
}
