package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/httpkit"
	"github.com/careweave/careweave/tools/internal/stackenv"
)

// tokenRoles are the roles a token may carry: the directory's clinical
// roles, and the role Careweave's own processes act in.
var tokenRoles = []string{
	string(directory.RoleCareCoordinator), string(directory.RoleGP), string(directory.RoleParamedic),
	string(directory.RoleAdvancedPractitioner), string(directory.RoleDistrictNurse), string(directory.RolePharmacist),
	string(directory.RoleCommunityNurse), string(directory.RoleSocialWorker), string(directory.RoleDischargeCoordinator),
	auth.SystemRole,
}

// tokenRequestTimeout bounds the call to the issuer.
const tokenRequestTimeout = 10 * time.Second

// tokenFlags are who the token is asked for.
type tokenFlags struct {
	role, sub, clinician, org, pcn, team string
}

// tokenCmd asks the development issuer for a bearer token and prints it,
// alone, so a shell can capture it:
//
//	curl -H "Authorization: Bearer $(carectl token -role paramedic -clinician para-jess-patel)" ...
func tokenCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("carectl token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: carectl token -role <role> -sub <id> [-org <ods>] [-pcn <ods>] [-team <id>] [-ttl 1h]\n"+
			"       carectl token -clinician <id> [-role <role>] ...\n\n"+
			"Prints a bearer token from the development token issuer (POST <issuer>/token), for\n"+
			"curl -H \"Authorization: Bearer $(carectl token ...)\". The directory fills the role, org,\n"+
			"PCN and team of a clinician or team it knows.\n\nRoles: %s.\n\nFlags:\n", strings.Join(tokenRoles, ", "))
		fs.PrintDefaults()
	}
	b := config.NewBinder(fs, getenv)
	var issuer, stackEnv, dirFile string
	b.String(&issuer, "issuer", "AUTH_ISSUER", "", "the development token issuer's URL (default: AUTH_ISSUER from -stack-env)")
	bindStackEnv(b, &stackEnv)
	b.String(&dirFile, "directory", "DIRECTORY_FILE", "", "the directory of clinicians and teams the defaults come from (default: the embedded demo directory)")
	var f tokenFlags
	var ttl time.Duration
	fs.StringVar(&f.role, "role", "", "what they act as (default: a known clinician's role in the directory)")
	fs.StringVar(&f.sub, "sub", "", "who the token is for: their directory id (the token's sub)")
	fs.StringVar(&f.clinician, "clinician", "", "a clinician in the directory, as the token's sub (instead of -sub)")
	fs.StringVar(&f.org, "org", "", "their organisation's ODS code or id (default: a known clinician's, or their team's)")
	fs.StringVar(&f.pcn, "pcn", "", "the PCN they work for (default: from their organisation or team)")
	fs.StringVar(&f.team, "team", "", "the community team they work in (default: a known clinician's team)")
	fs.DurationVar(&ttl, "ttl", time.Hour, "how long the token lasts, at most "+auth.MaxTTL.String())
	if err := b.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if ttl <= 0 || ttl > auth.MaxTTL {
		return usageError{fmt.Errorf("-ttl %s: want more than 0 and at most %s", ttl, auth.MaxTTL)}
	}
	dir, err := directory.Load(dirFile)
	if err != nil {
		return err
	}
	p, note, err := f.principal(dir)
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintf(stderr, "carectl token: note: %s\n", note)
	}
	if issuer == "" {
		if issuer, err = issuerFromStackEnv(stackEnv); err != nil {
			return err
		}
	}
	if u, err := url.Parse(issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError{fmt.Errorf("issuer %q is not an absolute http(s) URL", issuer)}
	}
	token, err := requestToken(ctx, issuer, auth.TokenRequest{Principal: p, TTL: ttl.String()})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}

