package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/homevisits"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/homevisits/internal/domain"
	"github.com/careweave/careweave/services/homevisits/internal/policy"
)

// requestVisitRequest asks for a home visit. The patient is named by their
// registry reference or by NHS number, never both; the practice, if given,
// must be the one they are registered with.
type requestVisitRequest struct {
	Patient   string `json:"patient,omitempty"`
	NHSNumber string `json:"nhsNumber,omitempty"`
	Practice  string `json:"practice,omitempty"`
	CareHome  string `json:"careHome,omitempty"`
	Reason    string `json:"reason"`
	Source    string `json:"source"`
	Caller    string `json:"caller"`
}

// parseRequestVisit checks a request at the edge. The patient is resolved
// afterwards (the registry is I/O), then completeRequestVisit fills in the
// reference, practice and PCN.
func parseRequestVisit(body requestVisitRequest, dir *directory.Directory, now time.Time) (domain.RequestVisitCmd, error) {
	cmd := domain.RequestVisitCmd{Reason: body.Reason, Now: now}
	switch {
	case body.Patient != "" && body.NHSNumber != "":
		return cmd, httpkit.Invalid("patient", "give the patient reference or the NHS number, not both")
	case body.Patient != "":
		if _, err := events.ParseID(body.Patient); err != nil {
			return cmd, httpkit.Invalid("patient", "must be a patient reference issued by the registry")
		}
		cmd.Patient = body.Patient
	case body.NHSNumber != "":
		if _, err := nhsno.Parse(body.NHSNumber); err != nil {
			return cmd, httpkit.Invalid("nhsNumber", err.Error())
		}
	default:
		return cmd, httpkit.Invalid("patient", "is required: a patient reference, or nhsNumber")
	}
	if body.Practice != "" {
		if _, ok := dir.Practice(body.Practice); !ok {
			return cmd, httpkit.Invalid("practice", "is not a practice in the directory")
		}
		cmd.Practice = body.Practice
	}
	if body.CareHome != "" {
		if _, ok := dir.CareHome(body.CareHome); !ok {
			return cmd, httpkit.Invalid("careHome", "is not a care home in the directory")
		}
		cmd.CareHome = body.CareHome
	}
	var err error
	if cmd.Source, err = enum("source", body.Source, homevisits.ParseSource); err != nil {
		return cmd, err
	}
	if cmd.Caller, err = enum("caller", body.Caller, homevisits.ParseCaller); err != nil {
		return cmd, err
	}
	return cmd, nil
}

// completeRequestVisit puts the registry's answer into the command: the
// reference, the practice (which a given practice must match) and its PCN,
// the routing area. A care home must be aligned to that PCN.
func completeRequestVisit(cmd domain.RequestVisitCmd, reg patientref.Registration, dir *directory.Directory) (domain.RequestVisitCmd, error) {
	if cmd.Practice != "" && cmd.Practice != reg.Practice {
		return cmd, httpkit.Invalid("practice", "is not the practice the patient is registered with")
	}
	cmd.Patient, cmd.Practice, cmd.PCN = reg.Patient, reg.Practice, reg.PCN
	if cmd.CareHome != "" {
		if h, ok := dir.CareHome(cmd.CareHome); !ok || h.PCN != reg.PCN {
			return cmd, httpkit.Invalid("careHome", "is not aligned to the patient's Primary Care Network")
		}
	}
	return cmd, nil
}

func (a *API) requestVisit(w http.ResponseWriter, r *http.Request) {
	var body requestVisitRequest
	id := events.NewID(a.now()).String()
	var basis access.Basis
	a.cmds.Create(w, r, id, service.Command[domain.VisitState]{
		Body: &body,
		Decide: func(ctx context.Context, meta aggregate.Meta) (aggregate.Decide[domain.VisitState], error) {
			// A caller who could not request a visit even for a patient of
			// their own PCN is refused before the registry is asked.
			p, _ := auth.From(ctx)
			if _, err := a.authorize(r, policy.Request, policy.Visit{PCN: p.PCN}); err != nil {
				return nil, err
			}
			cmd, err := parseRequestVisit(body, a.directory, meta.Now)
			if err != nil {
				return nil, err
			}
			reg, err := a.registry.Patient(ctx, cmd.Patient, body.NHSNumber)
			if err != nil {
				return nil, err
			}
			// The patient must be registered in the caller's PCN; asked
			// before the registration is compared with the request, so a
			// refusal says nothing of it. The registry named the patient,
			// so a refusal goes on their trail.
			b, err := a.authorize(r, policy.Request, policy.Visit{PCN: reg.PCN})
			if err != nil {
				return nil, a.denied(r, reg.Patient, err)
			}
			basis = b
			if cmd, err = completeRequestVisit(cmd, reg, a.directory); err != nil {
				return nil, err
			}
			return domain.RequestVisit(cmd), nil
		},
		Basis: func() access.Basis { return basis },
	})
}
