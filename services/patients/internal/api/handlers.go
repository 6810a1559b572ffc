package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/events/patients"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/audit"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/breakglass"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/patients/internal/domain"
	"github.com/careweave/careweave/services/patients/internal/policy"
)

// patientView is a patient as the registry shows it.
type patientView struct {
	Patient     string `json:"patient"`
	Status      string `json:"status"`
	NHSNumber   string `json:"nhsNumber"`
	TraceStatus string `json:"traceStatus"`
	GivenName   string `json:"givenName"`
	FamilyName  string `json:"familyName"`
	BirthDate   string `json:"birthDate"`
	Practice    string `json:"practice"`
	PCN         string `json:"pcn"`
	Survivor    string `json:"survivor,omitempty"`
	Version     int64  `json:"version"`
}

func view(l aggregate.Loaded[domain.Patient], d details) patientView {
	return patientView{
		Patient: l.State.Ref, Status: string(l.State.Status), NHSNumber: d.NHSNumber, TraceStatus: string(l.State.TraceStatus),
		GivenName: d.GivenName, FamilyName: d.FamilyName, BirthDate: d.BirthDate.Format(time.DateOnly),
		Practice: l.State.Practice, PCN: l.State.PCN, Survivor: l.State.Survivor, Version: l.Version,
	}
}

type registerRequest struct {
	NHSNumber   string `json:"nhsNumber"`
	TraceStatus string `json:"traceStatus"`
	GivenName   string `json:"givenName"`
	FamilyName  string `json:"familyName"`
	BirthDate   string `json:"birthDate"`
	Practice    string `json:"practice"`
}

// register registers a patient at a practice of the caller's PCN; the
// registration's events are on the new patient's trail with it.
func (a *API) register(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	var d details
	var basis access.Basis
	ref := events.NewID(a.now()).String()
	a.commands(&d).Create(w, r, ref, service.Command[domain.Patient]{
		Body: &req,
		Decide: func(ctx context.Context, meta aggregate.Meta) (aggregate.Decide[domain.Patient], error) {
			number, err := a.nhsNumber(req.NHSNumber)
			if err != nil {
				return nil, err
			}
			given, family, birth, err := validPerson(req.GivenName, req.FamilyName, req.BirthDate, meta.Now)
			if err != nil {
				return nil, err
			}
			practice, ok := a.directory.Practice(req.Practice)
			if !ok {
				return nil, httpkit.Invalid("practice", "is not a practice in the directory")
			}
			dec, err := a.authorize(r, policy.Register, policy.Patient{PCN: practice.PCN})
			if err != nil {
				return nil, err
			}
			basis = dec.Basis
			d = details{Patient: ref, NHSNumber: number, GivenName: given, FamilyName: family, BirthDate: birth}
			return domain.Register(domain.RegisterCmd{Ref: ref, Practice: practice.ODS, PCN: practice.PCN, TraceStatus: patients.TraceStatus(req.TraceStatus)}), nil
		},
		// The details row claims the NHS number in the same transaction:
		// of two registrations of one number, the second fails here.
		Also: func(ctx context.Context, tx pgx.Tx, _ aggregate.Loaded[domain.Patient]) error {
			err := a.details.insert(ctx, tx, d)
			if taken, ok := errors.AsType[*numberTakenError](err); ok {
				return alreadyRegistered(taken.holder)
			}
			return err
		},
		Basis: func() access.Basis { return basis },
	})
}

// commands is the registry's command endpoint; views show d, the details
// the command leaves in place.
func (a *API) commands(d *details) *service.Commands[domain.Patient] {
	return &service.Commands[domain.Patient]{
		Repo: a.repo, Idem: a.idem, Logger: a.logger, Now: a.now,
		View:     func(l aggregate.Loaded[domain.Patient]) any { return view(l, *d) },
		Path:     func(id string) string { return "/v1/patients/" + id },
		Audit:    a.audit,
		Patients: func(s domain.Patient) []string { return []string{s.Ref} },
	}
}

