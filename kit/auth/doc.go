// Package auth says who is calling an HTTP API: it verifies the bearer JWT
// on every request against the issuer's published keys (JWKS), refusing
// anything but a correctly signed, current token for this audience, and
// hands the handlers a Principal. It also holds the development issuer the
// dev stack and the tests mint tokens with.
//
// The checks (issuer, audience, expiry, not-before, key id; RS256, ES256
// and EdDSA only, so "alg: none" and an HMAC signed with a public key are
// refused) are golang-jwt/jwt/v5's; the key set, fetched over HTTP and
// refreshed when a token names a key it has not seen (rate-limited), is
// MicahParks/keyfunc's.
package auth
