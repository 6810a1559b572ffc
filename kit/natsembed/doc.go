// Package natsembed runs a NATS server with JetStream inside the current
// process, for tests and the local dev stack.
//
// [Start] takes a validated [Config], starts the server, routes its logs to a
// *slog.Logger and returns once it accepts client connections. JetStream keeps
// its data in Config.StoreDir, so a server started again on the same directory
// finds its streams and messages. Nothing here depends on a NATS server
// already running on the machine.
package natsembed
