package domain_test

import (
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

// checkTransitions runs when in every state a stay can be in: it must be
// refused (naming the state, recording nothing) in the states listed, and
// never refused in any other. So each command's table of refusals is
// complete by construction: a new state in histories() is checked for every
// command.
func checkTransitions(t *testing.T, when aggregate.Decide[dom.StayState], refused ...string) {
	t.Helper()
	all := histories()
	for _, name := range refused {
		if _, ok := all[name]; !ok {
			t.Fatalf("no history named %q", name)
		}
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		h := all[name]
		if slices.Contains(refused, name) {
			t.Run("refused when "+name, func(t *testing.T) {
				aggregatetest.Refused(t, stay, h, when, statusOf(h))
			})
			continue
		}
		t.Run("allowed when "+name, func(t *testing.T) {
			s, v := aggregatetest.Given(stay, h...)
			_, err := when(s, v)
			var te *domain.TransitionError
			if errors.As(err, &te) {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

// notDischarged are the states with no standing discharge.
var notDischarged = []string{"admitted", "planned", "cancelled, back to plan", "cancelled, back on ward", "cancelled after closure"}

// withoutDischarge returns notDischarged and more.
func withoutDischarge(more ...string) []string { return append(slices.Clone(notDischarged), more...) }

// dischargedStates are the states with a standing discharge.
var dischargedStates = []string{"discharged", "discharged, none owed", "discharged+summary", "follow-up assigned", "follow-up completed",
	"follow-up missed", "closed", "closed, no follow-up", "re-discharged after undo"}

func TestStateListsCoverEveryHistory(t *testing.T) {
	all := append(slices.Clone(notDischarged), dischargedStates...)
	if len(all) != len(histories()) {
		t.Fatalf("%d states listed, %d histories", len(all), len(histories()))
	}
	for _, n := range all {
		if _, ok := histories()[n]; !ok {
			t.Fatalf("no history %q", n)
		}
	}
}
