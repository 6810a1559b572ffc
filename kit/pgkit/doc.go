// Package pgkit is PostgreSQL plumbing shared by every component: opening a
// pgx pool, applying embedded migrations under an advisory lock, and
// recognising PostgreSQL errors by SQLSTATE.
package pgkit
