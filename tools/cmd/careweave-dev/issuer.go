package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/careweave/careweave/kit/auth"
)

const (
	// IssuerKeyFile, in the data directory, holds the development issuer's
	// signing key, so a token minted before a restart still verifies after
	// it (on the same -issuer-port: the port is part of the token's iss).
	IssuerKeyFile = "issuer.pem"
	// tokenAudience is the aud of the tokens the issuer mints: the
	// services' default AUTH_AUDIENCE, which careweave-dev also sets.
	tokenAudience = "careweave"
	// issuerStopTimeout bounds waiting for token requests in flight.
	issuerStopTimeout = 5 * time.Second
)

// devIssuer is the running development token issuer.
type devIssuer struct {
	infra
	issuer *auth.Issuer
}

// childEnv is what tells a service to trust this issuer's tokens. Every
// setting is given, so an AUTH_* variable left in the developer's shell
// cannot point a child at another issuer or audience.
func (d devIssuer) childEnv() []string {
	return []string{
		"AUTH_ISSUER=" + d.url,
		"AUTH_AUDIENCE=" + tokenAudience,
		"AUTH_JWKS_URL=" + d.issuer.JWKSURL(),
		"AUTH_TOKEN_URL=" + d.url + "/token",
	}
}

// startIssuer serves the development issuer (kit/auth) on 127.0.0.1 at
// cfg.IssuerPort, signing with the key in <data-dir>/issuer.pem, created on
// the first run. Its iss is its own URL.
func startIssuer(cfg Config, logger *slog.Logger) (devIssuer, error) {
	keyFile := filepath.Join(cfg.DataDir, IssuerKeyFile)
	key, err := auth.LoadOrCreateKey(keyFile)
	if err != nil {
		return devIssuer{}, fmt.Errorf("development token issuer's key: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.IssuerPort)))
	if err != nil {
		return devIssuer{}, fmt.Errorf("start the development token issuer: port %d is not free, perhaps another careweave-dev holds it; "+
			"stop it or pass -issuer-port 0 for a random port: %w", cfg.IssuerPort, err)
	}
	url := "http://" + ln.Addr().String()
	iss, err := auth.NewIssuer(url, key)
	if err != nil {
		_ = ln.Close()
		return devIssuer{}, fmt.Errorf("start the development token issuer: %w", err)
	}
	issuerLogger := logger.With(slog.String("component", "issuer"))
	srv := &http.Server{
		Handler:           iss.Handler(tokenAudience),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(issuerLogger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("development token issuer started", slog.String("url", url), slog.String("key_file", keyFile))
	return devIssuer{
		issuer: iss,
		infra: infra{
			url:    url,
			origin: "development tokens, key in " + displayPath(cfg.RepoRoot, keyFile),
			stop: func() error {
				ctx, cancel := context.WithTimeout(context.Background(), issuerStopTimeout)
				defer cancel()
				err := srv.Shutdown(ctx)
				if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
					err = errors.Join(err, serveErr)
				}
				if err != nil {
					return fmt.Errorf("stop the development token issuer: %w", err)
				}
				logger.Info("development token issuer stopped")
				return nil
			},
		},
	}, nil
}
