// Package access decides who may read what through the query API: a role
// alone is not enough, the caller needs a legitimate relationship with the
// patient (or the clinician's board, the team's worklist, the care home's
// rounds), and anything else is break-glass. Decide is pure: the handlers
// gather the facts from the read models and the directory, and every
// combination is covered by one table test.
package access

import (
	"slices"

	"github.com/careweave/careweave/kit/auth"
)

// Action is what the caller wants to do.
type Action string

// Actions of the query API.
const (
	ReadTimeline   Action = "read-timeline"
	ReadSummary    Action = "read-summary"
	ReadAccessLog  Action = "read-access-log"
	BreakGlass     Action = "break-glass"
	ReadBoard      Action = "read-clinician-board"
	ReadWorklist   Action = "read-team-worklist"
	ReadRoundBoard Action = "read-care-home-rounds"
)

// Facts are what the read models and the directory say about the caller and
// the resource. The handler fills those the action needs.
type Facts struct {
	// PatientPCN is the PCN the patient is registered in ("" if unknown).
	PatientPCN string
	// AssignedVisit: a home visit of the patient is, or recently was,
	// assigned to the caller.
	AssignedVisit bool
	// RoutedDischarge: a discharge of the patient is, or recently was,
	// routed to the caller's team.
	RoutedDischarge bool
	// BreakGlass: the caller holds an unexpired break-glass grant for the
	// patient, given for BreakGlassReason.
	BreakGlass       bool
	BreakGlassReason string
	// Clinician is the board's clinician; ClinicianPCN the PCN they work
	// in ("" if none).
	Clinician, ClinicianPCN string
	// Team is the worklist's team; TeamAreas the PCNs it covers.
	Team      string
	TeamAreas []string
	// CareHomePCN is the PCN the care home is aligned to.
	CareHomePCN string
}

// Basis says on what grounds access was allowed.
type Basis string

// Bases of a decision.
const (
	RegisteredInPCN Basis = "relationship:registered-in-pcn"
	AssignedVisit   Basis = "relationship:assigned-visit"
	RoutedDischarge Basis = "relationship:routed-discharge"
	OwnBoard        Basis = "relationship:own-board"
	OwnTeam         Basis = "relationship:own-team"
	PCNCoordinator  Basis = "relationship:pcn-coordinator"
	AlignedCareHome Basis = "relationship:aligned-care-home"
	BreakGlassBasis Basis = "break-glass"
	NoBasis         Basis = "none"
)

// Decision is whether the caller may, on what basis, and why not.
type Decision struct {
	Allowed bool
	Basis   Basis
	// Reason is why not, for a denial; for access on broken glass, the
	// reason the caller gave, which every record of that access carries.
	Reason string
}

func allow(b Basis) Decision { return Decision{Allowed: true, Basis: b} }

func deny(reason string) Decision { return Decision{Basis: NoBasis, Reason: reason} }

// Roles that work across their PCN's registered patients.
var pcnRoles = map[string]bool{"care-coordinator": true, "gp": true, "clinical-pharmacist": true, "advanced-clinical-practitioner": true, "district-nurse": true}

// Roles of community teams.
var teamRoles = map[string]bool{"community-nurse": true, "social-worker": true, "discharge-coordinator": true}

// Roles that visit patients at home.
var visitingRoles = map[string]bool{"paramedic": true, "advanced-clinical-practitioner": true, "gp": true, "district-nurse": true}

// Auditing roles may read a patient's access log in their PCN.
var auditRoles = map[string]bool{"care-coordinator": true, "caldicott-guardian": true}

// Decide says whether p may do a with what facts says.
func Decide(p auth.Principal, a Action, f Facts) Decision {
	switch a {
	case ReadTimeline, ReadSummary:
		return patientRecord(p, f)
	case ReadAccessLog:
		if auditRoles[p.Role] && p.PCN != "" && p.PCN == f.PatientPCN {
			return allow(RegisteredInPCN)
		}
		if f.BreakGlass && auditRoles[p.Role] {
			return Decision{Allowed: true, Basis: BreakGlassBasis, Reason: f.BreakGlassReason}
		}
		return deny("only a care coordinator or Caldicott guardian of the patient's PCN may read who looked at a patient")
	case BreakGlass:
		if p.Role == auth.SystemRole {
			return deny("break-glass is for people, not processes")
		}
		return allow(BreakGlassBasis)
	case ReadBoard:
		switch {
		case p.Subject == f.Clinician:
			return allow(OwnBoard)
		case p.Role == "care-coordinator" && p.PCN != "" && p.PCN == f.ClinicianPCN:
			return allow(PCNCoordinator)
		}
		return deny("a clinician's visits are theirs and their PCN's care coordinators' to see")
	case ReadWorklist:
		switch {
		case teamRoles[p.Role] && p.Team == f.Team:
			return allow(OwnTeam)
		case p.Role == "care-coordinator" && p.PCN != "" && slices.Contains(f.TeamAreas, p.PCN):
			return allow(PCNCoordinator)
		}
		return deny("a team's discharges are its own and the care coordinators' of the PCNs it covers")
	case ReadRoundBoard:
		if p.PCN != "" && p.PCN == f.CareHomePCN {
			return allow(AlignedCareHome)
		}
		return deny("the care home is not aligned to the caller's PCN")
	}
	return deny("unknown action")
}

// patientRecord decides reading a patient's timeline or summary.
func patientRecord(p auth.Principal, f Facts) Decision {
	switch {
	case pcnRoles[p.Role] && p.PCN != "" && p.PCN == f.PatientPCN:
		return allow(RegisteredInPCN)
	case visitingRoles[p.Role] && f.AssignedVisit:
		return allow(AssignedVisit)
	case teamRoles[p.Role] && p.Team != "" && f.RoutedDischarge:
		return allow(RoutedDischarge)
	case f.BreakGlass && p.Role != auth.SystemRole:
		return Decision{Allowed: true, Basis: BreakGlassBasis, Reason: f.BreakGlassReason}
	}
	return deny("no legitimate relationship with this patient: break glass, stating why, to read it")
}
