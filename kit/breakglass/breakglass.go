// Package breakglass lets a service honour a break-glass grant. A person
// with no recorded relationship with a patient breaks glass once, at the
// query API (POST /v1/patients/{patient}/break-glass: a stated reason, a
// short time limit, an alert event and an access record); while the grant
// lasts, every service lets that person read its record of the patient, and
// records each read with basis break-glass and the reason.
//
// A service asks the query API about the caller's grant only when its own
// policy has refused a read, forwarding the caller's own bearer token: the
// query API answers for that caller alone, so a service can learn nothing
// about anyone else's grants. Break-glass opens reads only: a change still
// needs a relationship (a coordinator assigns the visit, routes the
// discharge), because a change made in an emergency must rest on someone
// who answers for it.
package breakglass

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
)

// Grant is an unexpired break-glass grant: its holder may read the
// patient's record until Until, for Reason.
type Grant struct {
	Patient string    `json:"patient"`
	Reason  string    `json:"reason"`
	Until   time.Time `json:"until"`
}

// Path is where the query API keeps a patient's break-glass grants: POST
// grants one, GET answers the caller's own.
func Path(patient string) string { return "/v1/patients/" + url.PathEscape(patient) + "/break-glass" }

// Checker says whether the caller of r holds an unexpired grant for
// patient.
type Checker interface {
	Active(r *http.Request, patient string) (Grant, bool, error)
}

// Override lets a person whom a policy refused (refusal, a 403) read the
// record of patients on broken glass: it returns the reason of their grant
// if they hold one for every patient, else refusal, or a 503 if the grants
// cannot be checked now. A nil c honours no grants; a process (the system
// role) never breaks glass.
func Override(c Checker, r *http.Request, patients []string, refusal error) (string, error) {
	p, ok := auth.From(r.Context())
	if c == nil || !ok || p.Role == auth.SystemRole || len(patients) == 0 {
		return "", refusal
	}
	reason := ""
	for _, patient := range patients {
		g, ok, err := c.Active(r, patient)
		if err != nil {
			return "", &httpkit.Error{Kind: httpkit.KindUnavailable, Message: "break-glass grants cannot be checked now; try again", Err: err}
		}
		if !ok {
			return "", refusal
		}
		if reason == "" {
			reason = g.Reason
		}
	}
	return reason, nil
}

// Client asks the query API at Base.
type Client struct {
	base *url.URL
	http *http.Client
}

// ErrUnchecked wraps every failure to ask: the read is neither allowed
// nor refused on it, and the caller should retry.
var ErrUnchecked = errors.New("break-glass grants could not be checked")

// NewClient returns a Client of the query API at base (http or https).
func NewClient(base string, timeout time.Duration) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("break-glass url %q: want the query API's http(s) base URL", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{base: u, http: &http.Client{Timeout: timeout}}, nil
}

// Active asks for the grant of r's caller, with r's own bearer token.
func (c *Client) Active(r *http.Request, patient string) (Grant, bool, error) {
	return c.active(r.Context(), r.Header.Get("Authorization"), patient)
}

func (c *Client) active(ctx context.Context, authorization, patient string) (Grant, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+Path(patient), nil)
	if err != nil {
		return Grant{}, false, fmt.Errorf("%w: %w", ErrUnchecked, err)
	}
	req.Header.Set("Authorization", authorization)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return Grant{}, false, fmt.Errorf("%w: %w", ErrUnchecked, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	if err != nil {
		return Grant{}, false, fmt.Errorf("%w: %w", ErrUnchecked, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		var g Grant
		if err := json.Unmarshal(body, &g); err != nil || g.Patient != patient || g.Reason == "" || g.Until.IsZero() {
			return Grant{}, false, fmt.Errorf("%w: the query API answered an unreadable grant", ErrUnchecked)
		}
		// A grant that lapsed on the way (or by the clocks' skew) is none.
		return g, g.Until.After(time.Now()), nil
	case http.StatusNotFound:
		return Grant{}, false, nil
	}
	return Grant{}, false, fmt.Errorf("%w: the query API answered %d", ErrUnchecked, resp.StatusCode)
}
