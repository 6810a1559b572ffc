package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/auth"
)

// tokenAudience is the aud of the tokens readbench mints and its
// components accept: the services' default AUTH_AUDIENCE.
const tokenAudience = "careweave"

// coordinator is who the query case reads as: a care coordinator of the
// PCN every synthetic patient is registered in (kit/directory's demo).
var coordinator = auth.Principal{Subject: "cc-nia-brown", Role: "care-coordinator", Org: "U84001", PCN: "U84001"}

// devIssuer is readbench's own development token issuer (kit/auth), served
// on a random loopback port as an identity provider would be: the
// components fetch its key set over HTTP at start, and verify each token
// exactly as they would a real provider's.
type devIssuer struct {
	*auth.Issuer
	srv    *http.Server
	served chan error
}

// startIssuer serves a new issuer, with a fresh key, on 127.0.0.1.
func startIssuer(logger *slog.Logger) (*devIssuer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the token issuer: %w", err)
	}
	iss, err := auth.NewIssuer("http://"+ln.Addr().String(), auth.NewKey())
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("start the token issuer: %w", err)
	}
	d := &devIssuer{Issuer: iss, served: make(chan error, 1),
		srv: &http.Server{Handler: iss.Handler(tokenAudience), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}}
	go func() { d.served <- d.srv.Serve(ln) }()
	return d, nil
}

// config is a component's auth configuration for this issuer's tokens.
func (d *devIssuer) config() auth.Config {
	return auth.Config{Issuer: d.URL(), Audience: tokenAudience, JWKSURL: d.JWKSURL()}
}

// stop shuts the issuer's server down.
func (d *devIssuer) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := d.srv.Shutdown(ctx)
	if serveErr := <-d.served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// tokens hands out a bearer token for one principal, minting a new one
// well before the last expires, so a long run never sends a stale one.
type tokens struct {
	iss     *devIssuer
	p       auth.Principal
	token   string
	renewAt time.Time
}

const tokenTTL = time.Hour

func (t *tokens) get() (string, error) {
	if now := time.Now(); t.token == "" || now.After(t.renewAt) {
		tok, err := t.iss.Mint(t.p, tokenAudience, tokenTTL)
		if err != nil {
			return "", fmt.Errorf("mint a token for %s: %w", t.p.Role, err)
		}
		t.token, t.renewAt = tok, now.Add(tokenTTL/2)
	}
	return t.token, nil
}
