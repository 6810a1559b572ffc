// Package policy is the one place the notify API decides who may do what:
// a role alone is never enough, the caller needs a legitimate relationship
// with the clinician or team the request is about, and the relationships
// come from the directory.
//
//	action           resource            allowed when                                                  basis
//	read-assignments clinician's feed    the caller is the clinician (sub = clinician)                 relationship:own-feed
//	                                     a care coordinator whose pcn claim is a PCN the clinician      relationship:pcn-coordinator
//	                                     works in (their organisation's PCN: the PCN itself, a
//	                                     practice's PCN, a community team's areas)
//	read-webhook     team's webhook      the caller's team claim is the team                           relationship:own-team
//	                                     a care coordinator whose pcn claim is an area the team covers relationship:pcn-coordinator
//	manage-webhook   team's webhook      the caller's team claim is the team                           relationship:own-team
//	                                     a care coordinator whose pcn claim is every area the team     relationship:pcn-coordinator
//	                                     covers
//
// Anything else is denied, with the reason; a Careweave process (the
// system role) has no relationship with a clinician or a team. Managing a
// webhook decides where a team's notices go, so a coordinator may do it
// only for a team that serves their PCN alone: a team that covers other
// PCNs too gets notices about those PCNs' patients.
//
// Decide is pure: the handlers gather the facts (FeedOf, WebhookOf read the
// directory) and act on the Decision.
package policy

import (
	"slices"

	"github.com/careweave/careweave/kit/authz"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
)

// Action is what a request does.
type Action string

// The actions of the notify API.
const (
	// ReadAssignments reads a clinician's current assignments or follows
	// their live feed.
	ReadAssignments Action = "read-assignments"
	// ReadWebhook reads a team's webhook and its delivery state.
	ReadWebhook Action = "read-webhook"
	// ManageWebhook registers, removes or redelivers a team's webhook.
	ManageWebhook Action = "manage-webhook"
)

// Actions returns every Action.
func Actions() []Action { return []Action{ReadAssignments, ReadWebhook, ManageWebhook} }

// Resource is what a request is about, with the directory's facts that
// relate callers to it: a clinician's feed or a team's webhook.
type Resource struct {
	// Clinician is the clinician whose feed it is, and ClinicianPCNs the
	// PCNs the directory says they work in (none for a clinician it does
	// not know, or one outside every PCN).
	Clinician     string
	ClinicianPCNs []string
	// Team is the community team whose webhook it is, and TeamAreas the
	// PCNs it covers.
	Team      string
	TeamAreas []string
}

// FeedOf is clinician's feed, with the PCNs the directory says they work
// in: their organisation's, whether that is a PCN, a practice (its PCN) or
// a community team (the areas it covers).
func FeedOf(dir *directory.Directory, clinician string) Resource {
	r := Resource{Clinician: clinician}
	c, ok := dir.Clinician(clinician)
	if !ok {
		return r
	}
	if p, ok := dir.PCN(c.Org); ok {
		r.ClinicianPCNs = []string{p.ODS}
	} else if p, ok := dir.Practice(c.Org); ok {
		r.ClinicianPCNs = []string{p.PCN}
	} else if t, ok := dir.Team(c.Org); ok {
		r.ClinicianPCNs = slices.Clone(t.Areas)
	}
	return r
}

// WebhookOf is team's webhook, with the areas the team covers.
func WebhookOf(dir *directory.Directory, team string) Resource {
	r := Resource{Team: team}
	if t, ok := dir.Team(team); ok {
		r.TeamAreas = slices.Clone(t.Areas)
	}
	return r
}

// Bases on which an action is allowed.
const (
	BasisOwnFeed        = "relationship:own-feed"
	BasisOwnTeam        = "relationship:own-team"
	BasisPCNCoordinator = "relationship:pcn-coordinator"
)

// Decision is whether an action is allowed: the basis if it is, the
// reason if not. Neither ever names a patient.
type Decision = authz.Decision[string]

func allow(basis string) Decision { return authz.Allow(basis) }

func deny(format string, args ...any) Decision { return authz.Deny[string](format, args...) }

const coordinator = string(directory.RoleCareCoordinator)

// Decide decides whether p may do a to r: see the package comment.
func Decide(p auth.Principal, a Action, r Resource) Decision {
	if p.Subject == "" || p.Role == "" {
		return deny("the caller is not identified")
	}
	if p.Role == auth.SystemRole {
		return deny("a Careweave process has no relationship with a clinician or a team")
	}
	switch a {
	case ReadAssignments:
		return decideFeed(p, r)
	case ReadWebhook, ManageWebhook:
		return decideWebhook(p, a, r)
	}
	return deny("%q is not an action of this service", a)
}

func decideFeed(p auth.Principal, r Resource) Decision {
	if r.Clinician == "" {
		return deny("the request names no clinician")
	}
	if p.Subject == r.Clinician {
		return allow(BasisOwnFeed)
	}
	if p.Role != coordinator {
		return deny("a clinician's assignments are read only by the clinician or a care coordinator of their PCN")
	}
	switch {
	case p.PCN == "":
		return deny("the token has no pcn claim, so no PCN relates you to clinician %s", r.Clinician)
	case len(r.ClinicianPCNs) == 0:
		return deny("the directory puts clinician %s in no PCN", r.Clinician)
	case !slices.Contains(r.ClinicianPCNs, p.PCN):
		return deny("clinician %s does not work in your PCN (%s)", r.Clinician, p.PCN)
	}
	return allow(BasisPCNCoordinator)
}

func decideWebhook(p auth.Principal, a Action, r Resource) Decision {
	if r.Team == "" {
		return deny("the request names no team")
	}
	if p.Team == r.Team {
		return allow(BasisOwnTeam)
	}
	if p.Role != coordinator {
		return deny("team %s's webhook is managed only by its own members or a care coordinator of the PCN it serves", r.Team)
	}
	switch {
	case p.PCN == "":
		return deny("the token has no pcn claim, so no PCN relates you to team %s", r.Team)
	case !slices.Contains(r.TeamAreas, p.PCN):
		return deny("team %s does not cover your PCN (%s)", r.Team, p.PCN)
	case a == ManageWebhook && slices.ContainsFunc(r.TeamAreas, func(area string) bool { return area != p.PCN }):
		return deny("team %s also covers PCNs other than yours, so only its own members manage its webhook", r.Team)
	}
	return allow(BasisPCNCoordinator)
}
