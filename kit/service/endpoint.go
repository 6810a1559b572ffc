package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/domain"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
)

// Commands serves the command endpoints of one aggregate type: every
// service's POST/PUT/PATCH handlers run through Create and Change, so the
// rules (actor, Idempotency-Key, If-Match, strict JSON, one transaction,
// ETag) are written once.
type Commands[S any] struct {
	Repo   *aggregate.Repository[S]
	Idem   *idempotency.Store
	Logger *slog.Logger
	Now    func() time.Time
	// View renders the aggregate for responses and GET.
	View func(aggregate.Loaded[S]) any
	// Path returns an aggregate's URL, for Location headers.
	Path func(id string) string
}

// Command is one request's decision: body is decoded into Body (a
// pointer), then Decide builds the decision, possibly looking things up.
// Also, if set, runs on the same transaction after the events are
// appended (for rows that must commit with them).
type Command[S any] struct {
	Body   any
	Decide func(ctx context.Context, meta aggregate.Meta) (aggregate.Decide[S], error)
	Also   func(ctx context.Context, tx pgx.Tx, l aggregate.Loaded[S]) error
}

// Create handles a creating request for a new aggregate id: an
// Idempotency-Key is required, and a retry returns the first answer.
func (c *Commands[S]) Create(w http.ResponseWriter, r *http.Request, id string, cmd Command[S]) {
	key, err := idempotency.Key(r, true)
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	// Any version: a decision on an existing id refuses with ErrAlreadyExists.
	c.run(w, r, id, -1, key, http.StatusCreated, cmd)
}

// Change handles a change to an existing aggregate named by id: If-Match
// must carry the version the caller read.
func (c *Commands[S]) Change(w http.ResponseWriter, r *http.Request, id string, cmd Command[S]) {
	expected, err := httpkit.IfMatch(r)
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	key, err := idempotency.Key(r, false)
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	c.run(w, r, id, expected, key, http.StatusOK, cmd)
}

func (c *Commands[S]) run(w http.ResponseWriter, r *http.Request, id string, expected int64, key string, status int, cmd Command[S]) {
	meta, err := CommandMeta(r, c.Now())
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	var raw []byte
	if cmd.Body != nil {
		if err := httpkit.DecodeJSON(w, r, cmd.Body, 0); err != nil {
			httpkit.WriteError(w, r, c.Logger, err)
			return
		}
		raw, _ = json.Marshal(cmd.Body)
	}
	scope := r.Pattern + ":" + meta.Actor.ID
	hash := idempotency.Hash([]byte(r.Method+" "+r.URL.Path), raw)
	// A retry gets its first answer even if what the decision needs (the
	// registry, say) is down now.
	if resp, found, err := c.Idem.Replay(r.Context(), scope, key, hash); err != nil || found {
		if err != nil {
			httpkit.WriteError(w, r, c.Logger, err)
			return
		}
		idempotency.Write(w, resp, true)
		return
	}
	decide, err := cmd.Decide(r.Context(), meta)
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	resp, replayed, err := c.Idem.Do(r.Context(), scope, key, hash, func(ctx context.Context, tx pgx.Tx) (idempotency.Response, error) {
		l, _, err := c.Repo.Execute(ctx, tx, id, expected, meta, decide)
		if err != nil {
			return idempotency.Response{}, err
		}
		if cmd.Also != nil {
			if err := cmd.Also(ctx, tx, l); err != nil {
				return idempotency.Response{}, err
			}
		}
		body, err := json.Marshal(c.View(l))
		if err != nil {
			return idempotency.Response{}, err
		}
		headers := map[string]string{"ETag": httpkit.ETag(l.Version)}
		if status == http.StatusCreated {
			headers["Location"] = c.Path(id)
		}
		return idempotency.Response{Status: status, Headers: headers, Body: body}, nil
	})
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	idempotency.Write(w, resp, replayed)
}

// Get serves GET of aggregate id with its ETag; an aggregate that does not
// exist is a 404.
func (c *Commands[S]) Get(w http.ResponseWriter, r *http.Request, id string) {
	l, err := c.Repo.Load(r.Context(), id)
	if err == nil && l.Version == 0 {
		err = domain.ErrNotFound
	}
	if err != nil {
		httpkit.WriteError(w, r, c.Logger, err)
		return
	}
	w.Header().Set("ETag", httpkit.ETag(l.Version))
	httpkit.WriteJSON(w, http.StatusOK, c.View(l))
}
