package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ClientConfig is how a Careweave process authenticates itself when it
// calls another's API (the patient registry, say): the OAuth 2.0 client
// credentials grant against the issuer's token endpoint.
type ClientConfig struct {
	TokenURL, ClientID, ClientSecret string
	// Audience is asked for in the token request (the APIs' audience).
	Audience string
}

// Validate reports a configuration that cannot work.
func (c ClientConfig) Validate() error {
	var errs []error
	if u, err := url.Parse(c.TokenURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, errors.New("auth token URL must be an absolute http(s) URL (AUTH_TOKEN_URL)"))
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("auth client id is required (AUTH_CLIENT_ID)"))
	}
	return errors.Join(errs...)
}

// HTTPClient returns a client that sends a bearer token with every request,
// fetching a new one before the last expires. Requests time out after
// timeout.
func (c ClientConfig) HTTPClient(ctx context.Context, timeout time.Duration) *http.Client {
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: c.TokenURL,
		EndpointParams: url.Values{"audience": {c.Audience}}, AuthStyle: oauth2.AuthStyleInParams}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: timeout})
	hc := cc.Client(ctx)
	hc.Timeout = timeout
	return hc
}
