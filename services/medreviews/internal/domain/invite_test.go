package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func TestInvite(t *testing.T) {
	cmd := mr.InviteCmd{Channel: medreviews.ChannelLetter, InvitedAt: tInvited, Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusIdentified), mr.Invite(rules, cmd), invited())
}

func TestInviteDefaultsToNow(t *testing.T) {
	cmd := mr.InviteCmd{Channel: medreviews.ChannelSMS, Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusIdentified), mr.Invite(rules, cmd),
		medreviews.ReviewInvited{Channel: medreviews.ChannelSMS, InvitedAt: now, RespondBy: now.AddDate(0, 0, 28), Invitation: 1})
}

func TestInviteRespondByFollowsTheRules(t *testing.T) {
	r := rules
	r.InvitationValidityDays = 7
	cmd := mr.InviteCmd{Channel: medreviews.ChannelPhone, Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusIdentified), mr.Invite(r, cmd),
		medreviews.ReviewInvited{Channel: medreviews.ChannelPhone, InvitedAt: now, RespondBy: now.AddDate(0, 0, 7), Invitation: 1})
}

func TestInviteAgainByAnotherChannel(t *testing.T) {
	cmd := mr.InviteCmd{Channel: medreviews.ChannelPhone, Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusInvited), mr.Invite(rules, cmd),
		medreviews.ReviewInvited{Channel: medreviews.ChannelPhone, InvitedAt: now, RespondBy: now.AddDate(0, 0, 28), Invitation: 2})
}

func TestInviteAfterDidNotAttend(t *testing.T) {
	cmd := mr.InviteCmd{Channel: medreviews.ChannelInPerson, Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusDidNotAttend), mr.Invite(rules, cmd),
		medreviews.ReviewInvited{Channel: medreviews.ChannelInPerson, InvitedAt: now, RespondBy: now.AddDate(0, 0, 28), Invitation: 2})
}

func TestInviteSameChannelSameDayRecordsNothing(t *testing.T) {
	cmd := mr.InviteCmd{Channel: medreviews.ChannelLetter, InvitedAt: tInvited.Add(3 * time.Hour), Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusInvited), mr.Invite(rules, cmd))
}

func TestInviteRefused(t *testing.T) {
	cmd := mr.InviteCmd{Channel: medreviews.ChannelLetter, Now: now}
	for _, s := range except(mr.StatusIdentified, mr.StatusInvited, mr.StatusDidNotAttend) {
		t.Run(string(s), func(t *testing.T) {
			aggregatetest.Refused(t, reviewType, history(s), mr.Invite(rules, cmd), string(s))
		})
	}
}

func TestInviteNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.Invite(rules, mr.InviteCmd{Channel: medreviews.ChannelLetter, Now: now}), domain.ErrNotFound)
}

func TestInviteInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		cmd   mr.InviteCmd
	}{
		"no channel":            {"channel", mr.InviteCmd{Now: now}},
		"unknown channel":       {"channel", mr.InviteCmd{Channel: "email", Now: now}},
		"in the future":         {"invitedAt", mr.InviteCmd{Channel: medreviews.ChannelLetter, InvitedAt: now.Add(time.Hour), Now: now}},
		"before identification": {"invitedAt", mr.InviteCmd{Channel: medreviews.ChannelLetter, InvitedAt: tIdentified.Add(-time.Hour), Now: now}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Invalid(t, reviewType, history(mr.StatusIdentified), mr.Invite(rules, tc.cmd), tc.field)
		})
	}
}
