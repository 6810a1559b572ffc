package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/kit/pgkit"
)

// servers says where PostgreSQL and NATS are.
type servers struct {
	DatabaseURL, NATSURL, StackEnv string
}

func (s *servers) bind(b *config.Binder) {
	b.String(&s.DatabaseURL, "database-url", "DATABASE_URL", "", "PostgreSQL holding the read models (default: from -stack-env)")
	b.String(&s.NATSURL, "nats-url", "NATS_URL", "", "NATS with the CARE stream (default: from -stack-env)")
	bindStackEnv(b, &s.StackEnv)
}

// bindStackEnv binds the stack env file's path.
func bindStackEnv(b *config.Binder, p *string) {
	b.String(p, "stack-env", "CAREWEAVE_STACK_ENV", "var/stack.env", "the dev stack's server and token issuer addresses, written by make run")
}

// readStackEnv returns the KEY=value settings of the stack env file at path
// (DATABASE_URL, NATS_URL, AUTH_ISSUER), or an error wrapping
// os.ErrNotExist when the dev stack is not running.
func readStackEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return env, nil
}

// resolve fills what the flags and environment left empty from the stack
// env file; needDB says whether the command uses PostgreSQL.
func (s *servers) resolve(needDB bool) error {
	if (s.DatabaseURL != "" || !needDB) && s.NATSURL != "" {
		return nil
	}
	env, err := readStackEnv(s.StackEnv)
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

// openJetStream connects to NATS.
func (s *servers) openJetStream(ctx context.Context, logger *slog.Logger) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := natskit.Connect(ctx, natskit.ConnectConfig{URL: s.NATSURL, Name: "carectl"}, logger)
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
