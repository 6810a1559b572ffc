// Package policy is the one place the carehomes API decides who may do
// what to a care home's rounds and its residents' residencies: a role
// alone is never enough, the caller needs a legitimate relationship with
// the home, and the relationship comes from the PCN the home is aligned
// to — the round's or residency's area, which its first event recorded
// from the directory (or, to schedule a round, admit a resident or list
// the residents, the directory's answer).
//
//	action (every route)                              care-coordinator, gp, clinical-pharmacist,   anyone else
//	                                                  advanced-clinical-practitioner, paramedic,   (system included)
//	                                                  district-nurse
//	schedule-round, read-round, nominate, withdraw,   the home is aligned to their PCN             —
//	review, not-reviewed, hold, raise-action,
//	complete-action, close-round, cancel-round,
//	admit, read-residency, assess, agree-care-plan,
//	discharge, record-death, list-residents
//
// "Aligned to their PCN" is the token's pcn claim equal to the home's
// aligned PCN: basis relationship:aligned-care-home. A token without a pcn
// claim has none; a community team's roles (community nurse, social
// worker, discharge coordinator) and a Careweave process have no
// relationship with a home. Everything else is denied, with the reason.
// Whether a named clinician may lead or review is the domain's decision,
// after this one, as is whether the act fits the round's or residency's
// state.
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

// Action is what a request does: one per route.
type Action string

// The actions, one per route of the API.
const (
	ScheduleRound  Action = "schedule-round"
	ReadRound      Action = "read-round"
	Nominate       Action = "nominate"
	Withdraw       Action = "withdraw"
	Review         Action = "review"
	NotReviewed    Action = "not-reviewed"
	Hold           Action = "hold"
	RaiseAction    Action = "raise-action"
	CompleteAction Action = "complete-action"
	CloseRound     Action = "close-round"
	CancelRound    Action = "cancel-round"
	Admit          Action = "admit"
	ReadResidency  Action = "read-residency"
	Assess         Action = "assess"
	AgreeCarePlan  Action = "agree-care-plan"
	Discharge      Action = "discharge"
	RecordDeath    Action = "record-death"
	ListResidents  Action = "list-residents"
)

// Actions returns every Action.
func Actions() []Action {
	return []Action{ScheduleRound, ReadRound, Nominate, Withdraw, Review, NotReviewed, Hold, RaiseAction, CompleteAction,
		CloseRound, CancelRound, Admit, ReadResidency, Assess, AgreeCarePlan, Discharge, RecordDeath, ListResidents}
}

// Home is what the policy knows of the care home a request is about.
type Home struct {
	// PCN is the PCN the home is aligned to: the round's or residency's
	// area, or the directory's answer.
	PCN string
}

// BasisAlignedCareHome is the basis of every allowed action: the home is
// aligned to the caller's PCN.
var BasisAlignedCareHome = access.Relationship(access.AlignedCareHome)

// Decision is whether an action is allowed: the basis if it is, the
// reason if not. Neither ever names a patient.
type Decision = authz.Decision[access.Basis]

func allow(basis access.Basis) Decision { return authz.Allow(basis) }

func deny(format string, args ...any) Decision { return authz.Deny[access.Basis](format, args...) }

// pcnRoles are the roles of a PCN's clinicians and coordinators, who
// look after the care homes aligned to it.
var pcnRoles = []string{
	string(directory.RoleCareCoordinator), string(directory.RoleGP), string(directory.RolePharmacist),
	string(directory.RoleAdvancedPractitioner), string(directory.RoleParamedic), string(directory.RoleDistrictNurse),
}

// Decide decides whether p may do a for home h: see the package comment.
func Decide(p auth.Principal, a Action, h Home) Decision {
	switch {
	case p.Subject == "" || p.Role == "":
		return deny("the caller is not identified")
	case !slices.Contains(Actions(), a):
		return deny("%q is not an action on a care home's rounds or residents", a)
	case p.Role == auth.SystemRole:
		return deny("a Careweave process does not act on care homes through this API")
	case !slices.Contains(pcnRoles, p.Role):
		return deny("the role %q has no relationship with care homes: their aligned PCN's clinicians and care coordinators do", p.Role)
	case p.PCN == "":
		return deny("the token has no pcn claim, so no PCN relates you to this care home")
	case h.PCN == "":
		return deny("the care home is aligned to no PCN")
	case p.PCN != h.PCN:
		return deny("the care home is not aligned to your PCN (%s)", p.PCN)
	}
	return allow(BasisAlignedCareHome)
}
