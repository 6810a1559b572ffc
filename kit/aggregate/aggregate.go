// Package aggregate runs commands on event-sourced aggregates: load the
// stream, decide with a pure function, append with the version that was
// read. Every service uses this one shape:
//
//	evolve(state, event) state            // pure, total, never fails
//	decide(state, command) ([]event, err) // pure; errors from kit/domain
//
// Deciding on stale state is impossible: the append carries the version the
// decision was made on, and PostgreSQL refuses it if anyone appended since.
package aggregate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/kit/eventstore"
)

// Type describes one aggregate type.
type Type[S any] struct {
	// Name prefixes stream ids: "visit" gives streams "visit-<id>".
	Name     string
	Registry *events.Registry
	// Evolve applies one event; it must accept every registered event.
	Evolve func(S, events.Data) S
	// Route says whom the aggregate's events are about (the opaque patient
	// reference, or "" for an aggregate of many patients) and which area
	// (PCN) they are routed to. It reads the state after the new events.
	Route func(S) (subject, area string)
}

// Loaded is an aggregate's state at a version; version 0 means it does not
// exist yet.
type Loaded[S any] struct {
	ID      string
	State   S
	Version int64
}

// Meta is the context of one command, stamped on every event it records.
type Meta struct {
	Actor         events.Actor
	CorrelationID string
	CausationID   string
	Now           time.Time
}

// Repository loads aggregates of one type and executes commands on them.
type Repository[S any] struct {
	typ   Type[S]
	store *eventstore.Store
}

// NewRepository returns the repository of typ in store.
func NewRepository[S any](typ Type[S], store *eventstore.Store) *Repository[S] {
	return &Repository[S]{typ: typ, store: store}
}

// StreamID returns the stream of aggregate id.
func (r *Repository[S]) StreamID(id string) string { return r.typ.Name + "-" + id }

// Load replays the aggregate's events.
func (r *Repository[S]) Load(ctx context.Context, id string) (Loaded[S], error) {
	envs, err := r.store.Load(ctx, r.StreamID(id), 0)
	if err != nil {
		return Loaded[S]{}, err
	}
	return Replay(r.typ, id, envs)
}

// loadOn loads the aggregate on q, the command's transaction, if it has
// one: a command must not wait for a second connection while it holds one.
func (r *Repository[S]) loadOn(ctx context.Context, q eventstore.Querier, id string) (Loaded[S], error) {
	if q == nil {
		return r.Load(ctx, id)
	}
	envs, err := r.store.LoadTx(ctx, q, r.StreamID(id), 0, 0)
	if err != nil {
		return Loaded[S]{}, err
	}
	return Replay(r.typ, id, envs)
}

// Replay folds envelopes into state; golden-history tests use it directly.
func Replay[S any](typ Type[S], id string, envs []events.Envelope) (Loaded[S], error) {
	var l Loaded[S]
	l.ID = id
	for _, env := range envs {
		d, err := typ.Registry.Decode(env)
		if err != nil {
			return Loaded[S]{}, fmt.Errorf("replay %s-%s@%d: %w", typ.Name, id, env.StreamVersion, err)
		}
		l.State = typ.Evolve(l.State, d)
		l.Version = env.StreamVersion
	}
	return l, nil
}

// Decide is a command's pure decision.
type Decide[S any] func(state S, version int64) ([]events.Data, error)

// Execute loads aggregate id, decides, and appends what was decided, on q
// (a transaction of the caller's, or nil for the store's own). With
// expected >= 0 the aggregate must be at that version (else domain.ErrStale);
// with expected < 0 a concurrent change makes it decide again on the new
// state, up to three times. A decision of no events records nothing.
func (r *Repository[S]) Execute(ctx context.Context, q eventstore.Querier, id string, expected int64, meta Meta, decide Decide[S]) (Loaded[S], []events.Envelope, error) {
	for attempt := 0; ; attempt++ {
		cur, err := r.loadOn(ctx, q, id)
		if err != nil {
			return Loaded[S]{}, nil, err
		}
		if expected > 0 && cur.Version == 0 {
			return cur, nil, domain.ErrNotFound
		}
		if expected >= 0 && cur.Version != expected {
			return cur, nil, fmt.Errorf("%w: it is at version %d, not %d", domain.ErrStale, cur.Version, expected)
		}
		decided, err := decide(cur.State, cur.Version)
		if err != nil || len(decided) == 0 {
			return cur, nil, err
		}
		next, envs, err := r.record(cur, decided, meta)
		if err != nil {
			return cur, nil, err
		}
		if q == nil {
			_, err = r.store.Append(ctx, r.StreamID(id), cur.Version, envs)
		} else {
			_, err = r.store.AppendTx(ctx, q, r.StreamID(id), cur.Version, envs)
		}
		if errors.Is(err, eventstore.ErrVersionConflict) {
			if expected >= 0 {
				return cur, nil, fmt.Errorf("%w: %w", domain.ErrStale, err)
			}
			if attempt < 2 && q == nil {
				continue
			}
		}
		if err != nil {
			return cur, nil, err
		}
		return next, envs, nil
	}
}

// record evolves the state through the decided events and wraps them in
// envelopes routed by the resulting state.
func (r *Repository[S]) record(cur Loaded[S], decided []events.Data, meta Meta) (Loaded[S], []events.Envelope, error) {
	next := cur
	for _, d := range decided {
		next.State = r.typ.Evolve(next.State, d)
		next.Version++
	}
	subject, area := r.typ.Route(next.State)
	envs := make([]events.Envelope, len(decided))
	for i, d := range decided {
		env, err := events.New(d, events.Metadata{
			ID: events.NewID(meta.Now), Time: meta.Now, Subject: subject, Area: area,
			CorrelationID: meta.CorrelationID, CausationID: meta.CausationID, Actor: meta.Actor,
		})
		if err != nil {
			return cur, nil, err
		}
		envs[i] = env
	}
	return next, envs, nil
}

// MustExist is a decide guard: version 0 means there is nothing to act on.
func MustExist(version int64) error {
	if version == 0 {
		return domain.ErrNotFound
	}
	return nil
}
