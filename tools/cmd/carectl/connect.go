package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
	"github.com/careweave/careweave/tools/internal/stackenv"
)

// servers says where PostgreSQL and NATS are, and how to sign in to NATS.
type servers struct {
	DatabaseURL, NATSURL, StackEnv string
	// NATS are credentials, TLS and inbox prefix given outright
	// (NATS_NKEY_SEED_FILE, NATS_CA_FILE, ...).
	NATS natskit.ConnectConfig
	// SeedsDir holds a seed per NATS user (natsauth.SeedFile), as
	// natsconfig and the dev stack make them: without a seed given
	// outright, a command signs in as the user it acts as (admin, or a
	// team) with that user's seed and inbox prefix.
	SeedsDir string
}

func (s *servers) bind(b *config.Binder) {
	b.String(&s.DatabaseURL, "database-url", "DATABASE_URL", "", "PostgreSQL holding the read models (default: from -stack-env)")
	b.String(&s.NATSURL, "nats-url", "NATS_URL", "", "NATS with the CARE stream (default: from -stack-env)")
	b.String(&s.SeedsDir, "nats-seeds", "NATS_SEEDS_DIR", "", "directory of the NATS users' nkey seeds; the command signs in as the user it acts as (default: from -stack-env)")
	s.NATS.BindCredentials(b)
	bindStackEnv(b, &s.StackEnv)
}

// bindStackEnv binds the stack env file's path.
func bindStackEnv(b *config.Binder, p *string) {
	b.String(p, "stack-env", "CAREWEAVE_STACK_ENV", "var/stack.env", "the dev stack's server and token issuer addresses, written by make run")
}

// resolve fills what the flags and environment left empty from the stack
// env file: the servers and, for the dev stack's NATS, its users' seeds and
// CA. needDB says whether the command uses PostgreSQL.
func (s *servers) resolve(needDB bool) error {
	if (s.DatabaseURL != "" || !needDB) && s.NATSURL != "" {
		return nil
	}
	env, err := stackenv.Read(s.StackEnv)
	if errors.Is(err, os.ErrNotExist) {
		return usageError{fmt.Errorf("set -database-url and -nats-url (or DATABASE_URL and NATS_URL), or start the dev stack with make run, which writes %s", s.StackEnv)}
	}
	if err != nil {
		return err
	}
	if s.DatabaseURL == "" {
		s.DatabaseURL = env["DATABASE_URL"]
	}
	if s.NATSURL == "" {
		s.NATSURL = env["NATS_URL"]
		for p, key := range map[*string]string{&s.SeedsDir: "NATS_SEEDS_DIR", &s.NATS.CAFile: "NATS_CA_FILE",
			&s.NATS.CertFile: "NATS_CERT_FILE", &s.NATS.KeyFile: "NATS_KEY_FILE"} {
			if *p == "" {
				*p = env[key]
			}
		}
	}
	if (needDB && s.DatabaseURL == "") || s.NATSURL == "" {
		return usageError{fmt.Errorf("%s does not name both DATABASE_URL and NATS_URL", s.StackEnv)}
	}
	return nil
}

// openPostgres opens a pool of up to maxConns connections.
func (s *servers) openPostgres(ctx context.Context, maxConns int32) (*pgxpool.Pool, error) {
	return pgkit.Open(ctx, pgkit.PoolConfig{URL: s.DatabaseURL, MaxConns: maxConns, ApplicationName: "carectl"})
}

// connectConfig is how the command signs in as user: with the seed and
// inbox prefix given outright, or else the user's own from SeedsDir, or
// else with nothing (a server without users).
func (s *servers) connectConfig(user string) natskit.ConnectConfig {
	c := s.NATS
	c.URL, c.Name = s.NATSURL, "carectl"
	if c.NKeySeedFile == "" && c.User == "" && s.SeedsDir != "" {
		c.NKeySeedFile = natsauth.SeedFile(s.SeedsDir, user)
		if c.InboxPrefix == "" {
			c.InboxPrefix = natsauth.InboxPrefix(user)
		}
	}
	return c
}

// openJetStream connects to NATS as user (natsauth.AdminName for
// provisioning, listing and rebuilding; a team to read its notices).
func (s *servers) openJetStream(ctx context.Context, logger *slog.Logger, user string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := natskit.Connect(ctx, s.connectConfig(user), logger)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	return nc, js, nil
}
