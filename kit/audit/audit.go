package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
)

// ErrNotRecorded is wrapped by every failure to store a record: the access
// must not be served.
var ErrNotRecorded = errors.New("access not recorded")

// Recorder appends one service's audit records to its event store.
type Recorder struct {
	store   *eventstore.Store
	service string
	now     func() time.Time
}

// New returns a recorder that appends to store as service (the envelope's
// area: a lower-case name such as homevisits or query). now is the clock;
// nil means time.Now.
func New(store *eventstore.Store, service string, now func() time.Time) (*Recorder, error) {
	if store == nil {
		return nil, errors.New("audit: no event store")
	}
	if !serviceName(service) {
		return nil, fmt.Errorf("audit: service name %q must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter", service)
	}
	if now == nil {
		now = time.Now
	}
	return &Recorder{store: store, service: service, now: now}, nil
}

// Service is the name the recorder records as.
func (rc *Recorder) Service() string { return rc.service }

// Access is what a handler knows about one access to a patient's data; Of
// and For add who asked and the request.
type Access struct {
	Patient string
	Action  access.Action
	Basis   access.Basis
	// Reason is the break-glass reason the caller gave, if any.
	Reason  string
	Outcome access.Outcome
	// Status is the HTTP status the request is answered with.
	Status int
	// Resource is the path acted on; empty means the request's path.
	Resource string
}

// Of builds the record of access a by the request's caller: the principal
// of its verified token (auth.From), the request id the httpkit middleware
// keeps, and its path unless a names the resource. A request nobody
// authenticated gets auth's 401 error.
func Of(r *http.Request, a Access) (access.AccessRecorded, error) {
	p, ok := auth.From(r.Context())
	if !ok {
		_, err := auth.ActorFrom(r)
		return access.AccessRecorded{}, err
	}
	if a.Resource == "" {
		a.Resource = r.URL.Path
	}
	return For(p, httpkit.RequestID(r.Context()), a), nil
}

// For builds the record of access a by principal p in request requestID.
func For(p auth.Principal, requestID string, a Access) access.AccessRecorded {
	return access.AccessRecorded{
		Patient: a.Patient, ActorID: p.Subject, Role: p.Role, Org: p.Org, PCN: p.PCN, Team: p.Team,
		Action: a.Action, Resource: a.Resource, Basis: a.Basis, Reason: a.Reason, Outcome: a.Outcome, Status: a.Status,
		RequestID: requestID, TokenID: p.TokenID,
	}
}

// BreakGlassFor builds the grant of break-glass access to patient for
// principal p, for reason, until a time the caller's policy chose.
func BreakGlassFor(p auth.Principal, patient, reason string, until time.Time) access.BreakGlassGranted {
	return access.BreakGlassGranted{Patient: patient, ActorID: p.Subject, Role: p.Role, Org: p.Org, Reason: reason, Until: until.UTC()}
}

// RecordTx appends rec on tx, the caller's transaction: a change's record
// commits with the change or not at all. An invalid record is refused
// before anything is written (an internal error: the caller built it
// wrong); a store failure wraps ErrNotRecorded and is a 503 to
// httpkit.WriteError.
//
// The record holds a transaction-scoped lock on the patient's audit stream
// until tx ends, so concurrent requests about one patient queue there: call
// RecordTx after appending the change's own events, as every command does,
// so all transactions take their locks in the same order.
func (rc *Recorder) RecordTx(ctx context.Context, tx pgx.Tx, rec access.AccessRecorded) error {
	if err := rec.Validate(); err != nil {
		return fmt.Errorf("audit record: %w", err)
	}
	return rc.append(ctx, tx, rec, rec.Patient, events.Actor{ID: rec.ActorID, Role: rec.Role, Org: rec.Org}, rec.RequestID)
}

// Record appends rec in a transaction of its own: for a read, before the
// response is written. If it fails the handler must not serve the read;
// the error wraps ErrNotRecorded and is a 503 to httpkit.WriteError.
func (rc *Recorder) Record(ctx context.Context, rec access.AccessRecorded) error {
	if err := rec.Validate(); err != nil {
		return fmt.Errorf("audit record: %w", err)
	}
	return rc.inTx(ctx, func(tx pgx.Tx) error { return rc.RecordTx(ctx, tx, rec) })
}

// RecordAll appends recs in one transaction of its own, all or none: the
// reads of an answer that shows several patients. They are appended in
// patient order, so concurrent requests take the streams' locks in the same
// order.
func (rc *Recorder) RecordAll(ctx context.Context, recs ...access.AccessRecorded) error {
	for _, rec := range recs {
		if err := rec.Validate(); err != nil {
			return fmt.Errorf("audit record: %w", err)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	recs = slices.SortedStableFunc(slices.Values(recs), func(a, b access.AccessRecorded) int { return strings.Compare(a.Patient, b.Patient) })
	return rc.inTx(ctx, func(tx pgx.Tx) error {
		for _, rec := range recs {
			if err := rc.RecordTx(ctx, tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordBreakGlassTx appends a break-glass grant on tx. The request id, if
// the context carries one, correlates it with the accesses it allows.
func (rc *Recorder) RecordBreakGlassTx(ctx context.Context, tx pgx.Tx, g access.BreakGlassGranted) error {
	if err := g.Validate(); err != nil {
		return fmt.Errorf("audit break-glass grant: %w", err)
	}
	return rc.append(ctx, tx, g, g.Patient, events.Actor{ID: g.ActorID, Role: g.Role, Org: g.Org}, httpkit.RequestID(ctx))
}

// RecordBreakGlass appends a break-glass grant in a transaction of its own.
func (rc *Recorder) RecordBreakGlass(ctx context.Context, g access.BreakGlassGranted) error {
	if err := g.Validate(); err != nil {
		return fmt.Errorf("audit break-glass grant: %w", err)
	}
	return rc.inTx(ctx, func(tx pgx.Tx) error { return rc.RecordBreakGlassTx(ctx, tx, g) })
}

func (rc *Recorder) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, rc.store.Pool(), fn)
	if err != nil && !errors.Is(err, ErrNotRecorded) {
		return notRecorded(err)
	}
	return err
}

// append puts one record at the end of the patient's audit stream; the
// store's advisory lock on the stream orders concurrent recorders.
func (rc *Recorder) append(ctx context.Context, tx pgx.Tx, data events.Data, patient string, actor events.Actor, requestID string) error {
	now := rc.now().UTC()
	id := events.NewID(now)
	correlation := requestID
	if correlation == "" {
		correlation = id.String()
	}
	causation := ""
	if requestID != "" {
		causation = "request:" + requestID
	}
	en, err := events.New(data, events.Metadata{ID: id, Time: now, Subject: patient, Area: rc.service,
		CorrelationID: correlation, CausationID: causation, Actor: actor})
	if err != nil {
		return fmt.Errorf("audit record: %w", err)
	}
	if _, err := rc.store.AppendAtEndTx(ctx, tx, access.Stream(patient), []events.Envelope{en}); err != nil {
		return notRecorded(err)
	}
	return nil
}

func notRecorded(err error) error {
	return &httpkit.Error{Kind: httpkit.KindUnavailable, Message: "the access could not be recorded, so it was not carried out; try again",
		Err: fmt.Errorf("%w: %w", ErrNotRecorded, err)}
}

func serviceName(s string) bool {
	if len(s) == 0 || len(s) > events.MaxAreaLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
