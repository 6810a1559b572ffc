package access_test

import (
	"testing"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/projections/internal/access"
)

var (
	paraA      = auth.Principal{Subject: "para-a", Role: "paramedic", Org: "U1", PCN: "U1"}
	paraB      = auth.Principal{Subject: "para-b", Role: "paramedic", Org: "U1", PCN: "U1"}
	coordU1    = auth.Principal{Subject: "cc-1", Role: "care-coordinator", Org: "U1", PCN: "U1"}
	coordU2    = auth.Principal{Subject: "cc-2", Role: "care-coordinator", Org: "U2", PCN: "U2"}
	coordNoPCN = auth.Principal{Subject: "cc-3", Role: "care-coordinator", Org: "U1"}
	gpU1       = auth.Principal{Subject: "gp-1", Role: "gp", Org: "L1", PCN: "U1"}
	pharmU2    = auth.Principal{Subject: "ph-2", Role: "clinical-pharmacist", Org: "U2", PCN: "U2"}
	nurseX     = auth.Principal{Subject: "cn-x", Role: "community-nurse", Org: "RTE", Team: "team-x"}
	nurseY     = auth.Principal{Subject: "cn-y", Role: "community-nurse", Org: "RTE", Team: "team-y"}
	guardianU1 = auth.Principal{Subject: "cg-1", Role: "caldicott-guardian", Org: "U1", PCN: "U1"}
	system     = auth.Principal{Subject: "careweave-discharge", Role: auth.SystemRole, Org: "careweave"}
)

func TestWhoMayReadWhat(t *testing.T) {
	inU1 := access.Facts{PatientPCN: "U1"}
	visited := access.Facts{PatientPCN: "U2", AssignedVisit: true}
	routed := access.Facts{PatientPCN: "U2", RoutedDischarge: true}
	glass := access.Facts{PatientPCN: "U2", BreakGlass: true}
	boardA := access.Facts{Clinician: "para-a", ClinicianPCN: "U1"}
	worklistX := access.Facts{Team: "team-x", TeamAreas: []string{"U1", "U3"}}
	home := access.Facts{CareHomePCN: "U1"}
	for _, c := range []struct {
		name  string
		p     auth.Principal
		a     access.Action
		f     access.Facts
		basis access.Basis // NoBasis: denied
	}{
		// A patient's record: their PCN's clinicians, a clinician visiting
		// them, the team following up their discharge, or break-glass.
		{"coordinator reads own PCN's patient", coordU1, access.ReadTimeline, inU1, access.RegisteredInPCN},
		{"coordinator of another PCN", coordU2, access.ReadTimeline, inU1, access.NoBasis},
		{"coordinator without a PCN claim", coordNoPCN, access.ReadTimeline, inU1, access.NoBasis},
		{"patient whose PCN is unknown", coordNoPCN, access.ReadSummary, access.Facts{}, access.NoBasis},
		{"GP of the PCN reads the summary", gpU1, access.ReadSummary, inU1, access.RegisteredInPCN},
		{"pharmacist of another PCN", pharmU2, access.ReadSummary, inU1, access.NoBasis},
		{"paramedic with a visit for the patient", paraA, access.ReadTimeline, visited, access.AssignedVisit},
		{"paramedic with no visit for the patient", paraB, access.ReadTimeline, inU1, access.NoBasis},
		{"paramedic's PCN alone is no relationship", paraA, access.ReadSummary, inU1, access.NoBasis},
		{"team following up the discharge", nurseX, access.ReadTimeline, routed, access.RoutedDischarge},
		{"team with no discharge of the patient", nurseY, access.ReadTimeline, inU1, access.NoBasis},
		{"team member's visit relationship is not theirs", nurseX, access.ReadTimeline, visited, access.NoBasis},
		{"break-glass", paraB, access.ReadTimeline, glass, access.BreakGlassBasis},
		{"a process cannot break glass", system, access.ReadTimeline, glass, access.NoBasis},
		{"a process has no relationship", system, access.ReadTimeline, inU1, access.NoBasis},
		// Who looked at a patient.
		{"coordinator reads the access log", coordU1, access.ReadAccessLog, inU1, access.RegisteredInPCN},
		{"Caldicott guardian reads the access log", guardianU1, access.ReadAccessLog, inU1, access.RegisteredInPCN},
		{"GP may not read the access log", gpU1, access.ReadAccessLog, inU1, access.NoBasis},
		{"coordinator of another PCN, access log", coordU2, access.ReadAccessLog, inU1, access.NoBasis},
		{"a visiting paramedic may not read the access log", paraA, access.ReadAccessLog, visited, access.NoBasis},
		{"guardian breaking glass for another PCN's log", guardianU1, access.ReadAccessLog, glass, access.BreakGlassBasis},
		// Breaking glass itself.
		{"a person may break glass", paraB, access.BreakGlass, access.Facts{}, access.BreakGlassBasis},
		{"a process may not", system, access.BreakGlass, access.Facts{}, access.NoBasis},
		// A clinician's board: theirs, and their PCN's coordinators'.
		{"paramedic reads own board", paraA, access.ReadBoard, boardA, access.OwnBoard},
		{"paramedic reads another's board", paraB, access.ReadBoard, boardA, access.NoBasis},
		{"coordinator of the clinician's PCN", coordU1, access.ReadBoard, boardA, access.PCNCoordinator},
		{"coordinator of another PCN reads the board", coordU2, access.ReadBoard, boardA, access.NoBasis},
		{"GP of the PCN is not a coordinator", gpU1, access.ReadBoard, boardA, access.NoBasis},
		// A team's worklist: the team, and the coordinators of the PCNs it covers.
		{"team reads own worklist", nurseX, access.ReadWorklist, worklistX, access.OwnTeam},
		{"team reads another team's worklist", nurseY, access.ReadWorklist, worklistX, access.NoBasis},
		{"coordinator of a covered PCN", coordU1, access.ReadWorklist, worklistX, access.PCNCoordinator},
		{"coordinator of an uncovered PCN", coordU2, access.ReadWorklist, worklistX, access.NoBasis},
		{"paramedic with the team's id as subject", auth.Principal{Subject: "team-x", Role: "paramedic", PCN: "U1"}, access.ReadWorklist, worklistX, access.NoBasis},
		// A care home's rounds: its aligned PCN.
		{"aligned PCN's GP", gpU1, access.ReadRoundBoard, home, access.AlignedCareHome},
		{"another PCN", coordU2, access.ReadRoundBoard, home, access.NoBasis},
		{"a team", nurseX, access.ReadRoundBoard, home, access.NoBasis},
		{"unknown action", coordU1, access.Action("delete-everything"), inU1, access.NoBasis},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := access.Decide(c.p, c.a, c.f)
			if d.Allowed != (c.basis != access.NoBasis) || d.Basis != c.basis {
				t.Fatalf("Decide = %+v, want basis %s", d, c.basis)
			}
			if !d.Allowed && d.Reason == "" {
				t.Errorf("a denial must say why")
			}
		})
	}
}
