package natskit

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/careweave/careweave/kit/config"
)

// ConnectConfig says how a component connects to NATS. With only URL and
// Name set it connects as before: plain TCP, no credentials. A server run
// with users and TLS (kit/natsauth, deploy/nats) wants the rest.
type ConnectConfig struct {
	URL  string
	Name string // shows in the server's connection list
	// Options are extra nats.go options, applied after the ones below.
	Options []nats.Option

	// NKeySeedFile is the user's nkey seed (natsauth.SeedFile): the client
	// signs the server's nonce with it. Not with User.
	NKeySeedFile string
	// User and Password sign in with a password instead, for a server set
	// up so.
	User, Password string
	// CAFile is the CA the server's certificate must chain to. Setting it
	// makes the connection use TLS.
	CAFile string
	// CertFile and KeyFile are the client's own certificate and key, for a
	// server that verifies clients. They turn TLS on too.
	CertFile, KeyFile string
	// InboxPrefix replaces _INBOX for every reply this client waits for
	// (JetStream answers, pulled messages, acks). A server with
	// per-user permissions lets each user read only its own prefix
	// (natsauth.InboxPrefix).
	InboxPrefix string
}

// BindCredentials binds the credential, TLS and inbox settings to flags
// and environment variables (NATS_NKEY_SEED_FILE, NATS_USER,
// NATS_PASSWORD, NATS_CA_FILE, NATS_CERT_FILE, NATS_KEY_FILE,
// NATS_INBOX_PREFIX). All are empty by default.
func (c *ConnectConfig) BindCredentials(b *config.Binder) {
	b.String(&c.NKeySeedFile, "nats-nkey-seed-file", "NATS_NKEY_SEED_FILE", "", "file holding this component's NATS nkey seed")
	b.String(&c.User, "nats-user", "NATS_USER", "", "NATS user, for password sign-in")
	b.String(&c.Password, "nats-password", "NATS_PASSWORD", "", "NATS password, with nats-user")
	b.String(&c.CAFile, "nats-ca-file", "NATS_CA_FILE", "", "CA certificate (PEM) the NATS server's certificate chains to; turns TLS on")
	b.String(&c.CertFile, "nats-cert-file", "NATS_CERT_FILE", "", "client certificate (PEM) for a NATS server that verifies clients")
	b.String(&c.KeyFile, "nats-key-file", "NATS_KEY_FILE", "", "the client certificate's key (PEM)")
	b.String(&c.InboxPrefix, "nats-inbox-prefix", "NATS_INBOX_PREFIX", "", "inbox prefix this component's NATS user may subscribe to (default _INBOX)")
}

// Validate checks that the settings fit together.
func (c ConnectConfig) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("no url"))
	}
	if c.NKeySeedFile != "" && c.User != "" {
		errs = append(errs, errors.New("both an nkey seed file and a user: choose one"))
	}
	if c.Password != "" && c.User == "" {
		errs = append(errs, errors.New("a password without a user"))
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		errs = append(errs, errors.New("a client certificate needs both its certificate and key files"))
	}
	if p := c.InboxPrefix; p != "" && (strings.ContainsAny(p, "*> \t") || strings.HasSuffix(p, ".") || strings.HasPrefix(p, ".")) {
		errs = append(errs, fmt.Errorf("inbox prefix %q: want subject tokens without wildcards", p))
	}
	return errors.Join(errs...)
}

// securityOptions turns the credential, TLS and inbox settings into
// nats.go options.
func (c ConnectConfig) securityOptions() ([]nats.Option, error) {
	var opts []nats.Option
	if c.NKeySeedFile != "" {
		o, err := nats.NkeyOptionFromSeed(c.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("nats nkey seed: %w", err)
		}
		opts = append(opts, o)
	}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.CAFile != "" {
		opts = append(opts, nats.RootCAs(c.CAFile))
	}
	if c.CertFile != "" {
		opts = append(opts, nats.ClientCert(c.CertFile, c.KeyFile))
	}
	if c.InboxPrefix != "" {
		opts = append(opts, nats.CustomInboxPrefix(c.InboxPrefix))
	}
	return opts, nil
}

// Connect connects and keeps reconnecting forever. Publishes made while
// disconnected fail at once instead of being buffered: the relay then
// retries from PostgreSQL, which keeps publication in commit order.
//
// The first connection is retried until ctx ends while the server cannot be
// reached, but not when it refuses this client's credentials or the client
// cannot trust its certificate: waiting would not change either.
func Connect(ctx context.Context, cfg ConnectConfig, logger *slog.Logger) (*nats.Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	security, err := cfg.securityOptions()
	if err != nil {
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	opts := []nats.Option{
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		nats.ReconnectBufSize(-1),
		nats.Timeout(5 * time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil is our own Close
				logger.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			logger.Info("nats reconnected", "server", nc.ConnectedServerId())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			logger.Error("nats async error", "subscription", subject, "err", err)
		}),
	}
	opts = append(opts, security...)
	opts = append(opts, cfg.Options...)
	// An option that cannot apply (an unreadable CA file, say) is as
	// permanent as a refusal: find out before dialling.
	var probe nats.Options
	for _, o := range opts {
		if err := o(&probe); err != nil {
			return nil, fmt.Errorf("connect to nats: %w", err)
		}
	}
	for {
		nc, err := nats.Connect(cfg.URL, opts...)
		if err == nil {
			return nc, nil
		}
		if refused(err) {
			return nil, fmt.Errorf("connect to nats: %w", err)
		}
		logger.Warn("nats not reachable yet", "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to nats: %w", errors.Join(ctx.Err(), err))
		case <-time.After(time.Second):
		}
	}
}

// refused reports whether err says the server or the client turned the
// other down for good: credentials refused, or a certificate not trusted.
func refused(err error) bool {
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked) ||
		errors.Is(err, nats.ErrNkeysNotSupported) || errors.Is(err, nats.ErrSecureConnRequired) ||
		errors.As(err, &unknownCA) || errors.As(err, &badHost) || errors.As(err, &invalid)
}
