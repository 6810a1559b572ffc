// Package eventstore is the PostgreSQL event store every service appends its
// aggregates' events to.
//
// Guarantees, each proved by a test against real PostgreSQL:
//   - Append with an expected version: UNIQUE(stream_id, version) decides
//     races, and SQLSTATE 23505 becomes a *VersionConflictError. A batch is
//     one statement, so it is stored whole or not at all.
//   - ReadAll returns events in commit order through a cursor of
//     (transaction_id, position) that only moves past transactions older than
//     every open one (pg_snapshot_xmin), so a late-committing event is never
//     skipped.
//   - Migrations are embedded and applied at start-up under an advisory lock;
//     each service gets its own schema.
package eventstore
