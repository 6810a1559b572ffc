// Package policy is the one place the home-visits API decides who may do
// what to a visit: a role alone is never enough, the caller needs a
// legitimate relationship with the visit, and the relationships come from
// the visit's own events (the PCN its patient is registered in, whom it
// has been assigned to) or, for a new request, from the patient registry.
//
//	action                         care-coordinator      gp                            paramedic, advanced-clinical-     anyone else
//	                                                                                   practitioner, district-nurse     (system included)
//	request                        patient in their PCN  patient in their PCN          —                                 —
//	read (GET)                     patient in their PCN  patient in their PCN, or      assigned to them now or before    —
//	                                                     assigned to them now or before
//	triage, assign, reassign,      patient in their PCN  patient in their PCN          —                                 —
//	cancel, escalate
//	accept, decline, en-route,     patient in their PCN  the visit is assigned to      the visit is assigned to them     —
//	on-site, complete, no-access   (for the clinician,   them                          (the clinician it was last
//	                               named in clinicianId)                               given to)
//
// "Patient in their PCN" is the token's pcn claim equal to the PCN of the
// practice the patient is registered with — the visit's PCN, which its
// request recorded (or, for a request, the registry's registration): basis
// relationship:pcn-patient. A token without a pcn claim has none. "Assigned
// to them" is the token's sub equal to the clinician the visit was last
// given to (relationship:assigned-visit); "before" is anyone it was given
// to since (relationship:previously-assigned). A clinician acts as
// themselves; a coordinator records a clinician's act for them. Everything
// else is denied, with the reason. Whether the act fits the visit's state,
// and whether a role may triage or visit at all, is the domain's and the
// rules' decision, after this one.
//
// Decide is pure: the handlers gather the facts and act on the Decision.
package policy

import (
	"slices"

	"github.com/careweave/careweave/kit/authz"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
)

// Action is what a request does to a visit: one per route.
type Action string

// The actions, one per route of the API.
const (
	Request  Action = "request"
	Read     Action = "read"
	Triage   Action = "triage"
	Assign   Action = "assign"
	Reassign Action = "reassign"
	Cancel   Action = "cancel"
	Escalate Action = "escalate"
	Accept   Action = "accept"
	Decline  Action = "decline"
	EnRoute  Action = "en-route"
	OnSite   Action = "on-site"
	Complete Action = "complete"
	NoAccess Action = "no-access"
)

// Actions returns every Action.
func Actions() []Action {
	return []Action{Request, Read, Triage, Assign, Reassign, Cancel, Escalate, Accept, Decline, EnRoute, OnSite, Complete, NoAccess}
}

// coordinating are the actions that run the visit; clinicianActs are the
// assigned clinician's own.
var (
	coordinating  = []Action{Triage, Assign, Reassign, Cancel, Escalate}
	clinicianActs = []Action{Accept, Decline, EnRoute, OnSite, Complete, NoAccess}
)

// Visit is what the policy knows of a visit.
type Visit struct {
	// PCN is the PCN of the practice the patient is registered with: the
	// visit's, or for a request the registry's answer.
	PCN string
	// Clinician is the clinician the visit was last given to, if anyone
	// (still theirs after they declined or timed out, until it is given to
	// someone else).
	Clinician string
	// Assigned is everyone the visit has been given to, now or before.
	Assigned []string
}

// Bases on which an action is allowed.
const (
	BasisPCNPatient         = "relationship:pcn-patient"
	BasisAssignedVisit      = "relationship:assigned-visit"
	BasisPreviouslyAssigned = "relationship:previously-assigned"
)

// Decision is whether an action is allowed: the basis if it is, the
// reason if not. Neither ever names a patient.
type Decision = authz.Decision[string]

func allow(basis string) Decision { return authz.Allow(basis) }

func deny(format string, args ...any) Decision { return authz.Deny[string](format, args...) }

// Roles, as the directory names them.
const (
	coordinator = string(directory.RoleCareCoordinator)
	gp          = string(directory.RoleGP)
)

// visiting are the roles that are given visits and are not PCN-wide.
var visiting = []string{string(directory.RoleParamedic), string(directory.RoleAdvancedPractitioner), string(directory.RoleDistrictNurse)}

// Decide decides whether p may do a to v: see the package comment.
func Decide(p auth.Principal, a Action, v Visit) Decision {
	if p.Subject == "" || p.Role == "" {
		return deny("the caller is not identified")
	}
	if !slices.Contains(Actions(), a) {
		return deny("%q is not an action on a visit", a)
	}
	switch {
	case p.Role == auth.SystemRole:
		return deny("a Careweave process does not act on visits through this API")
	case p.Role == coordinator:
		return pcnPatient(p, a, v)
	case p.Role == gp:
		switch {
		case slices.Contains(clinicianActs, a):
			return assigned(p, a, v)
		case a == Read:
			if d := pcnPatient(p, a, v); d.Allowed {
				return d
			}
			if d := assigned(p, a, v); d.Allowed {
				return d
			}
			return deny("a GP reads visits of patients in their PCN (by the token's pcn claim) or visits assigned to them, and this is neither")
		}
		return pcnPatient(p, a, v)
	case slices.Contains(visiting, p.Role):
		switch {
		case a == Read || slices.Contains(clinicianActs, a):
			return assigned(p, a, v)
		case slices.Contains(coordinating, a):
			return deny("a %s does not %s visits: a care coordinator or GP of the patient's PCN does", p.Role, a)
		}
		return deny("a %s does not request visits: a care coordinator or GP of the patient's PCN does", p.Role)
	}
	return deny("the role %q has no relationship with home visits", p.Role)
}

// pcnPatient allows a if the visit's patient is registered in the caller's
// PCN.
func pcnPatient(p auth.Principal, a Action, v Visit) Decision {
	switch {
	case p.PCN == "":
		return deny("the token has no pcn claim, so no PCN relates you to this visit's patient")
	case v.PCN == "":
		return deny("the visit's patient is in no PCN")
	case p.PCN != v.PCN:
		if a == Request {
			return deny("the patient is not registered in your PCN (%s)", p.PCN)
		}
		return deny("this visit's patient is not registered in your PCN (%s)", p.PCN)
	}
	return allow(BasisPCNPatient)
}

// assigned allows a clinician's act on the visit given to them, and a read
// of a visit given to them now or before.
func assigned(p auth.Principal, a Action, v Visit) Decision {
	switch {
	case v.Clinician != "" && p.Subject == v.Clinician:
		return allow(BasisAssignedVisit)
	case a == Read && slices.Contains(v.Assigned, p.Subject):
		return allow(BasisPreviouslyAssigned)
	case a == Read:
		return deny("a %s reads only visits assigned to them, now or before, and this one never was", p.Role)
	}
	return deny("only the clinician this visit is assigned to can do this; a care coordinator of the patient's PCN can record it for them with clinicianId")
}
