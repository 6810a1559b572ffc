package projections

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/projections/internal/rebuild"
	"github.com/careweave/careweave/projections/internal/store"
)

// What a rebuild takes, reports and returns (see the rebuild package).
type (
	RebuildConfig   = rebuild.Config
	RebuildProgress = rebuild.Progress
	RebuildResult   = rebuild.Result
	Generation      = store.Generation
)

// ErrRebuildBusy is returned when another rebuild of the same read models
// is running.
var ErrRebuildBusy = rebuild.ErrBusy

// Rebuild replays the whole event stream into a fresh generation of the
// read models under cfg.Control (default Schema) and switches the projector
// and the query API to it; they keep running, on the old generation until
// the switch.
func Rebuild(ctx context.Context, pool *pgxpool.Pool, js jetstream.JetStream, cfg RebuildConfig, logger *slog.Logger) (RebuildResult, error) {
	if cfg.Control == "" {
		cfg.Control = Schema
	}
	return rebuild.Run(ctx, pool, js, cfg, logger)
}

// Generations lists the generations of the read models under control
// (default Schema), oldest first.
func Generations(ctx context.Context, pool *pgxpool.Pool, control string) ([]Generation, error) {
	if control == "" {
		control = Schema
	}
	gens, err := store.NewGenerations(control)
	if err != nil {
		return nil, err
	}
	if err := pgkit.Migrate(ctx, pool, control, store.ControlMigrations()...); err != nil {
		return nil, err
	}
	return gens.List(ctx, pool)
}
