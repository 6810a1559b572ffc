package domain_test

import (
	"testing"
	"time"

	"github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate/aggregatetest"
	"github.com/careweave/careweave/kit/domain"
	dom "github.com/careweave/careweave/services/discharge/internal/domain"
)

func referCmd() dom.ReferMedicinesCmd {
	return dom.ReferMedicinesCmd{Pharmacy: "FA123", ReferredAt: dischargedAt, Now: afterwards}
}

func TestReferMedicines(t *testing.T) {
	// A closed stay still takes it: the pharmacy's check is not the
	// community follow-up.
	for name, h := range in(t, "discharged", "follow-up completed", "closed", "closed, no follow-up") {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Then(t, stay, h, dom.ReferMedicines(referCmd(), rules), referred())
		})
	}
}

func TestReferMedicinesBeforeTheDischargeTime(t *testing.T) {
	cmd := referCmd()
	cmd.ReferredAt = dischargedAt.Add(-2 * time.Hour)
	aggregatetest.Then(t, stay, histories()["discharged"], dom.ReferMedicines(cmd, rules),
		discharge.MedicinesServiceReferred{Pharmacy: "FA123", ReferredAt: cmd.ReferredAt, FirstCheckDueBy: dischargedAt.Add(70 * time.Hour)})
}

func TestReferMedicinesToTheSamePharmacyRecordsNothing(t *testing.T) {
	cmd := referCmd()
	cmd.ReferredAt = dischargedAt.Add(time.Hour)
	aggregatetest.Then(t, stay, then(histories()["discharged"], referred()), dom.ReferMedicines(cmd, rules))
}

func TestReferMedicinesToAnotherPharmacy(t *testing.T) {
	cmd := dom.ReferMedicinesCmd{Pharmacy: "FB456", ReferredAt: afterwards, Now: afterwards}
	local := dom.DefaultRules()
	local.MedicinesFirstCheckWithin = 48 * time.Hour
	aggregatetest.Then(t, stay, then(histories()["discharged"], referred()), dom.ReferMedicines(cmd, local),
		discharge.MedicinesServiceReferred{Pharmacy: "FB456", ReferredAt: afterwards, FirstCheckDueBy: afterwards.Add(48 * time.Hour),
			PreviousPharmacy: "FA123"})
}

func TestReferMedicinesTransitions(t *testing.T) {
	checkTransitions(t, dom.ReferMedicines(referCmd(), rules), notDischarged...)
}

func TestReferMedicinesInvalid(t *testing.T) {
	cases := map[string]struct {
		field string
		cmd   dom.ReferMedicinesCmd
	}{
		"no pharmacy":      {"pharmacy", dom.ReferMedicinesCmd{ReferredAt: dischargedAt, Now: afterwards}},
		"pharmacy not ODS": {"pharmacy", dom.ReferMedicinesCmd{Pharmacy: "fa123", ReferredAt: dischargedAt, Now: afterwards}},
		"no time":          {"referredAt", dom.ReferMedicinesCmd{Pharmacy: "FA123", Now: afterwards}},
		"before admission": {"referredAt", dom.ReferMedicinesCmd{Pharmacy: "FA123", ReferredAt: admittedAt.Add(-time.Hour), Now: afterwards}},
		"in the future":    {"referredAt", dom.ReferMedicinesCmd{Pharmacy: "FA123", ReferredAt: afterwards.Add(time.Hour), Now: afterwards}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			aggregatetest.Invalid(t, stay, histories()["discharged"], dom.ReferMedicines(c.cmd, rules), c.field)
		})
	}
}

func TestReferMedicinesNotFound(t *testing.T) {
	aggregatetest.Fails(t, stay, nil, dom.ReferMedicines(referCmd(), rules), domain.ErrNotFound)
}
