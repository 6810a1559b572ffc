package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/notify/internal/policy"
	"github.com/careweave/careweave/services/notify/internal/webhook"
)

// API serves what a clinician's device reads.
type API struct {
	pool     *pgxpool.Pool
	store    *eventstore.Store
	registry *events.Registry
	logger   *slog.Logger
	// audit puts each patient a clinician's assignments show on the
	// patient's trail, in this service's event log.
	audit *audit.Recorder
	// webhooks and directory serve the teams' webhook administration.
	webhooks  *webhook.Webhooks
	directory *directory.Directory

	holdingsSQL, feedVersionSQL string
}

// New builds the API on the runtime's connections.
func New(d service.Deps, hooks *webhook.Webhooks, dir *directory.Directory) (*API, error) {
	if err := pgkit.ValidateSchemaName(d.Schema); err != nil {
		return nil, err
	}
	rec, err := audit.New(d.Store, "notify", d.Now)
	if err != nil {
		return nil, err
	}
	return &API{
		audit:     rec,
		pool:      d.Pool,
		store:     d.Store,
		registry:  notify.Registry(),
		logger:    d.Logger,
		webhooks:  hooks,
		directory: dir,
		holdingsSQL: `SELECT holding FROM ` + d.Schema + `.holdings
			WHERE holding->>'recipient' = $1 AND holding->'assignment' IS NOT NULL`,
		// The event store reads a version only outside a caller's
		// transaction; the current list needs it inside its snapshot.
		feedVersionSQL: `SELECT coalesce(max(version), 0) FROM ` + d.Schema + `.events WHERE stream_id = $1`,
	}, nil
}

// Register puts the routes on r.
func (a *API) Register(r *httpkit.Router) {
	r.HandleFunc("GET /v1/clinicians/{clinician}/assignments", a.currentAssignments)
	r.HandleFunc("GET /v1/clinicians/{clinician}/assignments/stream", a.assignmentFeed)
	r.HandleFunc("PUT /v1/teams/{team}/webhook", a.putWebhook)
	r.HandleFunc("GET /v1/teams/{team}/webhook", a.getWebhook)
	r.HandleFunc("DELETE /v1/teams/{team}/webhook", a.deleteWebhook)
	r.HandleFunc("POST /v1/teams/{team}/webhook/redeliver", a.redeliverWebhook)
}

// directoryID is the directory's rule for a clinician's or team's id
// (kit/directory), so anything it refuses cannot name a recipient.
var directoryID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)

// clinician returns the request's clinician and the basis on which the
// caller may read their assignments, or answers 400 or 403 and false. A
// refusal is about a clinician, not a patient: it names no patient to put
// it on the trail of, so it is only logged, without identifiers.
func (a *API) clinician(w http.ResponseWriter, r *http.Request) (string, access.Basis, bool) {
	c := r.PathValue("clinician")
	if !directoryID.MatchString(c) {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("clinician", "must be a directory id such as para-jess-patel"))
		return "", "", false
	}
	d, ok := a.decide(w, r, policy.ReadAssignments, policy.FeedOf(a.directory, c))
	return c, access.Basis(d.Basis), ok
}

// authorize asks the policy whether the caller may do action to res, and
// answers 403 naming the reason (401 if the request was not
// authenticated) and false if not.
func (a *API) authorize(w http.ResponseWriter, r *http.Request, action policy.Action, res policy.Resource) bool {
	_, ok := a.decide(w, r, action, res)
	return ok
}

// decide is authorize, returning the policy's decision.
func (a *API) decide(w http.ResponseWriter, r *http.Request, action policy.Action, res policy.Resource) (policy.Decision, bool) {
	p, ok := auth.From(r.Context())
	if !ok {
		_, err := auth.ActorFrom(r)
		httpkit.WriteError(w, r, a.logger, err)
		return policy.Decision{}, false
	}
	d := policy.Decide(p, action, res)
	if !d.Allowed {
		a.logger.Info("access denied", "request_id", httpkit.RequestID(r.Context()), "sub", p.Subject, "role", p.Role,
			"action", string(action), "reason", d.Reason)
		httpkit.WriteError(w, r, a.logger, d.Err())
		return d, false
	}
	return d, true
}

// feedVersion is the version of the clinician's feed: the id of the last
// notice on it, 0 while it has none.
func (a *API) feedVersion(ctx context.Context, q eventstore.Querier, clinician string) (int64, error) {
	var v int64
	if err := q.QueryRow(ctx, a.feedVersionSQL, notify.FeedStream(clinician)).Scan(&v); err != nil {
		return 0, fmt.Errorf("read feed version: %w", err)
	}
	return v, nil
}

// formatEventID and parseEventID turn a feed version into the event id a
// client holds (SSE id, Last-Event-ID, lastEventId) and back.
func formatEventID(version int64) string { return strconv.FormatInt(version, 10) }

func parseEventID(s string) (int64, error) {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, errors.New("not a feed version")
		}
	}
	return strconv.ParseInt(s, 10, 64) // "" and overflow fail here
}
