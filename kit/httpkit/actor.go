package httpkit

import (
	"net/http"

	"github.com/careweave/careweave/events"
)

// Actor headers. Until bearer tokens are verified at this edge (issue 6),
// the caller's identity arrives in these headers from the trusted gateway;
// every event records it.
const (
	HeaderActorID   = "X-Careweave-User"
	HeaderActorRole = "X-Careweave-Role"
	HeaderActorOrg  = "X-Careweave-Org"
)

// ActorFrom returns the request's actor, or a 401 problem naming the
// missing header.
func ActorFrom(r *http.Request) (events.Actor, error) {
	a := events.Actor{ID: r.Header.Get(HeaderActorID), Role: r.Header.Get(HeaderActorRole), Org: r.Header.Get(HeaderActorOrg)}
	check := events.Envelope{ActorID: a.ID, ActorRole: a.Role, ActorOrg: a.Org}
	for _, f := range []struct{ header, value string }{{HeaderActorID, a.ID}, {HeaderActorRole, a.Role}} {
		if f.value == "" {
			return a, &Error{Kind: KindUnauthorized, Message: "the caller is not identified",
				Fields: []FieldError{{Field: f.header, Reason: "is required"}}}
		}
	}
	if err := check.ValidateActor(); err != nil {
		return a, &Error{Kind: KindUnauthorized, Message: "the caller is not identified",
			Fields: []FieldError{{Field: actorHeaders[err.Field], Reason: err.Reason}}}
	}
	return a, nil
}

var actorHeaders = map[string]string{"actorid": HeaderActorID, "actorrole": HeaderActorRole, "actororg": HeaderActorOrg}
