package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/carehomes/internal/domain"
	"github.com/careweave/careweave/services/carehomes/internal/policy"
)

type admitResidentRequest struct {
	Patient     string `json:"patient"`   // opaque reference, or
	NHSNumber   string `json:"nhsNumber"` // an NHS number the registry resolves
	CareHomeID  string `json:"careHomeId"`
	AdmittedAt  string `json:"admittedAt"` // optional: now
	Readmission bool   `json:"readmission"`
}

// parseAdmitResident checks the request and resolves the home's PCN; the
// patient reference is filled in from the registry afterwards.
func parseAdmitResident(body admitResidentRequest, dir *directory.Directory, now time.Time) (domain.AdmitResidentCmd, error) {
	if err := patientNamed(body.Patient, body.NHSNumber); err != nil {
		return domain.AdmitResidentCmd{}, err
	}
	home, err := careHome(dir, "careHomeId", body.CareHomeID)
	if err != nil {
		return domain.AdmitResidentCmd{}, err
	}
	at, err := parseTime("admittedAt", body.AdmittedAt, false)
	if err != nil {
		return domain.AdmitResidentCmd{}, err
	}
	return domain.AdmitResidentCmd{
		Patient: body.Patient, CareHomeID: home.ID, Area: home.PCN, AdmittedAt: at, Readmission: body.Readmission, Now: now,
	}, nil
}

// residencyID is the one residency of a resident in a home: admitting them
// again after a discharge readmits it.
func residencyID(careHomeID, patient string) string { return careHomeID + "-" + patient }

// admitResident admits (or readmits) a resident. The residency's id comes
// from the body (home and patient), so the body is read and the patient
// resolved before the command runs; kit/service's Create then decodes the
// same bytes again.
func (a *API) admitResident(w http.ResponseWriter, r *http.Request) {
	if _, err := idempotency.Key(r, true); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	if _, err := service.CommandMeta(r, a.now()); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	var req admitResidentRequest
	if err := predecode(w, r, &req); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	cmd, err := parseAdmitResident(req, a.directory, a.now())
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	// A caller who could not admit to even a home of their own PCN is
	// refused before the registry is asked; one refused for this home has
	// the refusal put on the resolved patient's trail.
	p, _ := auth.From(r.Context())
	if _, err := a.authorize(r, policy.Admit, p.PCN); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	reg, err := a.registry.Patient(r.Context(), req.Patient, req.NHSNumber)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	cmd.Patient = reg.Patient
	d, err := a.authorize(r, policy.Admit, cmd.Area)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, a.denied(r, cmd.Patient, err))
		return
	}
	a.residencies.Create(w, r, residencyID(cmd.CareHomeID, cmd.Patient), service.Command[domain.ResidencyState]{
		Body: &req,
		Decide: func(_ context.Context, meta aggregate.Meta) (aggregate.Decide[domain.ResidencyState], error) {
			cmd.Now = meta.Now
			return domain.AdmitResident(cmd, a.rules), nil
		},
		Also:  a.recordResident,
		Basis: func() access.Basis { return d.Basis },
	})
}

// recordResident keeps the residents table in step with a residency.
func (a *API) recordResident(ctx context.Context, tx pgx.Tx, l aggregate.Loaded[domain.ResidencyState]) error {
	return a.residents.record(ctx, tx, l)
}

// predecode strictly decodes the body into dst and leaves the same bytes
// for the next reader.
func predecode(w http.ResponseWriter, r *http.Request, dst any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpkit.DefaultMaxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return httpkit.Errorf(httpkit.KindTooLarge, "the body exceeds %d bytes", httpkit.DefaultMaxBody)
	}
	if err != nil {
		return httpkit.Invalid("body", "could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	if err := httpkit.DecodeJSON(w, r, dst, 0); err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return nil
}

// getResidency serves a residency to a caller of the PCN its home is
// aligned to; the read is recorded on the resident's trail before it is
// answered.
func (a *API) getResidency(w http.ResponseWriter, r *http.Request) {
	a.residencies.Read(w, r, r.PathValue("residency"), func(l aggregate.Loaded[domain.ResidencyState]) (access.Basis, error) {
		d, err := a.authorize(r, policy.ReadResidency, l.State.Area)
		return d.Basis, err
	})
}
