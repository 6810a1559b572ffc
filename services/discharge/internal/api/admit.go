package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	dischargeevents "github.com/careweave/careweave/events/discharge"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/eventstore"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/patientref"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/discharge/internal/domain"
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
// an emergency admission within the window of its discharge.
func (a *API) admit(w http.ResponseWriter, r *http.Request) {
	var (
		req  admitRequest
		cmd  domain.AdmitCmd
		meta aggregate.Meta
	)
	id := newStayID(a.now())
	a.commands().Create(w, r, id, service.Command[domain.StayState]{
		Body: &req,
		Decide: func(ctx context.Context, m aggregate.Meta) (aggregate.Decide[domain.StayState], error) {
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
			return domain.Admit(cmd), nil
		},
		Also: func(ctx context.Context, tx pgx.Tx, _ aggregate.Loaded[domain.StayState]) error {
			return a.detectReadmission(ctx, tx, cmd, meta)
		},
	})
}

// detectReadmission indexes the new stay and runs DetectReadmission on the
// patient's previous stay, on the admission's transaction: the readmission
// is recorded with the admission or not at all.
func (a *API) detectReadmission(ctx context.Context, tx pgx.Tx, cmd domain.AdmitCmd, meta aggregate.Meta) error {
	prev, ok, err := a.stays.admit(ctx, tx, cmd.StayID, cmd.Patient, cmd.AdmittedAt)
	if err != nil || !ok {
		return err
	}
	detect := domain.DetectReadmission(domain.DetectReadmissionCmd{
		NewStayID: cmd.StayID, AdmittedAt: cmd.AdmittedAt, Method: cmd.Method, Now: meta.Now,
	}, a.rules)
	l, _, err := a.repo.Execute(ctx, tx, prev, -1, meta, detect)
	if errors.Is(err, eventstore.ErrVersionConflict) {
		return httpkit.Errorf(httpkit.KindConflict, "the patient's previous stay changed while this admission was recorded; retry")
	}
	if err != nil {
		return fmt.Errorf("detect readmission on the previous stay: %w", err)
	}
	return a.stays.setStatus(ctx, tx, l.ID, l.State.Status)
}
