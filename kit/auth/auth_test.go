package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/careweave/careweave/kit/auth"
	"github.com/careweave/careweave/kit/httpkit"
)

const audience = "careweave"

var paramedic = auth.Principal{Subject: "para-jess-patel", Role: "paramedic", Org: "U84001", PCN: "U84001"}

// keys is an issuer whose key set also holds an RSA and an EC key, served
// over HTTP as an identity provider would.
type keys struct {
	issuer *auth.Issuer
	rsa    *rsa.PrivateKey
	ec     *ecdsa.PrivateKey
	srv    *httptest.Server
}

func newKeys(t *testing.T) *keys {
	t.Helper()
	k := &keys{}
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	var jwks []byte
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(jwks) }))
	t.Cleanup(k.srv.Close)
	if k.issuer, err = auth.NewIssuer(k.srv.URL, auth.NewKey()); err != nil {
		t.Fatal(err)
	}
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(k.issuer.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key any
		kid string
		alg jwkset.ALG
	}{{&k.rsa.PublicKey, "rsa-1", jwkset.AlgRS256}, {&k.ec.PublicKey, "ec-1", jwkset.AlgES256}} {
		jwk, err := jwkset.NewJWKFromKey(c.key, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: c.kid, ALG: c.alg, USE: jwkset.UseSig}})
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	if jwks, err = json.Marshal(set); err != nil {
		t.Fatal(err)
	}
	return k
}

func (k *keys) verifier(t *testing.T) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(t.Context(), auth.Config{Issuer: k.srv.URL, Audience: audience, JWKSURL: k.srv.URL}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// claims are a good token's claims, changed by change.
func (k *keys) claims(change func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"iss": k.srv.URL, "aud": audience, "sub": paramedic.Subject, "role": paramedic.Role, "org": paramedic.Org, "pcn": paramedic.PCN,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "t-1"}
	if change != nil {
		change(c)
	}
	return c
}

