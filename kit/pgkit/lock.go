package pgkit

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SessionLock is a PostgreSQL session advisory lock held on its own
// connection: it lasts until Release, or until that connection dies.
type SessionLock struct {
	conn *pgxpool.Conn
	key  int64
}

// AcquireLock waits for the named lock, trying every interval until ctx
// ends. Only one holder across all processes on the database gets it.
func AcquireLock(ctx context.Context, pool *pgxpool.Pool, name string, interval time.Duration) (*SessionLock, error) {
	key := lockKey(name)
	for {
		conn, err := pool.Acquire(ctx)
		if err == nil {
			var got bool
			err = conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got)
			if err == nil && got {
				return &SessionLock{conn: conn, key: key}, nil
			}
			conn.Release()
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("acquire lock %s: %w", name, ctx.Err())
		case <-time.After(interval):
		}
	}
}

// Check returns an error if the lock's connection is gone, which means the
// lock may now be someone else's.
func (l *SessionLock) Check(ctx context.Context) error {
	if err := l.conn.Ping(ctx); err != nil {
		return fmt.Errorf("advisory lock connection lost: %w", err)
	}
	return nil
}

// Release unlocks and returns the connection.
func (l *SessionLock) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", l.key); err != nil {
		// An unlock that failed leaves the lock on the session: close it.
		_ = l.conn.Conn().Close(ctx)
	}
	l.conn.Release()
}
