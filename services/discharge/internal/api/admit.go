package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/discharge/internal/domain"
	"github.com/careweave/careweave/services/discharge/internal/policy"
)

// admitRequest opens a stay (HL7 ADT A01). The patient is named by the
// registry's reference or by NHS number, never both.
type admitRequest struct {
	Patient         string `json:"patient"`
	NHSNumber       string `json:"nhsNumber"`
	HospitalSite    string `json:"hospitalSite"`
	Ward            string `json:"ward"`
	AdmittedAt      string `json:"admittedAt"`
	AdmissionMethod string `json:"admissionMethod"`
}

// parsePatient returns whom the registry is asked about: a reference or a
// well-formed NHS number (normalised to 10 digits).
func parsePatient(body admitRequest) (ref, nhsNumber string, err error) {
	switch {
	case body.Patient != "" && body.NHSNumber != "":
		return "", "", httpkit.Invalid("patient", "give the patient reference or nhsNumber, not both")
	case body.Patient == "" && body.NHSNumber == "":
		return "", "", httpkit.Invalid("patient", "is required: a patient reference, or nhsNumber")
	case body.NHSNumber != "":
		n, err := nhsno.Parse(body.NHSNumber)
		if err != nil {
			return "", "", httpkit.Invalid("nhsNumber", err.Error())
		}
		return "", n, nil
	}
	if len(body.Patient) > 64 {
		return "", "", httpkit.Invalid("patient", "must be at most 64 characters")
	}
	return body.Patient, "", nil
}

// parseAdmit builds the admission of stay id for the patient reg, whose
// practice's PCN (from the directory) is the stay's routing area.
func parseAdmit(body admitRequest, id string, reg patientref.Registration, dir *directory.Directory, now time.Time) (domain.AdmitCmd, error) {
	at, err := parseTime("admittedAt", body.AdmittedAt)
	if err != nil {
		return domain.AdmitCmd{}, err
	}
	method, err := parseEnum("admissionMethod", body.AdmissionMethod, dischargeevents.ParseAdmissionMethod)
	if err != nil {
		return domain.AdmitCmd{}, err
	}
	practice, ok := dir.Practice(reg.Practice)
	if !ok {
		return domain.AdmitCmd{}, httpkit.Invalid("patient", "is registered at a practice that is not in the directory")
	}
	return domain.AdmitCmd{
		StayID: id, Patient: reg.Patient, HospitalSite: body.HospitalSite, Ward: body.Ward, AdmittedAt: at,
		Method: method, Practice: practice.ODS, PCN: practice.PCN, Now: now,
	}, nil
}

// admit opens a stay and, in the same transaction, tells the patient's
// previous stay about it, which records a readmission there when this is
// an emergency admission within the window of its discharge. A caller
// who could not admit even a patient of their own PCN at their own
// trust's hospital is refused before the registry is asked; one refused
// for the registered patient and the site named has the refusal put on
// the patient's trail.
func (a *API) admit(w http.ResponseWriter, r *http.Request) {
	var (
		req   admitRequest
		cmd   domain.AdmitCmd
		meta  aggregate.Meta
		basis access.Basis
	)
	id := newStayID(a.now())
	a.commands().Create(w, r, id, service.Command[domain.StayState]{
		Body: &req,
		Decide: func(ctx context.Context, m aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
			p, _ := auth.From(ctx)
			if _, err := a.authorize(r, policy.Admit, policy.Stay{Trust: p.Org, PCN: p.PCN}); err != nil {
				return nil, err
			}
			ref, number, err := parsePatient(req)
			if err != nil {
				return nil, err
			}
			reg, err := a.registry.Patient(ctx, ref, number)
			if err != nil {
				return nil, err
			}
			if cmd, err = parseAdmit(req, id, reg, a.dir, m.Now); err != nil {
				return nil, err
			}
			meta = m
			admit := domain.Admit(cmd)
			// The admission is checked first, so a malformed site is a 400
			// whoever sends it.
			return func(s domain.StayState, version int64) ([]events.Data, error) {
				recorded, err := admit(s, version)
				if err != nil {
					return nil, err
				}
				d, err := a.authorize(r, policy.Admit, policy.Stay{Trust: policy.TrustOf(cmd.HospitalSite), PCN: cmd.PCN})
				if err != nil {
					return nil, a.denied(r, cmd.Patient, err)
				}
				basis = d.Basis
				return recorded, nil
			}, nil
		},
		Also: func(ctx context.Context, tx pgx.Tx, _ aggregate.Loaded[domain.StayState]) error {
			return a.detectReadmission(ctx, tx, r, cmd, meta, basis)
		},
		Basis: func() access.Basis { return basis },
	})
}

// detectReadmission indexes the new stay and runs DetectReadmission on the
// patient's previous stay, on the admission's transaction: the readmission
// is recorded with the admission or not at all, and so is its record on
// the patient's trail, on the admission's basis.
func (a *API) detectReadmission(ctx context.Context, tx pgx.Tx, r *http.Request, cmd domain.AdmitCmd, meta aggregate.Meta, basis access.Basis) error {
	prev, ok, err := a.stays.admit(ctx, tx, cmd.StayID, cmd.Patient, cmd.AdmittedAt)
	if err != nil || !ok {
		return err
	}
	detect := domain.DetectReadmission(domain.DetectReadmissionCmd{
		NewStayID: cmd.StayID, AdmittedAt: cmd.AdmittedAt, Method: cmd.Method, Now: meta.Now,
	}, a.rules)
	l, envs, err := a.repo.Execute(ctx, tx, prev, -1, meta, detect)
	if errors.Is(err, eventstore.ErrVersionConflict) {
		return httpkit.Errorf(httpkit.KindConflict, "the patient's previous stay changed while this admission was recorded; retry")
	}
	if err != nil {
		return fmt.Errorf("detect readmission on the previous stay: %w", err)
	}
	for _, en := range envs {
		rec, err := audit.Of(r, audit.Access{Patient: en.Subject, Action: access.Change(en.Type), Basis: basis,
			Outcome: access.Allowed, Status: http.StatusCreated})
		if err != nil {
			return err
		}
		if err := a.audit.RecordTx(ctx, tx, rec); err != nil {
			return err
		}
	}
	return a.stays.setStatus(ctx, tx, l.ID, l.State.Status)
}
