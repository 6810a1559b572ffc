// Package policy is the one place the discharge API decides who may do
// what to a hospital stay: a role alone is never enough, the caller needs
// a legitimate relationship with the stay, and the relationships come
// from the stay's own events (the hospital site its admission recorded,
// the PCN of the practice the patient is registered with, the community
// team its follow-up is routed to) or, for an admission, from the request
// and the patient registry.
//
//	action                          discharge-coordinator   care-coordinator, gp    member of a community team   anyone else
//	                                                                                (the token's team claim)     (system included)
//	admit, plan, pathway-change,    the stay's hospital is  patient in their PCN    —                            —
//	discharge, discharge-           their trust's
//	cancellation, summary,
//	medicines-referral, follow-up
//	(routing it to a team)
//	read (GET)                      the stay's hospital is  patient in their PCN    the follow-up is routed to   —
//	                                their trust's                                   their team (or was, on a
//	                                                                                discharge since cancelled)
//	follow-up completion,           —                       patient in their PCN    the follow-up is routed to   —
//	follow-up missed                                                                their team
//
// "Their trust's": the token's org is the NHS trust the stay's hospital
// site belongs to (TrustOf): basis relationship:hospital-stay. "Patient in
// their PCN": the token's pcn claim is the stay's area, the PCN of the
// practice the patient was registered with when admitted (for an
// admission, the registry's answer): relationship:registered-in-pcn; a
// token without a pcn claim has none. "Routed to their team": the token's
// team claim is the team the standing discharge's follow-up is assigned
// to: relationship:routed-discharge; a team the follow-up has been moved
// away from has lost it. The hospital records the stay and routes the
// follow-up; the follow-up's outcome is the community's. The PCN's care
// coordinators and GPs may do everything, as they could before this
// policy: they record a stay for the hospital when its feed is not
// connected, and an outcome for the team's clinician named in the
// request. Everything else is denied, with the reason. Whether the act
// fits the stay's state, whether a team covers the stay's area and
// whether the named clinician belongs to the team are the domain's and
// the handlers' decisions, after this one.
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

// Action is what a request does to a stay: one per route.
type Action string

// The actions, one per route of the API.
const (
	Admit            Action = "admit"
	Read             Action = "read"
	Plan             Action = "plan"
	ChangePathway    Action = "pathway-change"
	Discharge        Action = "discharge"
	CancelDischarge  Action = "discharge-cancellation"
	ReceiveSummary   Action = "summary"
	ReferMedicines   Action = "medicines-referral"
	AssignFollowUp   Action = "follow-up"
	CompleteFollowUp Action = "follow-up-completion"
	FollowUpMissed   Action = "follow-up-missed"
)

// Actions returns every Action.
func Actions() []Action {
	return []Action{Admit, Read, Plan, ChangePathway, Discharge, CancelDischarge, ReceiveSummary, ReferMedicines,
		AssignFollowUp, CompleteFollowUp, FollowUpMissed}
}

// outcomes are the follow-up's outcomes: the community team's to record.
var outcomes = []Action{CompleteFollowUp, FollowUpMissed}

// Stay is what the policy knows of a stay.
type Stay struct {
	// Trust is the NHS trust of the stay's hospital site (TrustOf); empty
	// if the site names none.
	Trust string
	// PCN is the PCN of the practice the patient is registered with: the
	// stay's area, or for an admission the registry's answer.
	PCN string
	// FollowUpTeam is the community team the standing discharge's
	// follow-up is routed to, if any.
	FollowUpTeam string
	// RetractedTeams are the teams follow-ups of the stay's cancelled
	// discharges were routed to: they may still read the stay, to see
	// the discharge was retracted.
	RetractedTeams []string
}

// TrustOf returns the NHS trust a hospital site belongs to: an ODS site
// code of an NHS trust is the trust's three-character code followed by
// two characters (RTE01 is a site of RTE), and a three-character code is
// the trust itself. Any other code names no trust Careweave can tell, so
// no discharge coordinator has a relationship with its stays (the
// directory does not list hospital sites).
func TrustOf(site string) string {
	switch len(site) {
	case 3:
		return site
	case 5:
		return site[:3]
	}
	return ""
}

