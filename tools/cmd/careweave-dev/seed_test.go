package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/careweave/careweave/kit/auth"
)

func TestTheSeedCallsAsTheDemoCoordinatorWithATokenFromTheIssuer(t *testing.T) {
	iss, err := auth.NewIssuer("http://127.0.0.1:8079", auth.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewStaticVerifier(auth.Config{Issuer: iss.URL(), Audience: tokenAudience, JWKSURL: iss.JWKSURL()}, iss.JWKS(), slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	var got auth.Principal
	srv := httptest.NewServer(verifier.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = auth.From(r.Context())
		w.WriteHeader(http.StatusNotFound) // as the registry answers an unknown number
	})))
	defer srv.Close()

	token, err := iss.Mint(demoCoordinator, tokenAudience, seedTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	s := seeder{urls: map[string]string{"patients": srv.URL}, token: token, client: srv.Client(), logger: testLogger(t)}
	if status, _ := s.call(t.Context(), "patients", "POST", "/v1/patients/resolve", "", "", map[string]string{"nhsNumber": seedNumber(0)}); status != http.StatusNotFound {
		t.Fatalf("seed call = %d, want it past the token check (404)", status)
	}
	want := demoCoordinator
	want.TokenID = got.TokenID
	if got != want || got.TokenID == "" {
		t.Errorf("the seed called as %+v, want %+v", got, want)
	}
}
