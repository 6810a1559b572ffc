package domain_test

import (
	"strings"
	"testing"

	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func TestClose(t *testing.T) {
	cmd := mr.CloseCmd{Reason: medreviews.CloseMovedPractice, Now: tInvited}
	aggregatetest.Then(t, reviewType, history(mr.StatusIdentified), mr.Close(cmd), closed())
}

func TestCloseFromEveryOpenState(t *testing.T) {
	for _, s := range []mr.ReviewStatus{mr.StatusIdentified, mr.StatusInvited, mr.StatusBooked, mr.StatusDidNotAttend} {
		t.Run(string(s), func(t *testing.T) {
			cmd := mr.CloseCmd{Reason: medreviews.CloseOther, Note: " Registered with a practice in Wales ", Now: now}
			aggregatetest.Then(t, reviewType, history(s), mr.Close(cmd),
				medreviews.ReviewClosed{Reason: medreviews.CloseOther, Note: "Registered with a practice in Wales",
					PreviousStatus: string(s), ClosedAt: now})
		})
	}
}

func TestCloseAgainRecordsNothing(t *testing.T) {
	cmd := mr.CloseCmd{Reason: medreviews.CloseMovedPractice, Now: now}
	aggregatetest.Then(t, reviewType, history(mr.StatusClosed), mr.Close(cmd))
}

func TestCloseRefused(t *testing.T) {
	for _, s := range except(mr.StatusIdentified, mr.StatusInvited, mr.StatusBooked, mr.StatusDidNotAttend) {
		t.Run(string(s), func(t *testing.T) {
			cmd := mr.CloseCmd{Reason: medreviews.ClosePatientDied, Now: now}
			aggregatetest.Refused(t, reviewType, history(s), mr.Close(cmd), string(s))
		})
	}
}

func TestCloseNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.Close(mr.CloseCmd{Reason: medreviews.ClosePatientDied, Now: now}), domain.ErrNotFound)
}

func TestCloseInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		cmd   mr.CloseCmd
	}{
		"no reason":           {"reason", mr.CloseCmd{Now: now}},
		"unknown reason":      {"reason", mr.CloseCmd{Reason: "died", Now: now}},
		"other without note":  {"note", mr.CloseCmd{Reason: medreviews.CloseOther, Note: " ", Now: now}},
		"note too long":       {"note", mr.CloseCmd{Reason: medreviews.CloseEnteredInError, Note: strings.Repeat("x", 1001), Now: now}},
		"control in the note": {"note", mr.CloseCmd{Reason: medreviews.CloseNoLongerEligible, Note: "\x1b[31m", Now: now}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Invalid(t, reviewType, history(mr.StatusBooked), mr.Close(tc.cmd), tc.field)
		})
	}
}
