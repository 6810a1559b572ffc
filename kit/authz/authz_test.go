package authz_test

import (
	"testing"

	"github.com/careweave/careweave/kit/authz"
	"github.com/careweave/careweave/kit/httpkit"
)

func TestADenialIsA403NamingTheReason(t *testing.T) {
	if d := authz.Allow("relationship:test"); !d.Allowed || d.Basis != "relationship:test" || d.Reason != "" || d.Err() != nil {
		t.Fatalf("Allow = %+v, %v", d, d.Err())
	}
	d := authz.Deny[string]("not your %s", "visit")
	err := d.Err()
	if d.Allowed || d.Basis != "" || httpkit.KindOf(err) != httpkit.KindForbidden || err.Error() != "not allowed: not your visit" {
		t.Fatalf("Deny = %+v, %v", d, err)
	}
}
