package service

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
)

// HeaderCorrelationID carries a correlation id across services; without it
// the request id starts a new correlation.
const HeaderCorrelationID = "X-Correlation-Id"

// CommandMeta is the context every event a request records is stamped
// with: the caller, the correlation id, and the request as the cause.
func CommandMeta(r *http.Request, now time.Time) (aggregate.Meta, error) {
	actor, err := auth.ActorFrom(r)
	if err != nil {
		return aggregate.Meta{}, err
	}
	requestID := httpkit.RequestID(r.Context())
	correlation := r.Header.Get(HeaderCorrelationID)
	if !printable(correlation, 128) {
		correlation = requestID
	}
	return aggregate.Meta{Actor: actor, CorrelationID: correlation, CausationID: "request:" + requestID, Now: now.UTC()}, nil
}

func printable(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