// principal is who the flags ask for, with what the directory knows of the
// clinician and their team filled in where a flag left it empty; note
// says when a flag contradicts the directory.
func (f tokenFlags) principal(dir *directory.Directory) (p auth.Principal, note string, err error) {
	p = auth.Principal{Subject: f.sub, Role: f.role, Org: f.org, PCN: f.pcn, Team: f.team}
	c, known := dir.Clinician(f.clinician)
	switch {
	case f.clinician != "" && !known:
		return p, "", usageError{fmt.Errorf("-clinician %q is not a clinician in the directory (use -sub for anyone else)", f.clinician)}
	case f.clinician != "" && f.sub != "" && f.sub != f.clinician:
		return p, "", usageError{fmt.Errorf("-sub %q and -clinician %q name different people", f.sub, f.clinician)}
	case f.clinician != "":
		p.Subject = f.clinician
	case f.sub == "":
		return p, "", usageError{errors.New("-sub (or -clinician) is required: the directory id of who the token is for")}
	default:
		c, known = dir.Clinician(f.sub)
	}
	if known {
		if p.Role == "" {
			p.Role = string(c.Role)
		} else if p.Role != string(c.Role) {
			note = fmt.Sprintf("the directory has %s as %s, not %s", c.ID, c.Role, p.Role)
		}
		if _, isTeam := dir.Team(c.Org); isTeam && p.Team == "" {
			p.Team = c.Org
		}
		if p.Org == "" && validOrg(c.Org) {
			p.Org = c.Org
		}
	}
	if p.Role == "" {
		return p, "", usageError{fmt.Errorf("-role is required for %s, who is not in the directory: one of %s", p.Subject, strings.Join(tokenRoles, ", "))}
	}
	if !slices.Contains(tokenRoles, p.Role) {
		return p, "", usageError{fmt.Errorf("unknown role %q: want one of %s", p.Role, strings.Join(tokenRoles, ", "))}
	}
	if p.Team != "" {
		t, ok := dir.Team(p.Team)
		if !ok {
			return p, "", usageError{fmt.Errorf("-team %q is not a community team in the directory", p.Team)}
		}
		if p.Org == "" && validOrg(t.ID) {
			p.Org = t.ID
		}
		if p.PCN == "" && len(t.Areas) == 1 {
			p.PCN = t.Areas[0]
		}
	}
	if p.PCN == "" {
		if _, ok := dir.PCN(p.Org); ok {
			p.PCN = p.Org
		} else if pr, ok := dir.Practice(p.Org); ok {
			p.PCN = pr.PCN
		}
	}
	return p, note, nil
}

// validOrg reports whether an organisation from the directory fits the
// actor org every event records (a team id may be too long to).
func validOrg(org string) bool {
	return (&events.Envelope{ActorID: "x", ActorRole: "x", ActorOrg: org}).ValidateActor() == nil
}

// issuerFromStackEnv reads AUTH_ISSUER from the file make run writes.
func issuerFromStackEnv(path string) (string, error) {
	env, err := stackenv.Read(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", usageError{fmt.Errorf("set -issuer (or AUTH_ISSUER), or start the dev stack with make run, which writes %s", path)}
	}
	if err != nil {
		return "", err
	}
	if env["AUTH_ISSUER"] == "" {
		return "", usageError{fmt.Errorf("%s does not name AUTH_ISSUER: restart make run, or set -issuer", path)}
	}
	return env["AUTH_ISSUER"], nil
}

// requestToken asks the issuer's POST /token for a token.
func requestToken(ctx context.Context, issuer string, req auth.TokenRequest) (string, error) {
	endpoint := strings.TrimSuffix(issuer, "/") + "/token"
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, tokenRequestTimeout)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return "", fmt.Errorf("ask %s for a token (is the dev stack running?): %w", endpoint, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read the answer of %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s answered %s%s", endpoint, resp.Status, problemText(raw))
	}
	var tr auth.TokenResponse
	if err := json.Unmarshal(raw, &tr); err != nil || tr.AccessToken == "" {
		return "", fmt.Errorf("%s answered without an access_token", endpoint)
	}
	return tr.AccessToken, nil
}

// problemText is what a problem+json answer says was wrong, or nothing.
func problemText(raw []byte) string {
	var p httpkit.Problem
	if err := json.Unmarshal(raw, &p); err != nil {
		return ""
	}
	var s string
	switch {
	case p.Detail != "":
		s = ": " + p.Detail
	case p.Title != "" && p.Title != http.StatusText(p.Status):
		s = ": " + p.Title
	}
	for _, fe := range p.Errors {
		s += "; " + fe.Field + ": " + fe.Reason
	}
	return s
}