func sign(t *testing.T, method jwt.SigningMethod, kid string, c jwt.Claims, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// issuerKid is the kid the issuer signs with.
func (k *keys) issuerKid(t *testing.T) string {
	tok, err := k.issuer.Mint(paramedic, audience, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Header["kid"].(string)
}

func TestTokensAreVerifiedAsAnAttackerWouldTryThem(t *testing.T) {
	k := newKeys(t)
	v := k.verifier(t)
	kid := k.issuerKid(t)
	minted, err := k.issuer.Mint(paramedic, audience, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rsaPublicPEM := func() []byte {
		der, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()
	none := func(c jwt.Claims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, c)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tampered := func() string {
		parts := strings.Split(minted, ".")
		payload, err := jwt.NewParser().DecodeSegment(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		forged := strings.Replace(string(payload), `"role":"paramedic"`, `"role":"care-coordinator"`, 1)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2]
	}
	other := auth.NewKey()
	for _, c := range []struct {
		name, token, reason string
	}{
		{"minted by the issuer (EdDSA)", minted, ""},
		{"RS256 from the key set", sign(t, jwt.SigningMethodRS256, "rsa-1", k.claims(nil), k.rsa), ""},
		{"ES256 from the key set", sign(t, jwt.SigningMethodES256, "ec-1", k.claims(nil), k.ec), ""},
		{"expired", sign(t, jwt.SigningMethodRS256, "rsa-1", k.claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() }), k.rsa), "expired"},
		{"not yet valid", sign(t, jwt.SigningMethodRS256, "rsa-1", k.claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(10 * time.Minute).Unix() }), k.rsa), "not valid yet"},
		{"issued in the future", sign(t, jwt.SigningMethodRS256, "rsa-1", k.claims(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(10 * time.Minute).Unix() }), k.rsa), "issued in the future"},
		{"wrong audience", sign(t, jwt.SigningMethodRS256, "rsa-1", k.claims(func(c jwt.MapClaims) { c["aud"] = "another-api" }), k.rsa), "audience"},
		{"wrong issuer", sign(t, jwt.SigningMethodRS256, "rsa-1", k.claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), k.rsa), "another issuer"},
		{"no expiry", sign(t, jwt.SigningMethodRS256, "rsa-1", k.claims(func(c jwt.MapClaims) { delete(c, "exp") }), k.rsa), "exp"},
		{"no role", sign(t, jwt.SigningMethodRS256, "rsa-1", k.claims(func(c jwt.MapClaims) { delete(c, "role") }), k.rsa), "no sub or no role"},
		{"unsigned (alg none)", none(k.claims(nil)), "signature"},
		{"HS256 keyed with the RSA public key", sign(t, jwt.SigningMethodHS256, "rsa-1", k.claims(nil), rsaPublicPEM), "signature"},
		{"re-signed with another key under the issuer's kid", sign(t, jwt.SigningMethodEdDSA, kid, k.claims(nil), other), "signature"},
		{"signed with an unknown key", sign(t, jwt.SigningMethodEdDSA, "who-knows", k.claims(nil), other), "signature"},
		{"RS256 naming the EdDSA key", sign(t, jwt.SigningMethodRS256, kid, k.claims(nil), k.rsa), "signature"},
		{"no kid", sign(t, jwt.SigningMethodRS256, "", k.claims(nil), k.rsa), "kid"},
		{"payload changed after signing", tampered(), "signature"},
		{"not a JWT", "not-a-token", "malformed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := v.Verify(t.Context(), c.token)
			if c.reason == "" {
				if err != nil || p.Subject != paramedic.Subject || p.Role != paramedic.Role || p.Org != paramedic.Org || p.PCN != paramedic.PCN {
					t.Fatalf("Verify = %+v, %v; want the paramedic", p, err)
				}
				return
			}
			var he *httpkit.Error
			if !errors.As(err, &he) || he.Kind != httpkit.KindUnauthorized || len(he.Fields) != 1 || !strings.Contains(he.Fields[0].Reason, c.reason) {
				t.Fatalf("Verify = %+v, %v; want 401 saying %q", p, err, c.reason)
			}
			if strings.Contains(he.Fields[0].Reason, c.token) {
				t.Errorf("the reason echoes the token")
			}
		})
	}
}

func TestEveryRouteButTheProbesNeedsAToken(t *testing.T) {
	k := newKeys(t)
	var seen auth.Principal
	h := k.verifier(t).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = auth.From(r.Context())
		w.WriteHeader(http.StatusNoContent)
	}))
	minted, err := k.issuer.Mint(paramedic, audience, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, authorization string
		want                int
	}{
		{"/v1/visits", "", http.StatusUnauthorized},
		{"/v1/visits", "Basic cGFyYTpzZWNyZXQ=", http.StatusUnauthorized},
		{"/v1/visits", "Bearer ", http.StatusUnauthorized},
		{"/v1/visits", "Bearer " + minted + "x", http.StatusUnauthorized},
		{"/v1/visits", "Bearer " + minted, http.StatusNoContent},
		{"/v1/visits", "bearer " + minted, http.StatusNoContent},
		{"/healthz", "", http.StatusNoContent},
		{"/openapi.json", "", http.StatusNoContent},
		{"/healthz/../v1/visits", "", http.StatusUnauthorized},
	} {
		seen = auth.Principal{}
		req := httptest.NewRequest("GET", c.path, nil)
		if c.authorization != "" {
			req.Header.Set("Authorization", c.authorization)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("GET %s with %q = %d, want %d", c.path, c.authorization, rec.Code, c.want)
			continue
		}
		if c.want == http.StatusUnauthorized {
			if rec.Header().Get("Content-Type") != httpkit.ProblemContentType || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") ||
				!strings.Contains(rec.Body.String(), `"field":"Authorization"`) {
				t.Errorf("GET %s with %q: %v %s", c.path, c.authorization, rec.Header(), rec.Body)
			}
		} else if strings.HasPrefix(c.path, "/v1/") && seen.Subject != paramedic.Subject {
			t.Errorf("the handler saw %+v", seen)
		}
	}
}

