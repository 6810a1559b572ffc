package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/medreviews"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/medreviews/internal/domain"
	"github.com/careweave/careweave/services/medreviews/internal/policy"
)

// identifyRequest opens a review: the patient (by reference or NHS number),
// the cohorts that make them a candidate, their care home if any, and the
// clinician who identified them.
type identifyRequest struct {
	Patient      string   `json:"patient,omitempty"`
	NHSNumber    string   `json:"nhsNumber,omitempty"`
	Criteria     []string `json:"criteria"`
	CareHome     string   `json:"careHome,omitempty"`
	IdentifiedBy string   `json:"identifiedBy"`
}

// parseIdentify checks the request and returns the command without the
// patient's registration (see registered), so a bad request is refused
// before the registry is asked. An NHS number is checked here, and never
// echoed.
func parseIdentify(body identifyRequest, dir *directory.Directory, now time.Time) (domain.IdentifyCandidateCmd, error) {
	var cmd domain.IdentifyCandidateCmd
	switch {
	case body.Patient != "" && body.NHSNumber != "":
		return cmd, httpkit.Invalid("patient", "give the patient reference or the NHS number, not both")
	case body.Patient == "" && body.NHSNumber == "":
		return cmd, httpkit.Invalid("patient", "is required: a patient reference, or nhsNumber")
	case body.NHSNumber != "":
		if _, err := nhsno.Parse(body.NHSNumber); err != nil {
			return cmd, httpkit.Invalid("nhsNumber", err.Error())
		}
	}
	if len(body.Criteria) == 0 {
		return cmd, httpkit.Invalid("criteria", "needs at least one cohort")
	}
	for i, c := range body.Criteria {
		v, err := enum(fmt.Sprintf("criteria[%d]", i), c, medreviews.ParseCohort, medreviews.Cohorts())
		if err != nil {
			return cmd, err
		}
		cmd.Criteria = append(cmd.Criteria, v)
	}
	cmd.CareHome = strings.TrimSpace(body.CareHome)
	if cmd.CareHome != "" {
		if h, ok := dir.CareHome(cmd.CareHome); ok {
			cmd.CareHomePCN = h.PCN
		}
	}
	cmd.IdentifiedBy = strings.TrimSpace(body.IdentifiedBy)
	if c, ok := dir.Clinician(cmd.IdentifiedBy); ok {
		cmd.IdentifiedByRole = string(c.Role)
	}
	cmd.Now = now
	return cmd, nil
}

// registered completes cmd with the registry's answer: the reference, and
// the practice and its PCN as the directory knows them.
func registered(cmd domain.IdentifyCandidateCmd, reg patientref.Registration, dir *directory.Directory) (domain.IdentifyCandidateCmd, error) {
	p, ok := dir.Practice(reg.Practice)
	if !ok {
		return cmd, httpkit.Invalid("patient", "is registered at a practice that is not in this service's directory")
	}
	cmd.Patient, cmd.Practice, cmd.PCN = reg.Patient, p.ODS, p.PCN
	return cmd, nil
}

// identifyCandidate opens a review of a patient on the caller's PCN's SMR
// caseload. A caller who could not identify even a patient of their own
// PCN is refused before the registry is asked; one refused for the
// registered patient has the refusal put on the patient's trail.
func (a *API) identifyCandidate(w http.ResponseWriter, r *http.Request) {
	var req identifyRequest
	var basis access.Basis
	id := events.NewID(a.now()).String()
	a.commands().Create(w, r, id, service.Command[domain.ReviewState]{
		Body: &req,
		Decide: func(ctx context.Context, meta aggregate.Meta) (aggregate.Decide[domain.ReviewState], error) {
			p, _ := auth.From(ctx)
			if _, err := a.authorize(r, policy.Identify, policy.Review{PCN: p.PCN}); err != nil {
				return nil, err
			}
			cmd, err := parseIdentify(req, a.directory, meta.Now)
			if err != nil {
				return nil, err
			}
			reg, err := a.registry.Patient(ctx, req.Patient, req.NHSNumber)
			if err != nil {
				return nil, err
			}
			if cmd, err = registered(cmd, reg, a.directory); err != nil {
				return nil, err
			}
			// Asked before anything else of the registration is checked,
			// so a refusal says nothing of it.
			d, err := a.authorize(r, policy.Identify, policy.Review{PCN: cmd.PCN})
			if err != nil {
				return nil, a.denied(r, cmd.Patient, err)
			}
			basis = d.Basis
			return domain.IdentifyCandidate(cmd), nil
		},
		Also:  a.keepIndex,
		Basis: func() access.Basis { return basis },
	})
}

// denied puts the policy's refusal of a change to patient on the
// patient's trail and returns the refusal (or, if it could not be
// recorded, why not).
func (a *API) denied(r *http.Request, patient string, refusal error) error {
	rec, err := audit.Of(r, audit.Access{Patient: patient, Action: access.Action("change"), Basis: access.NoBasis,
		Outcome: access.Denied, Status: http.StatusForbidden})
	if err == nil {
		err = a.audit.Record(r.Context(), rec)
	}
	if err != nil {
		return err
	}
	return refusal
}
