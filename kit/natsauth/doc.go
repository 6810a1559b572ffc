// Package natsauth says who may connect to Careweave's NATS and what each
// may do there: one user per service, the projector, the query API, an
// administrator, every community team and every clinician's device gateway,
// each with publish and subscribe permissions limited to its own subjects
// and its own JetStream consumers (least privilege), and each with an inbox
// prefix of its own so no user can read another's replies.
//
// [Principals] lists who connects, from the directory; [NewUsers] computes
// each one's permissions ([PermissionsFor]) and pairs it with its key;
// [Apply] puts the users on an embedded server's options and [Render]
// writes the same users into a nats-server configuration file. Nothing here
// touches the network.
//
// # Why nkeys and not passwords
//
// Every user authenticates with an nkey (an Ed25519 key pair, the NATS
// native scheme), not a bcrypt-hashed password:
//
//   - The server holds only public keys. The configuration file has no
//     secret in it, so it can live in version control and configuration
//     management; a leaked file lets nobody in. A bcrypt hash, once
//     leaked, is open to offline guessing.
//   - The client proves it holds the seed by signing a nonce the server
//     chose. Nothing reusable crosses the wire, so a client that reaches a
//     wrong server (a bad route, a TLS certificate not verified) gives away
//     nothing; a password is sent in full in every CONNECT.
//   - A password check costs a bcrypt computation (tens of milliseconds of
//     CPU at the usual cost) on every connect; when a node restarts, every
//     component reconnects at once. An Ed25519 verification costs
//     microseconds.
//   - The nkeys library already comes with nats.go: no new module.
//
// The price is a seed file per user (like a TLS key: mode 0600, given only
// to its owner); [EnsureSeeds] makes them.
package natsauth
