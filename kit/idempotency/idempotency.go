// Package idempotency makes creating requests safe to retry: the first
// response to an Idempotency-Key is stored in the same transaction as the
// events the request recorded, and a retry with the same key gets that
// response back and records nothing new.
package idempotency

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/pgkit"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the key table in a service's schema.
func Migrations() pgkit.Migrations {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return pgkit.Migrations{Name: "idempotency", FS: sub}
}

// Header is the request header carrying the key.
const Header = "Idempotency-Key"

// Response is what a request answered, kept to be replayed.
type Response struct {
	Status  int
	Headers map[string]string // e.g. Location, ETag
	Body    []byte
}

// Store keeps keys in one schema.
type Store struct {
	pool              *pgxpool.Pool
	selectSQL, putSQL string
}

// New returns the store in schema (migrated with Migrations).
func New(pool *pgxpool.Pool, schema string) (*Store, error) {
	if err := pgkit.ValidateSchemaName(schema); err != nil {
		return nil, err
	}
	return &Store{
		pool:      pool,
		selectSQL: `SELECT request_hash, status, headers, body FROM ` + schema + `.idempotency_keys WHERE scope = $1 AND key = $2`,
		putSQL: `INSERT INTO ` + schema + `.idempotency_keys (scope, key, request_hash, status, headers, body)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
	}, nil
}

// Key reads and checks the request's Idempotency-Key; required is whether
// the route demands one.
func Key(r *http.Request, required bool) (string, error) {
	k := r.Header.Get(Header)
	if k == "" {
		if required {
			return "", httpkit.Invalid(Header, "is required: a unique value per intended request, such as a UUID")
		}
		return "", nil
	}
	if len(k) > 128 {
		return "", httpkit.Invalid(Header, "must be at most 128 characters")
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return "", httpkit.Invalid(Header, "must be printable ASCII without spaces")
		}
	}
	return k, nil
}

// Hash fingerprints a request so a key reused for a different request is
// caught.
func Hash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return h.Sum(nil)
}

// Do runs handle at most once per (scope, key). handle does its writes on
// tx and returns the response; the response is stored on the same
// transaction. A repeat returns the stored response with replayed true; a
// repeat with a different request hash is refused (422). An empty key runs
// handle in a transaction without storing anything.
//
// Do does not look the key up first: callers answer a retry from Replay
// before deciding anything (service.Commands does), so looking again here
// would cost every command a query. A repeat that reaches Do anyway (it
// raced the first) runs handle, finds the key taken when it stores the
// response, rolls its transaction back and returns the first response.
func (s *Store) Do(ctx context.Context, scope, key string, hash []byte, handle func(ctx context.Context, tx pgx.Tx) (Response, error)) (resp Response, replayed bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		resp, err = handle(ctx, tx)
		if err != nil || key == "" {
			return err
		}
		headers, err := json.Marshal(resp.Headers)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, s.putSQL, scope, key, hash, resp.Status, headers, resp.Body)
		if err != nil {
			return fmt.Errorf("store idempotency key: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return errRaced // a concurrent request with this key committed first
		}
		return nil
	})
	if errors.Is(err, errRaced) {
		resp, _, err = s.lookup(ctx, scope, key, hash)
		return resp, true, err
	}
	return resp, false, err
}

var errRaced = errors.New("idempotency key raced")

// Replay returns the stored response to (scope, key), if there is one, so
// a retry is answered before anything else (a registry lookup, say) runs.
func (s *Store) Replay(ctx context.Context, scope, key string, hash []byte) (Response, bool, error) {
	if key == "" {
		return Response{}, false, nil
	}
	return s.lookup(ctx, scope, key, hash)
}

func (s *Store) lookup(ctx context.Context, scope, key string, hash []byte) (Response, bool, error) {
	var (
		resp    Response
		stored  []byte
		headers []byte
	)
	err := s.pool.QueryRow(ctx, s.selectSQL, scope, key).Scan(&stored, &resp.Status, &headers, &resp.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return Response{}, false, nil
	}
	if err != nil {
		return Response{}, false, fmt.Errorf("look up idempotency key: %w", err)
	}
	if string(stored) != string(hash) {
		return Response{}, false, &httpkit.Error{Kind: httpkit.KindUnprocessable,
			Message: "this Idempotency-Key was already used for a different request",
			Fields:  []httpkit.FieldError{{Field: Header, Reason: "was used before with a different body"}}}
	}
	if err := json.Unmarshal(headers, &resp.Headers); err != nil {
		return Response{}, false, fmt.Errorf("decode stored headers: %w", err)
	}
	return resp, true, nil
}

// Write sends a response (fresh or replayed) to w.
func Write(w http.ResponseWriter, resp Response, replayed bool) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}
