package domain_test

import (
	"testing"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	mr "github.com/careweave/careweave/services/medreviews/internal/domain"
)

func stopInput(med string) mr.RecommendationInput {
	return mr.RecommendationInput{Medicine: medreviews.Medicine{Name: med}, Action: medreviews.ActionStop,
		Reason: "Reviewed against STOPP criteria", Deprescribing: true}
}

func recommendCmd(in ...mr.RecommendationInput) mr.RecommendCmd {
	return mr.RecommendCmd{ClinicianID: pharmacist, ClinicianRole: medreviews.RoleClinicalPharmacist,
		Recommendations: in, Now: tCompleted}
}

func TestRecommend(t *testing.T) {
	cmd := recommendCmd(
		mr.RecommendationInput{Medicine: medreviews.Medicine{Name: " Zopiclone 7.5mg tablets ", DmdCode: " 322870003 "},
			Action: medreviews.ActionSwitch, Reason: "Falls risk\nand daytime drowsiness", Deprescribing: true,
			SwitchTo: &medreviews.Medicine{Name: "Melatonin 2mg modified-release tablets"}},
		mr.RecommendationInput{Medicine: medreviews.Medicine{Name: "Amitriptyline 25mg tablets"}, Action: medreviews.ActionChangeDose,
			Reason: "Anticholinergic burden", Deprescribing: true, NewDose: "10mg at night"},
		mr.RecommendationInput{Medicine: medreviews.Medicine{Name: "Alendronic acid 70mg tablets"}, Action: medreviews.ActionStart,
			Reason: "Fragility fracture"},
		mr.RecommendationInput{Medicine: medreviews.Medicine{Name: "Amlodipine 5mg tablets"}, Action: medreviews.ActionContinue,
			Reason: "BP at target"},
	)
	due := tCompleted.AddDate(0, 0, 14)
	aggregatetest.Then(t, reviewType, history(mr.StatusCompleted), mr.Recommend(rules, cmd),
		medreviews.RecommendationRecorded{RecommendationID: "rec-1",
			Medicine: medreviews.Medicine{Name: "Zopiclone 7.5mg tablets", DmdCode: "322870003"},
			Action:   medreviews.ActionSwitch, Reason: "Falls risk\nand daytime drowsiness", Deprescribing: true,
			SwitchTo:      &medreviews.Medicine{Name: "Melatonin 2mg modified-release tablets"},
			RecommendedBy: pharmacist, RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: tCompleted, DecisionDueBy: due},
		medreviews.RecommendationRecorded{RecommendationID: "rec-2", Medicine: medreviews.Medicine{Name: "Amitriptyline 25mg tablets"},
			Action: medreviews.ActionChangeDose, Reason: "Anticholinergic burden", Deprescribing: true, NewDose: "10mg at night",
			RecommendedBy: pharmacist, RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: tCompleted, DecisionDueBy: due},
		medreviews.RecommendationRecorded{RecommendationID: "rec-3", Medicine: medreviews.Medicine{Name: "Alendronic acid 70mg tablets"},
			Action: medreviews.ActionStart, Reason: "Fragility fracture",
			RecommendedBy: pharmacist, RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: tCompleted, DecisionDueBy: due},
		medreviews.RecommendationRecorded{RecommendationID: "rec-4", Medicine: medreviews.Medicine{Name: "Amlodipine 5mg tablets"},
			Action: medreviews.ActionContinue, Reason: "BP at target",
			RecommendedBy: pharmacist, RecommendedByRole: medreviews.RoleClinicalPharmacist, RecordedAt: tCompleted, DecisionDueBy: due},
	)
}

