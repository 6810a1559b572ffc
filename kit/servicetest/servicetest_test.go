package servicetest

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/auth"
)

func TestAsSendsTheWholePrincipalAndActorStillWorks(t *testing.T) {
	s := &Stack{t: t, Actor: DefaultPrincipal.Actor(), principal: DefaultPrincipal}
	if got := s.Principal(); got != DefaultPrincipal {
		t.Fatalf("a new stack's principal = %+v, want %+v", got, DefaultPrincipal)
	}

	jess := auth.Principal{Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"}
	team := auth.Principal{Subject: "cn-kate-ward", Role: "community-nurse", Org: "team-severn-ict", Team: "team-severn-ict"}
	asJess, asTeam := s.As(jess), s.As(team)
	if asJess.Principal() != jess || asTeam.Principal() != team || asJess.Actor != jess.Actor() {
		t.Fatalf("As: %+v and %+v, want %+v and %+v", asJess.Principal(), asTeam.Principal(), jess, team)
	}
	if s.Principal() != DefaultPrincipal {
		t.Fatalf("As changed the stack it copied: %+v", s.Principal())
	}

	// Setting Actor, as tests did before As, sends that actor alone.
	owen := events.Actor{ID: "para-owen-jones", Role: "paramedic", Org: "U84001"}
	asJess.Actor = owen
	if got := asJess.Principal(); got != (auth.Principal{Subject: owen.ID, Role: owen.Role, Org: owen.Org}) {
		t.Fatalf("after setting Actor the principal is %+v, want Owen's actor and no pcn or team", got)
	}

	// The token carries every claim.
	v, err := auth.NewStaticVerifier(AuthConfig(t), Issuer(t).JWKS(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
	asTeam.Authorize(req)
	got, err := v.Verify(t.Context(), strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer "))
	if got.TokenID = ""; err != nil || got != team {
		t.Fatalf("the token says %+v (%v), want %+v", got, err, team)
	}
}
