package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/patients"
	"github.com/careweave/careweave/kit/aggregate"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/kit/idempotency"
	"github.com/careweave/careweave/kit/nhsno"
	"github.com/careweave/careweave/kit/service"
	"github.com/careweave/careweave/services/patients/internal/domain"
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

func (a *API) register(w http.ResponseWriter, r *http.Request) {
	meta, err := service.CommandMeta(r, a.now())
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	key, err := idempotency.Key(r, true)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	var req registerRequest
	if err := httpkit.DecodeJSON(w, r, &req, 0); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	number, err := a.nhsNumber(req.NHSNumber)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	given, family, birth, err := validPerson(req.GivenName, req.FamilyName, req.BirthDate, meta.Now)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	practice, ok := a.directory.Practice(req.Practice)
	if !ok {
		httpkit.WriteError(w, r, a.logger, httpkit.Invalid("practice", "is not a practice in the directory"))
		return
	}
	ref := events.NewID(meta.Now).String()
	body, _ := json.Marshal(req)
	hash := idempotency.Hash([]byte("register"), body)
	resp, replayed, err := a.idem.Do(r.Context(), "register:"+meta.Actor.ID, key, hash, func(ctx context.Context, tx pgx.Tx) (idempotency.Response, error) {
		// The details row claims the NHS number first: of two concurrent
		// registrations of one number, the second fails here.
		d := details{Patient: ref, NHSNumber: number, GivenName: given, FamilyName: family, BirthDate: birth}
		if err := a.details.insert(ctx, tx, d); err != nil {
			return idempotency.Response{}, err
		}
		l, _, err := a.repo.Execute(ctx, tx, ref, 0, meta, domain.Register(domain.RegisterCmd{
			Ref: ref, Practice: practice.ODS, PCN: practice.PCN, TraceStatus: patients.TraceStatus(req.TraceStatus),
		}))
		if err != nil {
			return idempotency.Response{}, err
		}
		return jsonResponse(http.StatusCreated, view(l, d), map[string]string{"Location": "/v1/patients/" + ref})
	})
	if errors.Is(err, errNumberTaken) {
		err = a.alreadyRegistered(r.Context(), number)
	}
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	idempotency.Write(w, resp, replayed)
}

// alreadyRegistered answers a second registration of a number with the
// reference that holds it, so the caller can use that one.
func (a *API) alreadyRegistered(ctx context.Context, number string) error {
	d, ok, err := a.details.byNumber(ctx, number)
	if err != nil || !ok {
		return errors.Join(err, errNumberTaken)
	}
	return &httpkit.Error{Kind: httpkit.KindConflict, Message: "this NHS number is already registered as patient " + d.Patient,
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
			httpkit.WriteJSON(w, http.StatusOK, resolved{Patient: l.State.Ref, Practice: l.State.Practice, PCN: l.State.PCN})
			return
		}
		ref = l.State.Survivor
	}
	httpkit.WriteError(w, r, a.logger, errors.New("merge chain longer than 8"))
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	l, d, err := a.load(r.Context(), r.PathValue("patient"))
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	w.Header().Set("ETag", httpkit.ETag(l.Version))
	httpkit.WriteJSON(w, http.StatusOK, view(l, d))
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
	a.change(w, r, &req, func(ctx context.Context, tx pgx.Tx, cur aggregate.Loaded[domain.Patient], d details) (aggregate.Decide[domain.Patient], details, error) {
		next := d
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
			return nil, d, err
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
		}, next, nil
	})
}

type changePracticeRequest struct {
	Practice string `json:"practice"`
}

func (a *API) changePractice(w http.ResponseWriter, r *http.Request) {
	var req changePracticeRequest
	a.change(w, r, &req, func(_ context.Context, _ pgx.Tx, _ aggregate.Loaded[domain.Patient], d details) (aggregate.Decide[domain.Patient], details, error) {
		p, ok := a.directory.Practice(req.Practice)
		if !ok {
			return nil, d, httpkit.Invalid("practice", "is not a practice in the directory")
		}
		return domain.ChangePractice(domain.ChangePracticeCmd{Practice: p.ODS, PCN: p.PCN}), d, nil
	})
}

type mergeRequest struct {
	Survivor string `json:"survivor"`
}

func (a *API) merge(w http.ResponseWriter, r *http.Request) {
	var req mergeRequest
	a.change(w, r, &req, func(ctx context.Context, _ pgx.Tx, _ aggregate.Loaded[domain.Patient], d details) (aggregate.Decide[domain.Patient], details, error) {
		s, _, err := a.load(ctx, req.Survivor)
		if httpkit.KindOf(err) == httpkit.KindNotFound {
			return nil, d, httpkit.Invalid("survivor", "is not a registered patient")
		}
		if err != nil {
			return nil, d, err
		}
		if s.State.Status == domain.StatusMerged {
			return nil, d, httpkit.Invalid("survivor", "was itself merged into "+s.State.Survivor+"; merge into that one")
		}
		return domain.Merge(req.Survivor), d, nil
	})
}

// change runs a change request: actor, If-Match, body, decision and the
// details row, all in one transaction; it answers with the new state.
func (a *API) change(w http.ResponseWriter, r *http.Request, req any,
	decide func(ctx context.Context, tx pgx.Tx, cur aggregate.Loaded[domain.Patient], d details) (aggregate.Decide[domain.Patient], details, error)) {
	meta, err := service.CommandMeta(r, a.now())
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	expected, err := httpkit.IfMatch(r)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	if err := httpkit.DecodeJSON(w, r, req, 0); err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	ref := r.PathValue("patient")
	cur, d, err := a.load(r.Context(), ref)
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	resp, _, err := a.idem.Do(r.Context(), "", "", nil, func(ctx context.Context, tx pgx.Tx) (idempotency.Response, error) {
		dec, next, err := decide(ctx, tx, cur, d)
		if err != nil {
			return idempotency.Response{}, err
		}
		l, _, err := a.repo.Execute(ctx, tx, ref, expected, meta, dec)
		if err != nil {
			return idempotency.Response{}, err
		}
		if next != d {
			if err := a.details.update(ctx, tx, next); err != nil {
				return idempotency.Response{}, err
			}
		}
		return jsonResponse(http.StatusOK, view(l, next), nil)
	})
	if err != nil {
		httpkit.WriteError(w, r, a.logger, err)
		return
	}
	idempotency.Write(w, resp, false)
}

func jsonResponse(status int, v patientView, headers map[string]string) (idempotency.Response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return idempotency.Response{}, err
	}
	if headers == nil {
		headers = map[string]string{}
	}
	headers["ETag"] = httpkit.ETag(v.Version)
	return idempotency.Response{Status: status, Headers: headers, Body: body}, nil
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