// Bases on which an action is allowed.
var (
	BasisHospitalStay    = access.Relationship("hospital-stay")
	BasisPCNPatient      = access.Relationship(access.RegisteredInPCN)
	BasisRoutedDischarge = access.Relationship(access.RoutedDischarge)
)

// Decision is whether an action is allowed: the basis if it is, the
// reason if not. Neither ever names a patient.
type Decision = authz.Decision[access.Basis]

func allow(basis access.Basis) Decision { return authz.Allow(basis) }

func deny(format string, args ...any) Decision { return authz.Deny[access.Basis](format, args...) }

// Roles, as the directory names them.
const (
	dischargeCoordinator = string(directory.RoleDischargeCoordinator)
	coordinator          = string(directory.RoleCareCoordinator)
	gp                   = string(directory.RoleGP)
)

// Decide decides whether p may do a to s: see the package comment.
func Decide(p auth.Principal, a Action, s Stay) Decision {
	if p.Subject == "" || p.Role == "" {
		return deny("the caller is not identified")
	}
	if !slices.Contains(Actions(), a) {
		return deny("%q is not an action on a hospital stay", a)
	}
	switch {
	case p.Role == auth.SystemRole:
		return deny("a Careweave process does not act on hospital stays through this API")
	case p.Role == dischargeCoordinator:
		return hospital(p, a, s)
	case p.Role == coordinator || p.Role == gp:
		return pcnPatient(p, a, s)
	case p.Team != "":
		return team(p, a, s)
	}
	return deny("the role %q has no relationship with hospital stays", p.Role)
}

// hospital allows the hospital's own acts on a stay at one of its sites.
func hospital(p auth.Principal, a Action, s Stay) Decision {
	switch {
	case slices.Contains(outcomes, a):
		return deny("the follow-up's outcome is the community team's to record, or a care coordinator's of the patient's PCN for them")
	case p.Org == "":
		return deny("the token has no org, so no trust relates you to this stay")
	case s.Trust == "":
		return deny("the stay's hospital site names no trust Careweave can tell")
	case p.Org != s.Trust && a == Admit:
		return deny("the hospital site is not one of your trust's (%s)", p.Org)
	case p.Org != s.Trust:
		return deny("this stay is at a hospital that is not your trust's (%s)", p.Org)
	}
	return allow(BasisHospitalStay)
}

// pcnPatient allows a if the stay's patient is registered in the
// caller's PCN.
func pcnPatient(p auth.Principal, a Action, s Stay) Decision {
	switch {
	case p.PCN == "":
		return deny("the token has no pcn claim, so no PCN relates you to this stay's patient")
	case s.PCN == "":
		return deny("the stay's patient is in no PCN")
	case p.PCN != s.PCN && a == Admit:
		return deny("the patient is not registered in your PCN (%s)", p.PCN)
	case p.PCN != s.PCN:
		return deny("this stay's patient is not registered in your PCN (%s)", p.PCN)
	}
	return allow(BasisPCNPatient)
}

// team allows a community team's member to read the stays whose
// follow-up is routed to their team, and to record that follow-up's
// outcome.
func team(p auth.Principal, a Action, s Stay) Decision {
	switch {
	case a != Read && !slices.Contains(outcomes, a):
		return deny("a community team reads the discharges routed to it and records their follow-up's outcome; the hospital or the patient's PCN does the rest")
	case s.FollowUpTeam != "" && s.FollowUpTeam == p.Team:
		return allow(BasisRoutedDischarge)
	case a == Read && slices.Contains(s.RetractedTeams, p.Team):
		return allow(BasisRoutedDischarge)
	case a == Read:
		return deny("this stay's follow-up is not routed to your team (%s)", p.Team)
	}
	return deny("this stay's follow-up is not routed to your team (%s), so its outcome is not yours to record", p.Team)
}
