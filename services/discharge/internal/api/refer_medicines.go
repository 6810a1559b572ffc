package api

import (
	"net/http"
	"time"

	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// medicinesReferralRequest refers the patient to the Discharge Medicines
// Service at a community pharmacy.
type medicinesReferralRequest struct {
	Pharmacy   string `json:"pharmacy"`
	ReferredAt string `json:"referredAt"`
}

func parseMedicinesReferral(body medicinesReferralRequest, now time.Time) (domain.ReferMedicinesCmd, error) {
	if body.Pharmacy == "" {
		return domain.ReferMedicinesCmd{}, httpkit.Invalid("pharmacy", "is required: the community pharmacy's ODS code")
	}
	at, err := parseTime("referredAt", body.ReferredAt)
	if err != nil {
		return domain.ReferMedicinesCmd{}, err
	}
	return domain.ReferMedicinesCmd{Pharmacy: body.Pharmacy, ReferredAt: at, Now: now}, nil
}

func (a *API) referMedicines(w http.ResponseWriter, r *http.Request) {
	var req medicinesReferralRequest
	a.change(w, r, policy.ReferMedicines, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parseMedicinesReferral(req, meta.Now)
		if err != nil {
			return nil, err
		}
		return domain.ReferMedicines(cmd, a.rules), nil
	})
}