func TestRecommendNumbersOnAndDecisionDueFollowsTheRules(t *testing.T) {
	r := rules
	r.DecisionDueDays = 7
	given := then(history(mr.StatusCompleted), rec("rec-1", "Omeprazole 20mg capsules", medreviews.ActionStop),
		rec("rec-2", "Furosemide 40mg tablets", medreviews.ActionStop))
	cmd := recommendCmd(stopInput("Diazepam 2mg tablets"))
	cmd.ClinicianID, cmd.ClinicianRole, cmd.Now = gp, medreviews.RoleGP, now
	aggregatetest.Then(t, reviewType, given, mr.Recommend(r, cmd),
		medreviews.RecommendationRecorded{RecommendationID: "rec-3", Medicine: medreviews.Medicine{Name: "Diazepam 2mg tablets"},
			Action: medreviews.ActionStop, Reason: "Reviewed against STOPP criteria", Deprescribing: true,
			RecommendedBy: gp, RecommendedByRole: medreviews.RoleGP, RecordedAt: now, DecisionDueBy: now.AddDate(0, 0, 7)})
}

func TestRecommendAgainRecordsOnlyWhatIsNew(t *testing.T) {
	given := then(history(mr.StatusCompleted), rec("rec-1", "Omeprazole 20mg capsules", medreviews.ActionStop))
	aggregatetest.Then(t, reviewType, given, mr.Recommend(rules, recommendCmd(stopInput("Omeprazole 20mg capsules"))))

	want := rec("rec-2", "Diazepam 2mg tablets", medreviews.ActionStop)
	aggregatetest.Then(t, reviewType, given,
		mr.Recommend(rules, recommendCmd(stopInput("Omeprazole 20mg capsules"), stopInput("Diazepam 2mg tablets"))), want)
}

func TestRecommendOnADecidedMedicine(t *testing.T) {
	given := then(history(mr.StatusCompleted), rec("rec-1", "Omeprazole 20mg capsules", medreviews.ActionStop),
		medreviews.RecommendationRejected{RecommendationID: "rec-1", Medicine: medreviews.Medicine{Name: "Omeprazole 20mg capsules"},
			Action: medreviews.ActionStop, PrescriberID: gp, PrescriberRole: medreviews.RoleGP, Reason: "Still needed", RejectedAt: now})
	in := mr.RecommendationInput{Medicine: medreviews.Medicine{Name: "Omeprazole 20mg capsules"}, Action: medreviews.ActionChangeDose,
		Reason: "Step down", Deprescribing: true, NewDose: "10mg daily"}
	want := rec("rec-2", "Omeprazole 20mg capsules", medreviews.ActionChangeDose)
	want.Reason, want.Deprescribing, want.NewDose = "Step down", true, "10mg daily"
	aggregatetest.Then(t, reviewType, given, mr.Recommend(rules, recommendCmd(in)), want)
}

func TestRecommendRefused(t *testing.T) {
	for _, s := range except(mr.StatusCompleted) {
		t.Run(string(s), func(t *testing.T) {
			aggregatetest.Refused(t, reviewType, history(s), mr.Recommend(rules, recommendCmd(stopInput("Omeprazole 20mg capsules"))), string(s))
		})
	}
}

func TestRecommendNotFound(t *testing.T) {
	aggregatetest.Fails(t, reviewType, nil, mr.Recommend(rules, recommendCmd(stopInput("Omeprazole"))), domain.ErrNotFound)
}

