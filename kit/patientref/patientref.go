// Package patientref is how a care service learns who a patient is: it asks
// the patient registry, the one place that issues references. A request may
// name the patient by reference or by NHS number; either way the service
// gets the registry's reference, practice and PCN, following merges to the
// surviving record. The NHS number is sent in a POST body, never in a URL.
package patientref

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/careweave/careweave/kit/httpkit"
)

// Registration is where a reference is registered.
type Registration struct {
	Patient  string `json:"patient"`
	Status   string `json:"status"`
	Practice string `json:"practice"`
	PCN      string `json:"pcn"`
	Survivor string `json:"survivor,omitempty"`
}

// Client asks one registry.
type Client struct {
	base string
	hc   *http.Client
}

// Timeout bounds one call to the registry.
const Timeout = 5 * time.Second

// New returns a client of the registry at baseURL (PATIENTS_URL) that calls
// it with hc, which authenticates the calls (auth.ClientConfig.HTTPClient).
func New(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("patient registry url %q: want http(s)://host:port", baseURL)
	}
	if hc == nil {
		return nil, fmt.Errorf("patient registry client: no HTTP client")
	}
	return &Client{base: u.String(), hc: hc}, nil
}

// Patient resolves a request's patient, given as exactly one of a
// reference or an NHS number. Failures are httpkit errors naming the field
// ("patient" or "nhsNumber"); an unreachable registry is a 503.
func (c *Client) Patient(ctx context.Context, ref, nhsNumber string) (Registration, error) {
	switch {
	case ref != "" && nhsNumber != "":
		return Registration{}, httpkit.Invalid("patient", "give the patient reference or the NHS number, not both")
	case ref != "":
		return c.Registration(ctx, ref)
	case nhsNumber != "":
		return c.Resolve(ctx, nhsNumber)
	default:
		return Registration{}, httpkit.Invalid("patient", "is required: a patient reference, or nhsNumber")
	}
}

// Resolve maps an NHS number to its registration.
func (c *Client) Resolve(ctx context.Context, nhsNumber string) (Registration, error) {
	body, _ := json.Marshal(map[string]string{"nhsNumber": nhsNumber})
	var reg Registration
	status, problem, err := c.call(ctx, http.MethodPost, "/v1/patients/resolve", body, &reg)
	switch {
	case err != nil:
		return reg, err
	case status == http.StatusOK:
		return reg, nil
	case status == http.StatusNotFound:
		return reg, httpkit.Invalid("nhsNumber", "no patient is registered with this NHS number: register them first")
	case status == http.StatusBadRequest && len(problem.Errors) > 0:
		return reg, httpkit.Invalid("nhsNumber", problem.Errors[0].Reason)
	default:
		return reg, unavailable(fmt.Errorf("resolve: registry answered %d", status))
	}
}

// Registration returns a reference's registration, following merges.
func (c *Client) Registration(ctx context.Context, ref string) (Registration, error) {
	for hops := 0; hops < 8; hops++ {
		var reg Registration
		status, _, err := c.call(ctx, http.MethodGet, "/v1/patients/"+url.PathEscape(ref)+"/registration", nil, &reg)
		switch {
		case err != nil:
			return reg, err
		case status == http.StatusNotFound:
			return reg, httpkit.Invalid("patient", "is not a registered patient reference")
		case status != http.StatusOK:
			return reg, unavailable(fmt.Errorf("registration: registry answered %d", status))
		case reg.Status == "merged" && reg.Survivor != "":
			ref = reg.Survivor
			continue
		}
		return reg, nil
	}
	return Registration{}, errors.New("registration: merge chain longer than 8")
}

func (c *Client) call(ctx context.Context, method, path string, body []byte, out any) (int, httpkit.Problem, error) {
	var problem httpkit.Problem
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, problem, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if id := httpkit.RequestID(ctx); id != "" {
		req.Header.Set("X-Request-Id", id)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, problem, unavailable(err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20))
	if resp.StatusCode == http.StatusOK {
		if err := dec.Decode(out); err != nil {
			return 0, problem, unavailable(fmt.Errorf("decode registry answer: %w", err))
		}
	} else {
		_ = dec.Decode(&problem)
	}
	return resp.StatusCode, problem, nil
}

func unavailable(err error) error {
	return &httpkit.Error{Kind: httpkit.KindUnavailable, Message: "the patient registry cannot be reached; retry shortly", Err: err}
}
