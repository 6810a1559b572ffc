package notify_test

import (
	"strings"
	"testing"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/servicetest"
	notifyapi "github.com/careweave/careweave/services/notify/internal/api"
	"github.com/careweave/careweave/services/notify/internal/policy"
)

// trail returns the patient's audit records as the service stored them in
// its own event log (access-<patient>), decoded with the contract's
// registry; each must be a valid read of a clinician's assignments.
func trail(t *testing.T, s *servicetest.Stack, patient string) []access.AccessRecorded {
	t.Helper()
	out := s.Trail(patient)
	for _, rec := range out {
		if err := rec.Validate(); err != nil || rec.Action != notifyapi.ReadAssignments || !strings.HasPrefix(rec.Resource, "/v1/clinicians/") || rec.RequestID == "" {
			t.Errorf("record on %s's trail: %+v (%v)", patient, rec, err)
		}
	}
	return out
}

// readsBy counts the allowed reads on the patient's trail by actor on
// resource, checking each rests on basis; and fails on any denied record
// (a refusal of a clinician's assignments names no patient).
func readsBy(t *testing.T, s *servicetest.Stack, patient, actor, resource string, basis access.Basis) int {
	t.Helper()
	var n int
	for _, r := range trail(t, s, patient) {
		if r.Outcome != access.Allowed || r.Status != 200 {
			t.Errorf("on %s's trail: %+v, want only allowed reads", patient, r)
		}
		if r.ActorID == actor && r.Resource == resource {
			n++
			if r.Basis != basis {
				t.Errorf("%s's read of %s rests on %s, want %s", actor, resource, r.Basis, basis)
			}
		}
	}
	return n
}

// Bases, as the policy names them.
var (
	ownFeed        = access.Basis(policy.BasisOwnFeed)
	pcnCoordinator = access.Basis(policy.BasisPCNCoordinator)
)