func TestRecommendInvalid(t *testing.T) {
	omeprazole := rec("rec-1", "Omeprazole 20mg capsules", medreviews.ActionStop)
	omeprazole.Medicine.DmdCode = "317302007"
	pending := then(history(mr.StatusCompleted), omeprazole)
	small := rules
	small.MaxRecommendations = 1
	code := func(in mr.RecommendationInput, c string) mr.RecommendationInput { in.Medicine.DmdCode = c; return in }

	cases := map[string]struct {
		field string
		rules mr.Rules
		given []events.Data
		edit  func(*mr.RecommendCmd)
	}{
		"no clinician":      {"clinicianId", rules, nil, func(c *mr.RecommendCmd) { c.ClinicianID = "" }},
		"unknown clinician": {"clinicianId", rules, nil, func(c *mr.RecommendCmd) { c.ClinicianRole = "" }},
		"a paramedic":       {"clinicianId", rules, nil, func(c *mr.RecommendCmd) { c.ClinicianRole = "paramedic" }},
		"none":              {"recommendations", rules, nil, func(c *mr.RecommendCmd) { c.Recommendations = nil }},
		"too many at once": {"recommendations", small, nil, func(c *mr.RecommendCmd) {
			c.Recommendations = append(c.Recommendations, stopInput("Diazepam"))
		}},
		"too many in all": {"recommendations", small, pending, func(c *mr.RecommendCmd) {
			c.Recommendations = []mr.RecommendationInput{stopInput("Diazepam 2mg tablets")}
		}},
		"no medicine": {"recommendations[0].medicine.name", rules, nil, func(c *mr.RecommendCmd) { c.Recommendations[0].Medicine.Name = " " }},
		"medicine on two lines": {"recommendations[0].medicine.name", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].Medicine.Name = "Aspirin\n75mg"
		}},
		"dm+d with a letter": {"recommendations[0].medicine.dmdCode", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0] = code(c.Recommendations[0], "32287000X")
		}},
		"dm+d leading zero": {"recommendations[0].medicine.dmdCode", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0] = code(c.Recommendations[0], "0322870003")
		}},
		"dm+d too short": {"recommendations[0].medicine.dmdCode", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0] = code(c.Recommendations[0], "12345")
		}},
		"no action":      {"recommendations[0].action", rules, nil, func(c *mr.RecommendCmd) { c.Recommendations[0].Action = "" }},
		"unknown action": {"recommendations[0].action", rules, nil, func(c *mr.RecommendCmd) { c.Recommendations[0].Action = "reduce" }},
		"no reason":      {"recommendations[0].reason", rules, nil, func(c *mr.RecommendCmd) { c.Recommendations[0].Reason = "" }},
		"deprescribing a start": {"recommendations[0].deprescribing", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].Action = medreviews.ActionStart
		}},
		"deprescribing a continue": {"recommendations[0].deprescribing", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].Action = medreviews.ActionContinue
		}},
		"switch without target": {"recommendations[0].switchTo", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].Action = medreviews.ActionSwitch
		}},
		"switch target unnamed": {"recommendations[0].switchTo.name", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].Action, c.Recommendations[0].SwitchTo = medreviews.ActionSwitch, &medreviews.Medicine{DmdCode: "322870003"}
		}},
		"switch target bad dm+d": {"recommendations[0].switchTo.dmdCode", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].Action, c.Recommendations[0].SwitchTo = medreviews.ActionSwitch, &medreviews.Medicine{Name: "x", DmdCode: "1"}
		}},
		"switch to itself": {"recommendations[0].switchTo", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].Action, c.Recommendations[0].SwitchTo = medreviews.ActionSwitch, &medreviews.Medicine{Name: "OMEPRAZOLE 20MG CAPSULES"}
		}},
		"switch target on a stop": {"recommendations[0].switchTo", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].SwitchTo = &medreviews.Medicine{Name: "Lansoprazole"}
		}},
		"dose change without dose": {"recommendations[0].newDose", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0].Action = medreviews.ActionChangeDose
		}},
		"dose on a stop": {"recommendations[0].newDose", rules, nil, func(c *mr.RecommendCmd) { c.Recommendations[0].NewDose = "10mg" }},
		"medicine twice by name": {"recommendations[1].medicine", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations = append(c.Recommendations, stopInput("omeprazole 20mg CAPSULES"))
		}},
		"medicine twice by dm+d": {"recommendations[1].medicine", rules, nil, func(c *mr.RecommendCmd) {
			c.Recommendations[0] = code(c.Recommendations[0], "317302007")
			c.Recommendations = append(c.Recommendations, code(stopInput("Losec 20mg capsules"), "317302007"))
		}},
		"medicine awaiting the prescriber": {"recommendations[0].medicine", rules, pending, func(c *mr.RecommendCmd) {
			c.Recommendations[0] = code(stopInput("Losec"), "317302007")
			c.Recommendations[0].Reason = "Another reason"
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := recommendCmd(stopInput("Omeprazole 20mg capsules"))
			tc.edit(&cmd)
			given := tc.given
			if given == nil {
				given = history(mr.StatusCompleted)
			}
			aggregatetest.Invalid(t, reviewType, given, mr.Recommend(tc.rules, cmd), tc.field)
		})
	}
}
