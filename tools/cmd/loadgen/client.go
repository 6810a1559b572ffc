package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/directory"
)

// client calls the stack's APIs, each call as one of the simulated people,
// with the token the development issuer minted for them.
type client struct {
	cfg    Config
	http   *http.Client
	tokens map[string]string // directory id → bearer token
}

// response is what a command or query answered.
type response struct {
	Status  int
	Version int64 // the ETag: the aggregate's version after the command
	Body    map[string]any
	Raw     []byte
}

func newClient(cfg Config) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 4 * cfg.Workers
	tr.MaxIdleConnsPerHost = 2*cfg.Workers + cfg.SetupWorkers
	return &client{cfg: cfg, http: &http.Client{Transport: tr, Timeout: cfg.Timeout}, tokens: map[string]string{}}
}

// principal is who a directory member's token says they are: role, org,
// PCN and team from the directory, as carectl token fills them.
func principal(dir *directory.Directory, id string) (auth.Principal, error) {
	c, ok := dir.Clinician(id)
	if !ok {
		return auth.Principal{}, fmt.Errorf("%s is not a clinician in the directory", id)
	}
	p := auth.Principal{Subject: c.ID, Role: string(c.Role)}
	if t, isTeam := dir.Team(c.Org); isTeam {
		p.Team = t.ID
		if len(t.Areas) == 1 {
			p.PCN = t.Areas[0]
		}
	}
	if (&events.Envelope{ActorID: "x", ActorRole: "x", ActorOrg: c.Org}).ValidateActor() == nil {
		p.Org = c.Org
	}
	if _, ok := dir.PCN(c.Org); ok {
		p.PCN = c.Org
	} else if pr, ok := dir.Practice(c.Org); ok {
		p.PCN = pr.PCN
	}
	return p, nil
}

// login asks the issuer's POST /token for a token for each person.
func (c *client) login(ctx context.Context, dir *directory.Directory, ids []string, ttl time.Duration) error {
	ttl = min(ttl, auth.MaxTTL)
	for _, id := range ids {
		p, err := principal(dir, id)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(auth.TokenRequest{Principal: p, TTL: ttl.String()})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.cfg.Issuer, "/")+"/token", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("ask the token issuer %s for a token: %w (is make run up?)", c.cfg.Issuer, err)
		}
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		var tr auth.TokenResponse
		if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &tr) != nil || tr.AccessToken == "" {
			return fmt.Errorf("token issuer answered %d for %s: %s", resp.StatusCode, id, raw)
		}
		c.tokens[id] = tr.AccessToken
	}
	return nil
}

// do sends one request as who. key and ifMatch are left out when empty.
func (c *client) do(ctx context.Context, service, method, path, who string, key string, ifMatch int64, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL(service)+path, rd)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok, ok := c.tokens[who]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if ifMatch > 0 {
		req.Header.Set("If-Match", `"`+strconv.FormatInt(ifMatch, 10)+`"`)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return response{}, err
	}
	r := response{Status: resp.StatusCode, Raw: raw}
	if et := strings.Trim(strings.TrimPrefix(resp.Header.Get("ETag"), "W/"), `"`); et != "" {
		r.Version, _ = strconv.ParseInt(et, 10, 64)
	}
	if resp.StatusCode/100 == 2 && len(raw) > 0 && raw[0] == '{' {
		_ = json.Unmarshal(raw, &r.Body)
	}
	return r, nil
}

// getJSON reads a GET answer into out; a non-200 is an error.
func (c *client) getJSON(ctx context.Context, service, path, who string, out any) error {
	r, err := c.do(ctx, service, http.MethodGet, path, who, "", 0, nil)
	if err != nil {
		return err
	}
	if r.Status != http.StatusOK {
		return &statusError{status: r.Status, body: string(r.Raw)}
	}
	return json.Unmarshal(r.Raw, out)
}

// statusError is an unexpected HTTP status; its body is a problem+json,
// which never holds an NHS number.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.status, strings.TrimSpace(e.body))
}
