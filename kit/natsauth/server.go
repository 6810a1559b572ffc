package natsauth

import (
	"errors"
	"slices"

	"github.com/nats-io/nats-server/v2/server"
)

// Apply makes an embedded server accept exactly users, each with its
// permissions. They sign in to the global account, where JetStream is on
// whenever the server has it; Render puts the same users in an account of
// their own, which makes no difference to what each may do.
func Apply(opts *server.Options, users []User) error {
	if len(users) == 0 {
		return errors.New("apply nats users: none given")
	}
	if len(opts.Users) > 0 || opts.Username != "" || opts.Authorization != "" || len(opts.Accounts) > 0 {
		return errors.New("apply nats users: the options already configure authentication")
	}
	opts.Nkeys = opts.Nkeys[:0]
	for _, u := range users {
		opts.Nkeys = append(opts.Nkeys, &server.NkeyUser{Nkey: u.NKey, Permissions: u.Permissions.Server()})
	}
	opts.NoAuthUser = ""
	return nil
}

// Server converts the permissions to nats-server's.
func (p Permissions) Server() *server.Permissions {
	return &server.Permissions{Publish: p.Publish.server(), Subscribe: p.Subscribe.server()}
}

func (s SubjectPermission) server() *server.SubjectPermission {
	// An empty Allow must stay a non-nil empty list: nil means "anything".
	allow := slices.Clone(s.Allow)
	if allow == nil {
		allow = []string{}
	}
	return &server.SubjectPermission{Allow: allow, Deny: slices.Clone(s.Deny)}
}
