// Package policy is the one place the patient registry decides who may do
// what to a registration. The registry is the only place with NHS numbers,
// names and dates of birth, so a role alone is never enough: the caller
// needs a legitimate relationship with the patient, which is the PCN of
// the practice they are registered with (the registration's own events,
// or for a registration the practice named).
//
//	action                     care-coordinator           gp                         other clinicians of a PCN   system (a Careweave   anyone else
//	                                                                                 (pharmacist, paramedic,     process)
//	                                                                                 ACP, nurses, social worker)
//	register, change details,  patient in their PCN       patient in their PCN       —                           —                     —
//	change practice
//	merge                      both records in their PCN  —                          —                           —                     —
//	resolve (NHS number),      patient in their PCN       patient in their PCN       patient in their PCN        yes                   —
//	read registration
//	read personal details      patient in their PCN       patient in their PCN       patient in their PCN        —                     —
//
// "Patient in their PCN" is the token's pcn claim equal to the PCN of the
// practice the patient is registered with: basis
// relationship:registered-in-pcn; a token without a pcn claim has none.
// A practice change is the patient's current PCN's to make, never the
// receiving PCN's: otherwise anyone could move any patient into their own
// PCN and so gain a relationship with them. A merge joins two records of
// one person, so the caller must be a care coordinator of the PCN both
// are registered in. The Careweave services resolve patients and read
// registrations (practice, PCN, merges: no personal detail) with their
// own client-credentials tokens (role system) for every request their own
// policies then decide on: basis relationship:careweave-service, which is
// no relationship with the patient but the service acting for a caller it
// has authenticated; a process never reads names or changes the registry.
// A discharge coordinator (the hospital) works through the discharge
// service, never here. Everything else is denied, with the reason.
//
// Decide is pure: the handlers gather the facts and act on the Decision.
package policy

import (
	"slices"

	"github.com/careweave/careweave/kit/authz"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
)

// Action is what a request does to a registration: one per route.
type Action string

// The actions, one per route of the API.
const (
	Register         Action = "register"
	ChangeDetails    Action = "change-details"
	ChangePractice   Action = "change-practice"
	Merge            Action = "merge"
	Resolve          Action = "resolve"
	ReadRegistration Action = "read-registration"
	ReadDetails      Action = "read-details"
)

// Actions returns every Action.
func Actions() []Action {
	return []Action{Register, ChangeDetails, ChangePractice, Merge, Resolve, ReadRegistration, ReadDetails}
}

// Patient is what the policy knows of a registration.
type Patient struct {
	// PCN is the PCN of the practice the patient is registered with (for
	// a registration, the practice named).
	PCN string
	// SurvivorPCN is, for a merge, the PCN of the record kept.
	SurvivorPCN string
}

// Bases on which an action is allowed.
var (
	BasisPCNPatient       = access.Relationship(access.RegisteredInPCN)
	BasisCareweaveService = access.Relationship("careweave-service")
)

// Decision is whether an action is allowed: the basis if it is, the
// reason if not. Neither ever names a patient.
type Decision = authz.Decision[access.Basis]

func allow(basis access.Basis) Decision { return authz.Allow(basis) }

func deny(format string, args ...any) Decision { return authz.Deny[access.Basis](format, args...) }

// Roles, as the directory names them.
const (
	coordinator = string(directory.RoleCareCoordinator)
	gp          = string(directory.RoleGP)
)

// pcnClinicians are the other roles that work for a PCN's patients: they
// may find and read the registrations of their PCN's patients.
var pcnClinicians = []string{
	string(directory.RolePharmacist), string(directory.RoleParamedic), string(directory.RoleAdvancedPractitioner),
	string(directory.RoleDistrictNurse), string(directory.RoleCommunityNurse), string(directory.RoleSocialWorker),
}

// reads are the actions that find or read a registration.
var reads = []Action{Resolve, ReadRegistration, ReadDetails}

// Decide decides whether p may do a to the patient: see the package
// comment.
func Decide(p auth.Principal, a Action, pt Patient) Decision {
	if p.Subject == "" || p.Role == "" {
		return deny("the caller is not identified")
	}
	if !slices.Contains(Actions(), a) {
		return deny("%q is not an action on a registration", a)
	}
	switch {
	case p.Role == auth.SystemRole:
		if a == Resolve || a == ReadRegistration {
			return allow(BasisCareweaveService)
		}
		return deny("a Careweave process only resolves patients and reads registrations; it never reads personal details or changes the registry")
	case p.Role == coordinator:
		return pcnPatient(p, a, pt)
	case p.Role == gp:
		if a == Merge {
			return deny("a merge is a care coordinator's of the PCN both records are registered in")
		}
		return pcnPatient(p, a, pt)
	case slices.Contains(pcnClinicians, p.Role):
		if !slices.Contains(reads, a) {
			return deny("a %s finds and reads their PCN's patients; a care coordinator or GP of the patient's PCN registers and changes them", p.Role)
		}
		return pcnPatient(p, a, pt)
	}
	return deny("the role %q has no relationship with the patient registry", p.Role)
}

// pcnPatient allows a if the patient is registered in the caller's PCN
// (for a merge, both records).
func pcnPatient(p auth.Principal, a Action, pt Patient) Decision {
	switch {
	case p.PCN == "":
		return deny("the token has no pcn claim, so no PCN relates you to this patient")
	case pt.PCN == "":
		return deny("the patient is registered in no PCN")
	case a == Register && p.PCN != pt.PCN:
		return deny("the practice is not in your PCN (%s)", p.PCN)
	case p.PCN != pt.PCN && a == ChangePractice:
		return deny("the patient is not registered in your PCN (%s): a practice change is the current PCN's to make", p.PCN)
	case p.PCN != pt.PCN:
		return deny("the patient is not registered in your PCN (%s)", p.PCN)
	case a == Merge && pt.SurvivorPCN != p.PCN:
		return deny("the record kept is not registered in your PCN (%s): a merge joins two records of your PCN's patients", p.PCN)
	}
	return allow(BasisPCNPatient)
}