func TestTheDevIssuerMintsTokensTheVerifierAccepts(t *testing.T) {
	var issuer *auth.Issuer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { issuer.Handler(audience).ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	keyFile := t.TempDir() + "/issuer.pem"
	key, err := auth.LoadOrCreateKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if issuer, err = auth.NewIssuer(srv.URL, key); err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(t.Context(), auth.Config{Issuer: issuer.URL(), Audience: audience, JWKSURL: issuer.JWKSURL()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	post := func(body string) (int, auth.TokenResponse) {
		resp, err := http.Post(srv.URL+"/token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var tr auth.TokenResponse
		_ = json.Unmarshal(b, &tr)
		return resp.StatusCode, tr
	}
	status, tr := post(`{"sub":"team-severn-ict-duty","role":"community-nurse","org":"RTE","team":"team-severn-ict","ttl":"15m"}`)
	if status != http.StatusOK || tr.TokenType != "Bearer" || tr.ExpiresIn != 900 {
		t.Fatalf("POST /token = %d %+v", status, tr)
	}
	p, err := v.Verify(t.Context(), tr.AccessToken)
	if err != nil || p.Team != "team-severn-ict" || p.Role != "community-nurse" || p.TokenID == "" {
		t.Fatalf("Verify = %+v, %v", p, err)
	}
	for _, bad := range []string{`{"role":"paramedic"}`, `{"sub":"x","role":"paramedic","ttl":"48h"}`, `{"sub":"x","role":"paramedic","admin":true}`, `{"sub":"x\u0001","role":"paramedic"}`} {
		if status, _ := post(bad); status != http.StatusBadRequest {
			t.Errorf("POST /token %s = %d, want 400", bad, status)
		}
	}
	// The key survives a restart: a second load reads the same key.
	again, err := auth.LoadOrCreateKey(keyFile)
	if err != nil || !again.Equal(key) {
		t.Fatalf("reloaded key differs (%v)", err)
	}
}

// An identity provider whose key set also holds a shared (oct) key must
// still not get HS256 tokens accepted: only asymmetric algorithms are.
func TestASymmetricKeyInTheKeySetDoesNotAdmitHMACTokens(t *testing.T) {
	secret := []byte("a-shared-secret-a-shared-secret!!")
	jwks := `{"keys":[{"kty":"oct","kid":"hs-1","alg":"HS256","use":"sig","k":"` + base64.RawURLEncoding.EncodeToString(secret) + `"}]}`
	v, err := auth.NewStaticVerifier(auth.Config{Issuer: "https://idp.example", Audience: audience}, []byte(jwks), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok := sign(t, jwt.SigningMethodHS256, "hs-1", jwt.MapClaims{"iss": "https://idp.example", "aud": audience, "sub": "x", "role": "paramedic",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}, secret)
	if p, err := v.Verify(t.Context(), tok); err == nil {
		t.Fatalf("an HS256 token was accepted: %+v", p)
	}
}

func TestAProcessGetsItsOwnTokenByClientCredentials(t *testing.T) {
	var issuer *auth.Issuer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { issuer.Handler(audience).ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	var err error
	if issuer, err = auth.NewIssuer(srv.URL, auth.NewKey()); err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewStaticVerifier(auth.Config{Issuer: issuer.URL(), Audience: audience}, issuer.JWKS(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var seen auth.Principal
	api := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen, _ = auth.From(r.Context()) })))
	t.Cleanup(api.Close)
	hc := auth.ClientConfig{TokenURL: srv.URL + "/token", ClientID: "careweave-discharge", ClientSecret: "dev", Audience: audience}.HTTPClient(t.Context(), 5*time.Second)
	resp, err := hc.Get(api.URL + "/v1/patients/p")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || seen.Subject != "careweave-discharge" || seen.Role != auth.SystemRole {
		t.Fatalf("GET = %d as %+v", resp.StatusCode, seen)
	}
}
