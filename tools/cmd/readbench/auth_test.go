package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/careweave/careweave/kit/auth"
)

// The components verify readbench's tokens as they would a provider's: the
// key set fetched from the issuer over HTTP, iss and aud checked.
func TestIssuerServesKeysThatVerifyTheCoordinatorsToken(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	iss, err := startIssuer(logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := iss.stop(); err != nil {
			t.Error(err)
		}
	})
	cfg := iss.config()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("auth config %+v: %v", cfg, err)
	}
	resp, err := http.Get(cfg.JWKSURL)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s (%v)", cfg.JWKSURL, resp.Status, err)
	}
	v, err := auth.NewStaticVerifier(cfg, jwks, logger)
	if err != nil {
		t.Fatal(err)
	}
	bearer := &tokens{iss: iss, p: coordinator}
	tok, err := bearer.get()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := bearer.get(); again != tok {
		t.Error("a fresh token was minted again before it needed renewing")
	}
	p, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.TokenID == "" {
		t.Error("the token has no jti for the audit trail")
	}
	if p.TokenID = ""; p != coordinator {
		t.Errorf("verified %+v, want %+v", p, coordinator)
	}
}
