// Package aggregatetest is the given-events / when-command / then-events
// harness every aggregate's tests use.
package aggregatetest

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/domain"
)

// Given folds the given events into a state and version, as a repository
// would after loading them.
func Given[S any](typ aggregate.Type[S], given ...events.Data) (S, int64) {
	var s S
	for _, e := range given {
		s = typ.Evolve(s, e)
	}
	return s, int64(len(given))
}

// Then runs a decision on the given history and checks the events it
// records. Every decided event must also survive its wire encoding.
func Then[S any](t *testing.T, typ aggregate.Type[S], given []events.Data, when aggregate.Decide[S], want ...events.Data) {
	t.Helper()
	s, v := Given(typ, given...)
	got, err := when(s, v)
	if err != nil {
		t.Fatalf("decide: %v; want events %v", err, names(want))
	}
	if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("decided\n  %#v\nwant\n  %#v", got, want)
	}
	for _, e := range got {
		roundTrip(t, typ, e)
	}
}

// Refused checks that the decision fails with a *domain.TransitionError
// naming state, and records nothing.
func Refused[S any](t *testing.T, typ aggregate.Type[S], given []events.Data, when aggregate.Decide[S], state string) {
	t.Helper()
	s, v := Given(typ, given...)
	got, err := when(s, v)
	var te *domain.TransitionError
	if !errors.As(err, &te) || te.State != state {
		t.Fatalf("decide = %v, %v; want refusal in state %q", names(got), err, state)
	}
	if len(got) != 0 {
		t.Fatalf("a refused command recorded %v", names(got))
	}
}

// Invalid checks that the decision fails with a *domain.FieldError on field.
func Invalid[S any](t *testing.T, typ aggregate.Type[S], given []events.Data, when aggregate.Decide[S], field string) {
	t.Helper()
	s, v := Given(typ, given...)
	got, err := when(s, v)
	var fe *domain.FieldError
	if !errors.As(err, &fe) || fe.Field != field {
		t.Fatalf("decide = %v, %v; want invalid field %q", names(got), err, field)
	}
	if len(got) != 0 {
		t.Fatalf("an invalid command recorded %v", names(got))
	}
}

// Fails checks that the decision fails with target (errors.Is).
func Fails[S any](t *testing.T, typ aggregate.Type[S], given []events.Data, when aggregate.Decide[S], target error) {
	t.Helper()
	s, v := Given(typ, given...)
	got, err := when(s, v)
	if !errors.Is(err, target) || len(got) != 0 {
		t.Fatalf("decide = %v, %v; want %v and no events", names(got), err, target)
	}
}

// roundTrip encodes the event as it would be stored and decodes it back
// through the registry: the contract must carry every field.
func roundTrip[S any](t *testing.T, typ aggregate.Type[S], e events.Data) {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("encode %s: %v", e.EventType(), err)
	}
	tn, err := events.ParseTypeName(e.EventType())
	if err != nil {
		t.Fatalf("event type %q: %v", e.EventType(), err)
	}
	back, err := typ.Registry.Decode(events.Envelope{Type: e.EventType(), SchemaVersion: tn.Version, Data: raw})
	if err != nil {
		t.Fatalf("decode %s: %v", e.EventType(), err)
	}
	again, err := json.Marshal(back)
	if err != nil || string(again) != string(raw) {
		t.Fatalf("%s does not survive encoding:\n got %s\nwant %s", e.EventType(), again, raw)
	}
}

func names(es []events.Data) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.EventType()
	}
	return out
}
