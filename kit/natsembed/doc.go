// Package natsembed runs a NATS server with JetStream inside the current
// process, for tests and the local dev stack.
//
// [Start] takes a validated [Config], starts the server, routes its logs to a
// *slog.Logger and returns once it accepts client connections. JetStream keeps
// its data in Config.StoreDir, so a server started again on the same directory
// finds its streams and messages. Nothing here depends on a NATS server
// already running on the machine.
//
// By default the server lets any client in over plain TCP, as tests and the
// dev stack have always had it. Config.Users (kit/natsauth) makes it accept
// only those users, each held to its permissions, and Config.TLS makes
// clients use TLS; [EnsureDevCertificates] makes a development CA and
// server certificate in a data directory, with the CA file for clients to
// trust.
package natsembed
