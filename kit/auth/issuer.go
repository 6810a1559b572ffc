package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/httpkit"
)

// Issuer mints tokens for the dev stack and the tests: one Ed25519 key, its
// key set served at /.well-known/jwks.json, and POST /token minting a token
// for whatever principal is asked for. Anyone who can reach it can be
// anyone, so it is never a production identity provider: there, the
// services verify the NHS or ICS provider's tokens (Config).
type Issuer struct {
	url  string
	key  ed25519.PrivateKey
	kid  string
	jwks []byte
}

// NewIssuer returns an issuer whose iss is url, signing with key.
func NewIssuer(url string, key ed25519.PrivateKey) (*Issuer, error) {
	sum := sha256.Sum256(key.Public().(ed25519.PublicKey))
	kid := base64.RawURLEncoding.EncodeToString(sum[:12])
	jwk, err := jwkset.NewJWKFromKey(key.Public(), jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, USE: jwkset.UseSig, ALG: jwkset.AlgEdDSA}})
	if err != nil {
		return nil, fmt.Errorf("issuer key: %w", err)
	}
	jwks, err := json.Marshal(jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{jwk.Marshal()}})
	if err != nil {
		return nil, err
	}
	return &Issuer{url: url, key: key, kid: kid, jwks: jwks}, nil
}

// NewKey returns a new signing key.
func NewKey() ed25519.PrivateKey {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return key
}

// LoadOrCreateKey reads the PEM (PKCS #8) key at path, or creates one there
// (mode 0600), so the dev stack's tokens outlive a restart.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := NewKey()
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		return key, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: not a PEM file", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 key", path)
	}
	return key, nil
}

// URL is the issuer's iss.
func (i *Issuer) URL() string { return i.url }

// JWKSURL is where it serves its keys.
func (i *Issuer) JWKSURL() string { return i.url + "/.well-known/jwks.json" }

// JWKS is its key set.
func (i *Issuer) JWKS() []byte { return i.jwks }

// MaxTTL bounds a minted token's life.
const MaxTTL = 12 * time.Hour

// Mint returns a token for p, for audience, valid for ttl from now.
func (i *Issuer) Mint(p Principal, audience string, ttl time.Duration) (string, error) {
	if fe := p.valid(); fe != nil {
		return "", errors.New(fe.Reason)
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", fmt.Errorf("ttl %s: want up to %s", ttl, MaxTTL)
	}
	now := time.Now()
	c := claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: i.url, Subject: p.Subject, Audience: jwt.ClaimStrings{audience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)), ID: events.NewID(now).String()},
		Role: p.Role, Org: p.Org, PCN: p.PCN, Team: p.Team}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = i.kid
	return t.SignedString(i.key)
}

// TokenRequest asks the issuer's POST /token for a token.
type TokenRequest struct {
	Principal
	// TTL is how long it lasts (Go duration, default 1h, at most MaxTTL).
	TTL string `json:"ttl,omitempty"`
}

// TokenResponse is what POST /token answers (RFC 6749 §5.1 names).
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// Handler serves the key set, a minimal OpenID discovery document, and
// POST /token for audience.
func (i *Issuer) Handler(audience string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(i.jwks)
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		httpkit.WriteJSON(w, http.StatusOK, map[string]any{"issuer": i.url, "jwks_uri": i.JWKSURL(), "token_endpoint": i.url + "/token",
			"id_token_signing_alg_values_supported": []string{"EdDSA"}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			i.clientCredentials(w, r, audience)
			return
		}
		var req TokenRequest
		if err := httpkit.DecodeJSON(w, r, &req, 4<<10); err != nil {
			httpkit.WriteError(w, r, slog.Default(), err)
			return
		}
		ttl := time.Hour
		if req.TTL != "" {
			d, err := time.ParseDuration(req.TTL)
			if err != nil || d <= 0 || d > MaxTTL {
				httpkit.WriteError(w, r, slog.Default(), httpkit.Invalid("ttl", "must be a duration up to "+MaxTTL.String()))
				return
			}
			ttl = d
		}
		req.TokenID = ""
		tok, err := i.Mint(req.Principal, audience, ttl)
		if err != nil {
			httpkit.WriteError(w, r, slog.Default(), httpkit.Invalid("sub", err.Error()))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		httpkit.WriteJSON(w, http.StatusOK, TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(ttl.Seconds())})
	})
	return mux
}

// SystemRole is the role a Careweave process acts in when it calls another.
const SystemRole = "system"

// clientCredentials answers an OAuth 2.0 client credentials request (RFC
// 6749 §4.4) from a Careweave process: a token for the client id acting as
// SystemRole. Any secret is accepted: this issuer is for development.
func (i *Issuer) clientCredentials(w http.ResponseWriter, r *http.Request, audience string) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		httpkit.WriteError(w, r, slog.Default(), httpkit.Invalid("grant_type", "must be client_credentials"))
		return
	}
	if aud := r.PostForm.Get("audience"); aud != "" && aud != audience {
		httpkit.WriteError(w, r, slog.Default(), httpkit.Invalid("audience", "this issuer mints tokens for "+audience+" only"))
		return
	}
	const ttl = time.Hour
	tok, err := i.Mint(Principal{Subject: r.PostForm.Get("client_id"), Role: SystemRole, Org: "careweave"}, audience, ttl)
	if err != nil {
		httpkit.WriteError(w, r, slog.Default(), httpkit.Invalid("client_id", err.Error()))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(ttl.Seconds())})
}
