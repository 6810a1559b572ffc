package api

import (
	"net/http"
	"time"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// dischargeRequest records the patient leaving hospital (HL7 ADT A03).
type dischargeRequest struct {
	DischargedAt string   `json:"dischargedAt"`
	Method       string   `json:"method"`
	Destination  string   `json:"destination"`
	CareHomeID   string   `json:"careHomeId"`
	Pathway      string   `json:"pathway"`
	Needs        []string `json:"needs"`
}

// maxNeeds bounds the needs list: there are five, each may repeat a little.
const maxNeeds = 16

func parseDischarge(body dischargeRequest, dir *directory.Directory, now time.Time) (domain.DischargeCmd, error) {
	at, err := parseTime("dischargedAt", body.DischargedAt)
	if err != nil {
		return domain.DischargeCmd{}, err
	}
	method, err := parseEnum("method", body.Method, dischargeevents.ParseDischargeMethod)
	if err != nil {
		return domain.DischargeCmd{}, err
	}
	dest, err := parseEnum("destination", body.Destination, dischargeevents.ParseDestination)
	if err != nil {
		return domain.DischargeCmd{}, err
	}
	if body.CareHomeID != "" {
		if _, ok := dir.CareHome(body.CareHomeID); !ok {
			return domain.DischargeCmd{}, httpkit.Invalid("careHomeId", "is not a care home in the directory")
		}
	}
	pathway, err := parseEnum("pathway", body.Pathway, dischargeevents.ParsePathway)
	if err != nil {
		return domain.DischargeCmd{}, err
	}
	if len(body.Needs) > maxNeeds {
		return domain.DischargeCmd{}, httpkit.Invalid("needs", "lists too many needs")
	}
	needs := make([]dischargeevents.FollowUpNeed, 0, len(body.Needs))
	for _, n := range body.Needs {
		need, err := parseEnum("needs", n, dischargeevents.ParseFollowUpNeed)
		if err != nil {
			return domain.DischargeCmd{}, err
		}
		needs = append(needs, need)
	}
	return domain.DischargeCmd{
		DischargedAt: at, Method: method, Destination: dest, CareHomeID: body.CareHomeID,
		Pathway: pathway, Needs: needs, Now: now,
	}, nil
}

func (a *API) dischargePatient(w http.ResponseWriter, r *http.Request) {
	var req dischargeRequest
	a.change(w, r, policy.Discharge, &req, func(meta aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
		cmd, err := parseDischarge(req, a.dir, meta.Now)
		if err != nil {
			return nil, err
		}
		return domain.DischargePatient(cmd, a.rules), nil
	})
}
