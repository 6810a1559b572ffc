package domain

import (
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/discharge"
)

// ReferMedicinesCmd refers the patient to the Discharge Medicines Service.
type ReferMedicinesCmd struct {
	// Pharmacy is the community pharmacy's ODS code.
	Pharmacy   string
	ReferredAt time.Time
	Now        time.Time
}

// ReferMedicines decides ReferMedicinesCmd. Allowed once discharged,
// closed included (the pharmacy's work does not hold the stay open). The
// referral may predate the discharge time (it is often sent as the patient
// leaves) but not the admission. The first check is due
// Rules.MedicinesFirstCheckWithin after referral. A referral to the pharmacy
// already referred to records nothing; another pharmacy re-refers.
func ReferMedicines(cmd ReferMedicinesCmd, rules Rules) func(s StayState, version int64) ([]events.Data, error) {
	return func(s StayState, version int64) ([]events.Data, error) {
		if err := exists(version); err != nil {
			return nil, err
		}
		if err := rules.check(); err != nil {
			return nil, err
		}
		if err := checkODS("pharmacy", cmd.Pharmacy); err != nil {
			return nil, err
		}
		if err := checkTime("referredAt", cmd.ReferredAt, cmd.Now, s.AdmittedAt, "the admission"); err != nil {
			return nil, err
		}
		d := s.Discharge
		if d == nil {
			return nil, refuse(s, "referred to the Discharge Medicines Service before discharge")
		}
		at := cmd.ReferredAt.UTC()
		e := discharge.MedicinesServiceReferred{Pharmacy: cmd.Pharmacy, ReferredAt: at, FirstCheckDueBy: at.Add(rules.MedicinesFirstCheckWithin)}
		if m := d.Medicines; m != nil {
			if m.Pharmacy == cmd.Pharmacy {
				return nil, nil
			}
			e.PreviousPharmacy = m.Pharmacy
		}
		return []events.Data{e}, nil
	}
}
