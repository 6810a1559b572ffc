package eventstore

import "github.com/jackc/pgx/v5/pgxpool"

// Pool exposes the store's pool to tests that need their own transactions.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
