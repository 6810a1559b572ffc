package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/careweave/careweave/kit/httpkit"
)

// Algorithms are the only signing algorithms accepted: asymmetric ones, so
// no shared secret exists to leak, and never "none".
var Algorithms = []string{"RS256", "ES256", "EdDSA"}

// Config says whose tokens are accepted.
type Config struct {
	// Issuer is the iss every token must carry (e.g. the OpenID provider's
	// URL); Audience the aud it must include (the Careweave APIs').
	Issuer, Audience string
	// JWKSURL is where the issuer publishes its keys.
	JWKSURL string
	// Leeway tolerates clock skew on exp and nbf (default 30 s, at most 5 min).
	Leeway time.Duration
	// Client fetches the keys (default: a client with a 10 s timeout).
	Client *http.Client
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.Issuer == "" {
		errs = append(errs, errors.New("auth issuer is required (AUTH_ISSUER)"))
	}
	if c.Audience == "" {
		errs = append(errs, errors.New("auth audience is required (AUTH_AUDIENCE)"))
	}
	if u, err := url.Parse(c.JWKSURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, errors.New("auth JWKS URL must be an absolute http(s) URL (AUTH_JWKS_URL)"))
	}
	if c.Leeway < 0 || c.Leeway > 5*time.Minute {
		errs = append(errs, errors.New("auth leeway: want 0 to 5m"))
	}
	return errors.Join(errs...)
}

// Verifier checks bearer tokens.
type Verifier struct {
	keys   jwt.Keyfunc
	parser *jwt.Parser
	logger *slog.Logger
}

// NewVerifier returns a verifier that fetches the issuer's keys now (an
// unreachable issuer is logged, not fatal: tokens fail until it answers)
// and again hourly, or sooner when a token names a key it has not seen,
// until ctx ends.
func NewVerifier(ctx context.Context, cfg Config, logger *slog.Logger) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	k, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{cfg.JWKSURL}, keyfunc.Override{
		Client: client,
		RefreshErrorHandlerFunc: func(string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				logger.WarnContext(ctx, "fetching the token issuer's keys failed", "err", err)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth keys: %w", err)
	}
	return newVerifier(k.Keyfunc, cfg, logger), nil
}

// NewStaticVerifier returns a verifier for a fixed key set (JWKS JSON).
func NewStaticVerifier(cfg Config, jwks []byte, logger *slog.Logger) (*Verifier, error) {
	k, err := keyfunc.NewJWKSetJSON(json.RawMessage(jwks))
	if err != nil {
		return nil, fmt.Errorf("auth keys: %w", err)
	}
	return newVerifier(k.Keyfunc, cfg, logger), nil
}

func newVerifier(keys jwt.Keyfunc, cfg Config, logger *slog.Logger) *Verifier {
	leeway := cfg.Leeway
	if leeway == 0 {
		leeway = 30 * time.Second
	}
	return &Verifier{
		keys: func(t *jwt.Token) (any, error) {
			// Every key is named: a token without kid would make the key
			// set try each key in turn.
			if kid, _ := t.Header["kid"].(string); kid == "" {
				return nil, errNoKeyID
			}
			return keys(t)
		},
		parser: jwt.NewParser(jwt.WithValidMethods(Algorithms), jwt.WithIssuer(cfg.Issuer), jwt.WithAudience(cfg.Audience),
			jwt.WithExpirationRequired(), jwt.WithLeeway(leeway), jwt.WithIssuedAt()),
		logger: logger,
	}
}

var errNoKeyID = errors.New("token header has no kid")

// claims are the token's registered claims and Careweave's own.
type claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
	Org  string `json:"org"`
	PCN  string `json:"pcn"`
	Team string `json:"team"`
}

// Verify checks a token and returns who it is for. The error is a 401
// problem whose reason says what was wrong, without echoing the token.
func (v *Verifier) Verify(ctx context.Context, token string) (Principal, error) {
	var c claims
	if _, err := v.parser.ParseWithClaims(token, &c, v.keys); err != nil {
		return Principal{}, unauthorized(reason(err))
	}
	p := Principal{Subject: c.Subject, Role: c.Role, Org: c.Org, PCN: c.PCN, Team: c.Team, TokenID: c.ID}
	if fe := p.valid(); fe != nil {
		return Principal{}, &httpkit.Error{Kind: httpkit.KindUnauthorized, Message: "the caller is not authenticated", Fields: []httpkit.FieldError{*fe}}
	}
	return p, nil
}

// reason turns a verification error into a short, fixed phrase.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "token is malformed"
	case errors.Is(err, errNoKeyID):
		return "token header has no key id (kid)"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable), errors.Is(err, keyfunc.ErrKeyfunc):
		return "token signature does not verify with the issuer's keys (algorithm " + strings.Join(Algorithms, ", ") + " and a known kid required)"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "token is not valid yet"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "token was issued in the future"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "token is not for this audience"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "token is from another issuer"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "token lacks a required claim (exp)"
	}
	return "token is not valid"
}

// Public are the paths served without a token: probes, the relay's status,
// metrics and the API description, none of which holds patient data.
var Public = []string{"/healthz", "/readyz", "/relayz", "/openapi.json", "/metrics"}

// Middleware authenticates every request but those to Public paths: a
// missing or bad token is answered 401 with a problem naming the reason and
// a WWW-Authenticate challenge (RFC 6750); a good one puts its Principal in
// the request's context.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range Public {
			if r.URL.Path == p {
				next.ServeHTTP(w, r)
				return
			}
		}
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="careweave"`)
			httpkit.WriteError(w, r, v.logger, unauthorized("a bearer token is required (Authorization: Bearer <token>)"))
			return
		}
		p, err := v.Verify(r.Context(), strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="careweave", error="invalid_token"`)
			httpkit.WriteError(w, r, v.logger, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), p)))
	})
}
