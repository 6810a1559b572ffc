// Package policy is the one place the medreviews API decides who may do
// what to a structured medication review: a role alone is never enough,
// the caller needs a legitimate relationship with the review's patient.
// The SMR caseload is the PCN's: the patient is on it when they are
// registered at a practice of the caller's PCN, which the review's
// identification recorded (or, for an identification, the registry says).
//
//	action                               care-coordinator                    clinical-pharmacist, gp   anyone else
//	                                                                                                   (system included)
//	identify, read (GET), invite, book,  patient in their PCN                patient in their PCN      —
//	rebook, did-not-attend, complete,
//	decline, close
//	recommend, accept, reject            patient in their PCN, recorded for  patient in their PCN      —
//	                                     a pharmacist or GP of their PCN
//	                                     named in the request
//
// "Patient in their PCN" is the token's pcn claim equal to the review's
// PCN: basis relationship:smr-caseload. A token without a pcn claim has
// none. Recommendations are the pharmacists' and GPs' of the PCN, and so
// are a prescriber's decisions on them: a care coordinator only records
// one for the pharmacist or GP it names (clinicianId, prescriberId), who
// must work in the coordinator's PCN. Whether the named clinician may
// recommend or prescribe at all (the independentPrescriber rule) is the
// domain's and the rules' decision, after this one, as is whether the act
// fits the review's state. Everything else is denied, with the reason.
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

// Action is what a request does to a review: one per route.
type Action string

// The actions, one per route of the API.
const (
	Identify     Action = "identify"
	Read         Action = "read"
	Invite       Action = "invite"
	Book         Action = "book"
	Rebook       Action = "rebook"
	DidNotAttend Action = "did-not-attend"
	Complete     Action = "complete"
	Decline      Action = "decline"
	Close        Action = "close"
	Recommend    Action = "recommend"
	Accept       Action = "accept"
	Reject       Action = "reject"
)

// Actions returns every Action.
func Actions() []Action {
	return []Action{Identify, Read, Invite, Book, Rebook, DidNotAttend, Complete, Decline, Close, Recommend, Accept, Reject}
}

// recording are the actions that record a clinician's recommendation or
// a prescriber's decision.
var recording = []Action{Recommend, Accept, Reject}

// Review is what the policy knows of a review.
type Review struct {
	// PCN is the PCN of the practice the patient is registered with: the
	// review's, or for an identification the registry's answer.
	PCN string
	// Named is the clinician a recommendation or a prescriber's decision
	// is recorded for (clinicianId, prescriberId), as the directory knows
	// them; empty for the other actions.
	Named Clinician
}

// Clinician is a clinician named in a request.
type Clinician struct {
	ID, Role string
	// PCN is the PCN they work in: their organisation's (the PCN itself,
	// or a practice's PCN); empty if none.
	PCN string
}

// ClinicianOf looks a named clinician up in the directory.
func ClinicianOf(dir *directory.Directory, id string) Clinician {
	c, ok := dir.Clinician(id)
	if !ok {
		return Clinician{ID: id}
	}
	out := Clinician{ID: c.ID, Role: string(c.Role)}
	if p, ok := dir.PCN(c.Org); ok {
		out.PCN = p.ODS
	} else if pr, ok := dir.Practice(c.Org); ok {
		out.PCN = pr.PCN
	}
	return out
}

// BasisSMRCaseload is the basis of every allowed action: the patient is
// on the caller's PCN's SMR caseload.
var BasisSMRCaseload = access.Relationship(access.SMRCaseload)

// Decision is whether an action is allowed: the basis if it is, the
// reason if not. Neither ever names a patient.
type Decision = authz.Decision[access.Basis]

func allow(basis access.Basis) Decision { return authz.Allow(basis) }

func deny(format string, args ...any) Decision { return authz.Deny[access.Basis](format, args...) }

// Roles, as the directory names them.
const (
	coordinator = string(directory.RoleCareCoordinator)
	gp          = string(directory.RoleGP)
	pharmacist  = string(directory.RolePharmacist)
)

// Decide decides whether p may do a to r: see the package comment.
func Decide(p auth.Principal, a Action, r Review) Decision {
	if p.Subject == "" || p.Role == "" {
		return deny("the caller is not identified")
	}
	if !slices.Contains(Actions(), a) {
		return deny("%q is not an action on a medication review", a)
	}
	switch p.Role {
	case auth.SystemRole:
		return deny("a Careweave process does not act on medication reviews through this API")
	case coordinator, gp, pharmacist:
	default:
		return deny("the role %q has no relationship with structured medication reviews", p.Role)
	}
	switch {
	case p.PCN == "":
		return deny("the token has no pcn claim, so no PCN's SMR caseload relates you to this patient")
	case r.PCN == "":
		return deny("the review's patient is in no PCN")
	case p.PCN != r.PCN && a == Identify:
		return deny("the patient is not registered in your PCN (%s), so is not on its SMR caseload", p.PCN)
	case p.PCN != r.PCN:
		return deny("this review's patient is not registered in your PCN (%s), so is not on its SMR caseload", p.PCN)
	}
	if p.Role == coordinator && slices.Contains(recording, a) {
		n := r.Named
		if (n.Role != pharmacist && n.Role != gp) || n.PCN != p.PCN {
			return deny("recommendations and prescribers' decisions are a clinical pharmacist's or GP's of the patient's PCN: a care coordinator only records one for a pharmacist or GP of their PCN named in the request")
		}
	}
	return allow(BasisSMRCaseload)
}
