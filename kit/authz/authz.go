// Package authz holds what every service's access policy answers: a
// Decision, allowed on a basis or denied for a reason, and the 403 a
// denial is at the edge. Each policy (services/*/internal/policy) decides;
// this is the one shape of its answer.
package authz

import (
	"fmt"

	"github.com/careweave/careweave/kit/httpkit"
)

// Decision is whether an action is allowed: the basis if it is, the reason
// if not. Neither ever names a patient. B is the policy's basis type.
type Decision[B ~string] struct {
	Allowed bool
	Basis   B
	Reason  string
}

// Allow is an allowed decision on basis.
func Allow[B ~string](basis B) Decision[B] { return Decision[B]{Allowed: true, Basis: basis} }

// Deny is a denial for the reason the format makes.
func Deny[B ~string](format string, args ...any) Decision[B] {
	return Decision[B]{Reason: fmt.Sprintf(format, args...)}
}

// Err is nil when the action is allowed, and otherwise a 403 naming the
// reason.
func (d Decision[B]) Err() error {
	if d.Allowed {
		return nil
	}
	return &httpkit.Error{Kind: httpkit.KindForbidden, Message: "not allowed: " + d.Reason}
}
