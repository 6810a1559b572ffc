package idempotency_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/kit/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestRetryReturnsTheFirstResultAndRecordsNothingNew(t *testing.T) {
	pool, schema := testkit.Postgres(t)
	ctx := t.Context()
	if err := pgkit.Migrate(ctx, pool, schema, idempotency.Migrations()); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "CREATE TABLE "+schema+".writes (n int)"); err != nil {
		t.Fatal(err)
	}
	s, err := idempotency.New(pool, schema)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	handle := func(ctx context.Context, tx pgx.Tx) (idempotency.Response, error) {
		n := calls.Add(1)
		if _, err := tx.Exec(ctx, "INSERT INTO "+schema+".writes VALUES ($1)", n); err != nil {
			return idempotency.Response{}, err
		}
		return idempotency.Response{Status: 201, Headers: map[string]string{"ETag": `"1"`}, Body: []byte(`{"n":1}`)}, nil
	}
	hash := idempotency.Hash([]byte("POST /v1/visits"), []byte(`{"reason":"fall"}`))

	// Eight concurrent retries of one request: one executes, all see its answer.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			resp, _, err := s.Do(ctx, "visits:user-1", "key-1", hash, handle)
			if err != nil || resp.Status != 201 || string(resp.Body) != `{"n":1}` || resp.Headers["ETag"] != `"1"` {
				t.Errorf("Do = %+v, %v", resp, err)
			}
		})
	}
	wg.Wait()
	var rows int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+schema+".writes").Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("writes = %d, %v; want exactly 1", rows, err)
	}

	_, _, err = s.Do(ctx, "visits:user-1", "key-1", idempotency.Hash([]byte("other")), handle)
	if httpkit.KindOf(err) != httpkit.KindUnprocessable {
		t.Fatalf("reused key with another body: %v, want 422", err)
	}

	// A failed request stores nothing, so its retry runs again.
	failing := func(context.Context, pgx.Tx) (idempotency.Response, error) {
		return idempotency.Response{}, errors.New("invalid")
	}
	if _, _, err := s.Do(ctx, "visits:user-1", "key-2", hash, failing); err == nil {
		t.Fatal("failure swallowed")
	}
	if resp, replayed, err := s.Do(ctx, "visits:user-1", "key-2", hash, handle); err != nil || replayed || resp.Status != 201 {
		t.Fatalf("retry after failure = %+v, %v, %v", resp, replayed, err)
	}
}
