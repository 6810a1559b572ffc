package notify

import (
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/services/notify/internal/feed"
)

// Consumers are the service's durable consumers of the discharge and
// home-visit events, one per partition. Where its NATS user may not create
// them (kit/natsauth), the administrator makes them from these
// (natskit.EnsureConsumer) before the service starts.
func Consumers() []natskit.ConsumerSpec { return feed.Consumers() }
