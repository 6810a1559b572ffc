package auth

import (
	"context"
	"net/http"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/httpkit"
)

// Principal is who a verified token says is calling.
type Principal struct {
	// Subject is the user's directory id (a clinician's, or a team
	// member's), the token's sub.
	Subject string `json:"sub"`
	// Role is what they act as (see kit/directory's roles).
	Role string `json:"role"`
	// Org is their organisation's ODS code or directory id.
	Org string `json:"org,omitempty"`
	// PCN is the Primary Care Network they work for, if any.
	PCN string `json:"pcn,omitempty"`
	// Team is the community team they work in, if any.
	Team string `json:"team,omitempty"`
	// TokenID is the token's jti, for the audit trail.
	TokenID string `json:"jti,omitempty"`
}

// Actor is the principal as events record it.
func (p Principal) Actor() events.Actor { return events.Actor{ID: p.Subject, Role: p.Role, Org: p.Org} }

// valid reports what is wrong with a principal's claims, as a field error
// on the token, or nil.
func (p Principal) valid() *httpkit.FieldError {
	env := events.Envelope{ActorID: p.Subject, ActorRole: p.Role, ActorOrg: p.Org}
	if p.Subject == "" || p.Role == "" {
		return &httpkit.FieldError{Field: "Authorization", Reason: "token has no sub or no role claim"}
	}
	if err := env.ValidateActor(); err != nil {
		return &httpkit.FieldError{Field: "Authorization", Reason: "token claim " + err.Field + " " + err.Reason}
	}
	for _, v := range []string{p.PCN, p.Team} {
		if len(v) > events.MaxAreaLen {
			return &httpkit.FieldError{Field: "Authorization", Reason: "token claim pcn or team is too long"}
		}
	}
	return nil
}

type principalKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From returns the principal the request was authenticated as.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// ActorFrom returns the request's actor for the events a command records,
// or a 401 problem if the request was not authenticated (a route the
// middleware did not cover).
func ActorFrom(r *http.Request) (events.Actor, error) {
	p, ok := From(r.Context())
	if !ok {
		return events.Actor{}, unauthorized("a bearer token is required")
	}
	return p.Actor(), nil
}

func unauthorized(reason string) error {
	return &httpkit.Error{Kind: httpkit.KindUnauthorized, Message: "the caller is not authenticated",
		Fields: []httpkit.FieldError{{Field: "Authorization", Reason: reason}}}
}
