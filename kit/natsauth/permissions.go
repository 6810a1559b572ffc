package natsauth

import (
	"slices"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/access"
	"github.com/careweave/careweave/kit/natskit"
)

// SubjectPermission lists the subjects a user may (Allow) and may not
// (Deny) use. Deny wins over Allow; a subject no Allow entry matches is
// refused (an empty Allow refuses everything).
type SubjectPermission struct {
	Allow []string
	Deny  []string
}

// Permissions are one user's publish and subscribe permissions.
type Permissions struct {
	Publish   SubjectPermission
	Subscribe SubjectPermission
}

// JetStream API subjects (nats-server's jetstream_api.go; the client sends
// requests there and the server answers on the requester's inbox).
const (
	jsAPI = "$JS.API."
	// jsAck starts the subject a consumer's message is acked on: the
	// message's reply subject, $JS.ACK.<stream>.<consumer>.<counts...>.
	jsAck = "$JS.ACK."
)

// streamInfo are the requests natskit.Check makes: it only reads the
// streams' settings.
func streamInfo() []string {
	return []string{
		jsAPI + "STREAM.INFO." + natskit.EventStream,
		jsAPI + "STREAM.INFO." + natskit.PoisonStream,
	}
}

// pull is what pulling from durable on the event stream takes: reading
// its settings (jetstream.Consumer), requesting messages and acking them
// (ack, nak, term, in progress; DoubleAck waits for the answer on the
// inbox).
func pull(durable string) []string {
	return []string{
		jsAPI + "CONSUMER.INFO." + natskit.EventStream + "." + durable,
		jsAPI + "CONSUMER.MSG.NEXT." + natskit.EventStream + "." + durable,
		// The ack subject as nats-server writes it by default ...
		jsAck + natskit.EventStream + "." + durable + ".>",
		// ... and with its v2 ack format (a feature flag), which puts the
		// JetStream domain and an account hash first.
		jsAck + "*.*." + natskit.EventStream + "." + durable + ".>",
	}
}

// consume is pull plus parking the durable's poison messages
// (consumer.PoisonSubject). Not creating or updating it: with several
// filter subjects nats.go names no filter in the request subject, so a
// permission to create the durable would be one to create it with any
// filter. The administrator makes it (consumer.Config.Existing).
func consume(durable string) []string {
	return append(pull(durable), natskit.PoisonSubjectPrefix+durable)
}

// PermissionsFor computes p's permissions. everyone is every principal of
// the deployment: the administrator is refused the recipients' consumers.
//
//   - Every user may subscribe to its own inbox (InboxPrefix) and to
//     nothing else except as listed; a JetStream answer or a pulled
//     message comes to the inbox of the request.
//   - A service publishes only its own events (care.<service>.>) and its
//     own access audit (care.access.<service>.>, access.Filter), and reads
//     the streams' settings (natskit.Check). notify also consumes through
//     notify-pNN and parks poison for them.
//   - The projector consumes through timeline-pNN and parks poison for
//     them; it publishes no events.
//   - The query API publishes only its access audit
//     (care.access.query.>) and reads the streams' settings.
//   - Neither creates or changes a stream or a consumer: the
//     administrator makes them.
//   - A team or a device gateway pulls and acks from its own durable
//     consumer (sub-<id>, made by the administrator with the filter
//     notify.DischargeFilter or notify.Filter of its id): that is its only
//     way to its notices. It publishes nothing else, creates nothing and
//     reads no other consumer, stream or subject.
//   - The administrator uses the whole JetStream API (streams, every
//     durable consumer, rebuilds over ordered consumers) but publishes no
//     event and may not pull from or ack on a recipient's consumer, which
//     would take the recipient's notices away from it.
func PermissionsFor(p Principal, everyone []Principal) Permissions {
	var perms Permissions
	perms.Subscribe.Allow = []string{InboxPrefix(p.User()) + ".>"}
	pub := &perms.Publish.Allow
	switch p.Kind {
	case KindService:
		*pub = append(*pub, events.FilterService(p.ID), access.Filter(p.ID))
		*pub = append(*pub, streamInfo()...)
		if p.ID == NotifyService {
			for _, n := range partitions() {
				*pub = append(*pub, consume(natskit.NotifyDurable(n))...)
			}
		}
	case KindProjector:
		*pub = append(*pub, streamInfo()...)
		for _, n := range partitions() {
			*pub = append(*pub, consume(natskit.ProjectorDurable(n))...)
		}
	case KindQuery:
		*pub = append(*pub, access.Filter(p.ID))
		*pub = append(*pub, streamInfo()...)
	case KindTeam, KindGateway:
		// No live subscription, not even to its own subjects: the reply
		// subject of a pull request is not subject to permissions, so a
		// team may have its notices delivered on any subject, and a live
		// subscriber to another team's subjects would receive them. Its
		// durable consumer gives it the same notices, at least once.
		*pub = append(*pub, pull(natskit.RecipientDurable(p.ID))...)
	case KindAdmin:
		*pub = append(*pub, jsAPI+">")
		for _, q := range everyone {
			if q.Kind == KindTeam || q.Kind == KindGateway {
				perms.Publish.Deny = append(perms.Publish.Deny, jsAPI+"CONSUMER.MSG.NEXT."+natskit.EventStream+"."+natskit.RecipientDurable(q.ID))
			}
		}
	}
	perms.Publish.Allow = slices.Compact(perms.Publish.Allow)
	return perms
}