// alreadyRegistered answers a second registration of a number with the
// reference that holds it, so the caller can use that one.
func alreadyRegistered(holder string) error {
	return &httpkit.Error{Kind: httpkit.KindConflict, Message: "this NHS number is already registered as patient " + holder,
		Fields: []httpkit.FieldError{{Field: "nhsNumber", Reason: "is already registered"}}}
}

type resolveRequest struct {
	NHSNumber string `json:"nhsNumber"`
}

type resolved struct {
	Patient  string `json:"patient"`
	Practice string `json:"practice"`
	PCN      string `json:"pcn"`
}

// resolve maps an NHS number to its reference, following merges to the
// surviving record. It is a POST so the number never appears in a URL.
func (a *API) resolve(w http.ResponseWriter, r *http.Request) {
	var req resolveRequest
	if err := httpkit.DecodeJSON(w, r, &req, 0); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	number, err := a.nhsNumber(req.NHSNumber)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	d, ok, err := a.details.byNumber(r.Context(), number)
	if err == nil && !ok {
		err = httpkit.Errorf(httpkit.KindNotFound, "no patient is registered with this NHS number")
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	ref := d.Patient
	for hops := 0; hops < 8; hops++ {
		l, err := a.repo.Load(r.Context(), ref)
		if err != nil {
			httpkit.WriteError(w, r, a.logger, err)
			return
		}
		if l.State.Status != domain.StatusMerged {
			if a.allowRead(w, r, l.State.Ref, policy.Resolve, policy.Patient{PCN: l.State.PCN}) {
				httpkit.WriteJSON(w, http.StatusOK, resolved{Patient: l.State.Ref, Practice: l.State.Practice, PCN: l.State.PCN})
			}
			return
		}
		ref = l.State.Survivor
	}
	httpkit.WriteError(w, r, a.logger, errors.New("merge chain longer than 8"))
}

// get serves a patient's personal details, the most sensitive read: to a
// clinician of their PCN, recorded on their trail before it is answered.
func (a *API) get(w http.ResponseWriter, r *http.Request) {
	l, d, err := a.load(r.Context(), r.PathValue("patient"))
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	if !a.allowRead(w, r, l.State.Ref, policy.ReadDetails, policy.Patient{PCN: l.State.PCN}) {
		return
	}
	w.Header().Set("ETag", httpkit.ETag(l.Version))
	httpkit.WriteJSON(w, http.StatusOK, view(l, d))
}

// registration is what other services need to know about a reference —
// where the patient is registered, and whether it was merged — without any
// personal detail.
func (a *API) registration(w http.ResponseWriter, r *http.Request) {
	l, _, err := a.load(r.Context(), r.PathValue("patient"))
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	if !a.allowRead(w, r, l.State.Ref, policy.ReadRegistration, policy.Patient{PCN: l.State.PCN}) {
		return
	}
	httpkit.WriteJSON(w, http.StatusOK, registrationView{
		Patient: l.State.Ref, Status: string(l.State.Status), Practice: l.State.Practice, PCN: l.State.PCN, Survivor: l.State.Survivor,
	})
}

type registrationView struct {
	Patient  string `json:"patient"`
	Status   string `json:"status"`
	Practice string `json:"practice"`
	PCN      string `json:"pcn"`
	Survivor string `json:"survivor,omitempty"`
}

func (a *API) load(ctx context.Context, ref string) (aggregate.Loaded[domain.Patient], details, error) {
	if _, err := events.ParseID(ref); err != nil {
		return aggregate.Loaded[domain.Patient]{}, details{}, httpkit.Errorf(httpkit.KindNotFound, "no such patient")
	}
	l, err := a.repo.Load(ctx, ref)
	if err == nil && l.Version == 0 {
		err = httpkit.Errorf(httpkit.KindNotFound, "no such patient")
	}
	if err != nil {
		return l, details{}, err
	}
	d, ok, err := a.details.byRef(ctx, ref)
	if err == nil && !ok {
		err = errors.New("patient has events but no details row")
	}
	return l, d, err
}

type changeDetailsRequest struct {
	GivenName   *string `json:"givenName"`
	FamilyName  *string `json:"familyName"`
	BirthDate   *string `json:"birthDate"`
	TraceStatus *string `json:"traceStatus"`
}

// changeDetails applies a partial update of personal details and trace
// status; the event names which fields changed, the table holds the values.
func (a *API) changeDetails(w http.ResponseWriter, r *http.Request) {
	var req changeDetailsRequest
	a.change(w, r, policy.ChangeDetails, &req, func(_ context.Context, cur aggregate.Loaded[domain.Patient], next *details, _ *policy.Patient) (aggregate.Decide[domain.Patient], error) {
		d := *next
		var changed []string
		given, family, birth := d.GivenName, d.FamilyName, d.BirthDate.Format(time.DateOnly)
		if req.GivenName != nil {
			given = *req.GivenName
		}
		if req.FamilyName != nil {
			family = *req.FamilyName
		}
		if req.BirthDate != nil {
			birth = *req.BirthDate
		}
		var err error
		next.GivenName, next.FamilyName, next.BirthDate, err = validPerson(given, family, birth, a.now())
		if err != nil {
			return nil, err
		}
		if next.GivenName != d.GivenName {
			changed = append(changed, "givenName")
		}
		if next.FamilyName != d.FamilyName {
			changed = append(changed, "familyName")
		}
		if !next.BirthDate.Equal(d.BirthDate) {
			changed = append(changed, "birthDate")
		}
		trace := cur.State.TraceStatus
		if req.TraceStatus != nil {
			trace = patients.TraceStatus(*req.TraceStatus)
		}
		return func(s domain.Patient, v int64) ([]events.Data, error) {
			demo, err := domain.ChangeDemographics(changed)(s, v)
			if err != nil {
				return nil, err
			}
			tr, err := domain.ChangeTraceStatus(trace)(s, v)
			return append(demo, tr...), err
		}, nil
	})
}

type changePracticeRequest struct {
	Practice string `json:"practice"`
}

func (a *API) changePractice(w http.ResponseWriter, r *http.Request) {
	var req changePracticeRequest
	a.change(w, r, policy.ChangePractice, &req, func(context.Context, aggregate.Loaded[domain.Patient], *details, *policy.Patient) (aggregate.Decide[domain.Patient], error) {
		p, ok := a.directory.Practice(req.Practice)
		if !ok {
			return nil, httpkit.Invalid("practice", "is not a practice in the directory")
		}
		return domain.ChangePractice(domain.ChangePracticeCmd{Practice: p.ODS, PCN: p.PCN}), nil
	})
}

type mergeRequest struct {
	Survivor string `json:"survivor"`
}

func (a *API) merge(w http.ResponseWriter, r *http.Request) {
	var req mergeRequest
	a.change(w, r, policy.Merge, &req, func(ctx context.Context, _ aggregate.Loaded[domain.Patient], _ *details, facts *policy.Patient) (aggregate.Decide[domain.Patient], error) {
		s, _, err := a.load(ctx, req.Survivor)
		if httpkit.KindOf(err) == httpkit.KindNotFound {
			return nil, httpkit.Invalid("survivor", "is not a registered patient")
		}
		if err != nil {
			return nil, err
		}
		if s.State.Status == domain.StatusMerged {
			return nil, httpkit.Invalid("survivor", "was itself merged into "+s.State.Survivor+"; merge into that one")
		}
		facts.SurvivorPCN = s.State.PCN
		return domain.Merge(req.Survivor), nil
	})
}

// change runs a change request on the current details, if the caller may
// do action to the patient: decide may alter the details it is given, and
// the altered row commits with the events; it fills in the facts the
// request brings (a survivor's PCN), and the policy is
// asked on the state the decision is made on, in the transaction.
func (a *API) change(w http.ResponseWriter, r *http.Request, action policy.Action, req any,
	decide func(ctx context.Context, cur aggregate.Loaded[domain.Patient], d *details, facts *policy.Patient) (aggregate.Decide[domain.Patient], error)) {
	ref := r.PathValue("patient")
	cur, before, err := a.load(r.Context(), ref)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	after := before
	var basis access.Basis
	a.commands(&after).Change(w, r, ref, service.Command[domain.Patient]{
		Body: req,
		Decide: func(ctx context.Context, _ aggregate.Meta) (aggregate.Decide[domain.Patient], error) {
			var facts policy.Patient
			inner, err := decide(ctx, cur, &after, &facts)
			if err != nil {
				return nil, err
			}
			return func(s domain.Patient, version int64) ([]events.Data, error) {
				facts.PCN = s.PCN
				d, err := a.authorize(r, action, facts)
				if err != nil {
					return nil, err
				}
				basis = d.Basis
				return inner(s, version)
			}, nil
		},
		Basis: func() access.Basis { return basis },
		Also: func(ctx context.Context, tx pgx.Tx, _ aggregate.Loaded[domain.Patient]) error {
			if after == before {
				return nil
			}
			return a.details.update(ctx, tx, after)
		},
	})
}

// authorize asks the policy whether the request's caller may do action to
// the patient: the decision, or a 403 naming the reason (401 if the
// request was not authenticated).
func (a *API) authorize(r *http.Request, action policy.Action, facts policy.Patient) (policy.Decision, error) {
	p, ok := auth.From(r.Context())
	if !ok {
		_, err := auth.ActorFrom(r)
		return policy.Decision{}, err
	}
	d := policy.Decide(p, action, facts)
	if !d.Allowed {
		a.logger.Info("access denied", "request_id", httpkit.RequestID(r.Context()), "sub", p.Subject, "role", p.Role,
			"action", string(action), "reason", d.Reason)
	}
	return d, d.Err()
}

// allowRead asks the policy whether the caller may read patient and puts
// the answer on the patient's trail before anything is answered: true if
// the caller may be served; otherwise the refusal (403, recorded as
// denied) or the failure to record (503) has been written.
func (a *API) allowRead(w http.ResponseWriter, r *http.Request, patient string, action policy.Action, facts policy.Patient) bool {
	d, err := a.authorize(r, action, facts)
	outcome, basis, status, reason := access.Allowed, d.Basis, http.StatusOK, ""
	if httpkit.KindOf(err) == httpkit.KindForbidden {
		if reason, err = breakglass.Override(a.breakGlass, r, []string{patient}, err); err == nil {
			basis = access.BreakGlass
		}
	}
	if err != nil {
		if httpkit.KindOf(err) != httpkit.KindForbidden {
			httpkit.WriteError(w, r, a.logger, err)
			return false
		}
		outcome, basis, status = access.Denied, access.NoBasis, http.StatusForbidden
	}
	rec, rerr := audit.Of(r, audit.Access{Patient: patient, Action: access.Action(action), Basis: basis, Reason: reason, Outcome: outcome, Status: status})
	if rerr == nil {
		rerr = a.audit.Record(r.Context(), rec)
	}
	if rerr != nil {
		err = rerr
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return false
	}
	return true
}

// nhsNumber validates a number at the edge; errors never echo it.
func (a *API) nhsNumber(s string) (string, error) {
	n, err := nhsno.Parse(s)
	if err != nil {
		return "", httpkit.Invalid("nhsNumber", err.Error())
	}
	if !a.cfg.AllowRealNHSNumbers && !nhsno.IsSynthetic(n) {
		return "", httpkit.Invalid("nhsNumber", "this system holds synthetic data only: use a number from the 999 range")
	}
	return n, nil
}

func validPerson(given, family, birth string, now time.Time) (string, string, time.Time, error) {
	given, family = strings.TrimSpace(given), strings.TrimSpace(family)
	if given == "" || len(given) > 100 {
		return "", "", time.Time{}, httpkit.Invalid("givenName", "is required, at most 100 characters")
	}
	if family == "" || len(family) > 100 {
		return "", "", time.Time{}, httpkit.Invalid("familyName", "is required, at most 100 characters")
	}
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return "", "", time.Time{}, httpkit.Invalid("birthDate", "must be a date as YYYY-MM-DD")
	}
	if b.After(now) || b.Year() < 1880 {
		return "", "", time.Time{}, httpkit.Invalid("birthDate", "must be in the past and after 1880")
	}
	return given, family, b, nil
}
