package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func TestDecline(t *testing.T) {
	cmd := mr.DeclineCmd{Reason: " Happy with current medicines ", DeclinedAt: tBooked, Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusInvited), mr.Decline(cmd), declined())
}

func TestDeclineFromEveryOpenState(t *testing.T) {
	for _, s := range []mr.ReviewStatus{mr.StatusIdentified, mr.StatusInvited, mr.StatusBooked, mr.StatusDidNotAttend} {
		t.Run(string(s), func(t *testing.T) {
			cmd := mr.DeclineCmd{Reason: "Does not want to change anything", Now: now}
			aggregatetest.Then(t, reviewType, history(s), mr.Decline(cmd),
				medreviews.ReviewDeclined{Reason: "Does not want to change anything", DeclinedAt: now, CodeCluster: "STRMEDRWVDEC_COD"})
		})
	}
}

func TestDeclineAgainRecordsNothing(t *testing.T) {
	cmd := mr.DeclineCmd{Reason: "Happy with current medicines", Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusDeclined), mr.Decline(cmd))
}

func TestDeclineRefused(t *testing.T) {
	for _, s := range except(mr.StatusIdentified, mr.StatusInvited, mr.StatusBooked, mr.StatusDidNotAttend) {
		t.Run(string(s), func(t *testing.T) {
			cmd := mr.DeclineCmd{Reason: "Another reason", Now: now}
			aggregatetest.Refused(t, reviewType, history(s), mr.Decline(cmd), string(s))
		})
	}
}

func TestDeclineNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.Decline(mr.DeclineCmd{Reason: "no", Now: now}), domain.ErrNotFound)
}

func TestDeclineInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		cmd   mr.DeclineCmd
	}{
		"no reason":             {"reason", mr.DeclineCmd{Reason: "  ", Now: now}},
		"in the future":         {"declinedAt", mr.DeclineCmd{Reason: "no", DeclinedAt: now.Add(time.Hour), Now: now}},
		"before identification": {"declinedAt", mr.DeclineCmd{Reason: "no", DeclinedAt: tIdentified.Add(-time.Hour), Now: now}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Invalid(t, reviewType, history(mr.StatusInvited), mr.Decline(tc.cmd), tc.field)
		})
	}
}
