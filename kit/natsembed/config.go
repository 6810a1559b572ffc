package natsembed

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/careweave/careweave/kit/natsauth"
)

const (
	defaultHost         = "127.0.0.1"
	defaultReadyTimeout = 10 * time.Second
)

// Config says how to run an embedded NATS server.
type Config struct {
	// Host is the address clients connect to. Default 127.0.0.1.
	Host string
	// Port is the client port. -1 or 0 pick a random free port (unlike
	// nats-server, where 0 means 4222, so an embedded server never collides
	// with a system NATS by accident).
	Port int
	// StoreDir is where JetStream keeps streams and consumers. Required.
	StoreDir string
	// ServerName names the server in logs and monitoring. Default: the
	// server's generated ID.
	ServerName string
	// Logger receives the server's logs: notices at Info, warnings at Warn,
	// errors at Error, debug and trace lines at Debug. Nil discards them.
	Logger *slog.Logger
	// ReadyTimeout bounds the wait for the server to accept connections.
	// Default 10s.
	ReadyTimeout time.Duration
	// Users, if set, are the only clients the server accepts, each signing
	// in with its nkey and held to its permissions (natsauth.NewUsers).
	// Nil, the default, lets any client in with every permission.
	Users []natsauth.User
	// TLS, if set, makes clients connect over TLS (EnsureDevCertificates
	// makes development certificates). Nil, the default, is plain TCP.
	TLS *TLSConfig
}

func (c *Config) setDefaults() {
	if c.Host == "" {
		c.Host = defaultHost
	}
	if c.Port == 0 {
		c.Port = -1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = defaultReadyTimeout
	}
}

// Validate reports whether the config can be used to start a server.
func (c Config) Validate() error {
	var errs []error
	if c.StoreDir == "" {
		errs = append(errs, errors.New("JetStream store directory (StoreDir) is required"))
	}
	if c.Port < -1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d is out of range: use 1-65535, or -1 or 0 for a random port", c.Port))
	}
	if c.ReadyTimeout < 0 {
		errs = append(errs, fmt.Errorf("ready timeout %s is negative", c.ReadyTimeout))
	}
	if c.TLS != nil {
		if err := c.TLS.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
