package policytest

import (
	"maps"
	"slices"

	"github.com/careweave/careweave/kit/auth"
)

// TB is the part of testing.TB that Check uses; *testing.T satisfies it.
// Fatalf must not return (testing.T's stops the goroutine).
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Row says who may do Actions on the resource named Resource: each caller
// named in Allowed (a key of the principals map) on the basis given, and
// nobody else. A nil Allowed denies everyone.
type Row[A, B ~string] struct {
	Actions  []A
	Resource string
	Allowed  map[string]B // caller → basis
}

// Decision is what a policy decided, in a form common to every service: the
// test adapts its package's decision into it, with Err set to the package's
// Decision.Err().
type Decision[B ~string] struct {
	Allowed bool
	Basis   B
	Reason  string
	Err     error
}

// Check holds decide to table. Before deciding anything it checks the table
// itself: every caller it allows and every resource it names must exist, and
// it must say exactly once who may do each of actions on each resource. Then,
// for every row, action and principal (in name order), decide must allow the
// callers the row allows with the row's basis and no reason, and deny
// everyone else with a reason and the zero basis; Err must be nil exactly
// when the decision allows. If B has a Valid() bool method (access.Basis
// does), every basis an allowing decision carries must be valid.
func Check[A, B ~string, R any](t TB, actions []A, principals map[string]auth.Principal, resources map[string]R,
	table []Row[A, B], decide func(auth.Principal, A, R) Decision[B]) {
	t.Helper()
	if len(actions) == 0 {
		t.Fatalf("no actions to check the table against")
	}
	covered := map[string]int{}
	for _, row := range table {
		if _, ok := resources[row.Resource]; !ok {
			t.Fatalf("a row names unknown resource %q", row.Resource)
		}
		for caller := range row.Allowed {
			if _, ok := principals[caller]; !ok {
				t.Fatalf("a row allows unknown caller %q", caller)
			}
		}
		for _, a := range row.Actions {
			covered[string(a)+" on "+row.Resource]++
		}
	}
	for _, a := range actions {
		for _, r := range slices.Sorted(maps.Keys(resources)) {
			if n := covered[string(a)+" on "+r]; n != 1 {
				t.Errorf("the table says %d times who may %s on %s", n, a, r)
			}
		}
	}

	callers := slices.Sorted(maps.Keys(principals))
	var none B
	for _, row := range table {
		res := resources[row.Resource]
		for _, a := range row.Actions {
			for _, caller := range callers {
				d := decide(principals[caller], a, res)
				want, allowed := row.Allowed[caller]
				switch {
				case allowed && (!d.Allowed || d.Basis != want || d.Reason != ""):
					t.Errorf("%s: %s on %s = %+v, want allowed on %s", caller, a, row.Resource, d, want)
				case !allowed && (d.Allowed || d.Basis != none || d.Reason == ""):
					t.Errorf("%s: %s on %s = %+v, want denied with a reason", caller, a, row.Resource, d)
				case d.Allowed != (d.Err == nil):
					t.Errorf("%s: %s on %s: Err = %v for %+v", caller, a, row.Resource, d.Err, d)
				case d.Allowed && !valid(d.Basis):
					t.Errorf("%s: %s on %s: basis %q is not valid", caller, a, row.Resource, d.Basis)
				}
			}
		}
	}
}

// valid reports whether b is valid, if its type can say; a plain string
// basis always is.
func valid[B ~string](b B) bool {
	v, ok := any(b).(interface{ Valid() bool })
	return !ok || v.Valid()
}
