// Package provision makes what a Careweave deployment's NATS administrator
// makes before the components start: the streams, and every durable
// consumer the components may only bind to, since their NATS users may not
// create consumers (kit/natsauth) — the projector's and notify's partition
// consumers and each community team's subscription to its discharge
// notices. `carectl provision` runs it against a deployment, and
// careweave-dev against the dev stack's NATS.
package provision

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/projections"
	notifysvc "github.com/careweave/careweave/services/notify"
)

// subscriptionAckWait is how long a team's client has to ack a notice
// before it is delivered again.
const subscriptionAckWait = time.Minute

// TeamSubscription is team's durable subscription to its discharge notices
// (natskit.RecipientDurable). fromNow starts a new one at notices
// published from now on instead of the team's whole feed.
func TeamSubscription(team string, fromNow bool) natskit.ConsumerSpec {
	return natskit.ConsumerSpec{Durable: natskit.RecipientDurable(team), FilterSubjects: []string{notify.DischargeFilter(team)},
		AckWait: subscriptionAckWait, DeliverNew: fromNow}
}

// ClinicianSubscription is the durable subscription a clinician's device
// gateway pulls every notice for the clinician from.
func ClinicianSubscription(clinician string, fromNow bool) natskit.ConsumerSpec {
	return natskit.ConsumerSpec{Durable: natskit.RecipientDurable(clinician), FilterSubjects: []string{notify.Filter(clinician)},
		AckWait: subscriptionAckWait, DeliverNew: fromNow}
}

// Components are the durable consumers of the projector and the notify
// service, as each wants them.
func Components() []natskit.ConsumerSpec {
	return append(projections.ProjectorConsumers(), notifysvc.Consumers()...)
}

// Result says what Run made.
type Result struct {
	// Components is how many of the projector's and notify's consumers
	// were made or brought up to date.
	Components int
	// Subscriptions are the teams' subscriptions made now; the ones that
	// existed are left as they are (a team's place in its notices, and
	// whether it started from now).
	Subscriptions []string
}

// Run provisions the streams (natskit.Provision with topology), makes or
// updates the projector's and notify's consumers, and makes the
// subscription of every community team in dir that has none. It is
// idempotent; js must act as the administrator.
func Run(ctx context.Context, js jetstream.JetStream, dir *directory.Directory, topology natskit.TopologyConfig) (Result, error) {
	var res Result
	if err := natskit.Provision(ctx, js, topology); err != nil {
		return res, err
	}
	for _, spec := range Components() {
		if _, err := natskit.EnsureConsumer(ctx, js, spec); err != nil {
			return res, err
		}
		res.Components++
	}
	for _, t := range dir.CommunityTeams {
		made, err := ensureSubscription(ctx, js, TeamSubscription(t.ID, false))
		if err != nil {
			return res, err
		}
		if made {
			res.Subscriptions = append(res.Subscriptions, t.ID)
		}
	}
	return res, nil
}

// ensureSubscription makes spec's consumer unless it exists. An existing
// one is not updated: it may have been made to start from now, which an
// update from the whole feed would be refused.
func ensureSubscription(ctx context.Context, js jetstream.JetStream, spec natskit.ConsumerSpec) (bool, error) {
	_, err := js.Consumer(ctx, natskit.EventStream, spec.Durable)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return false, fmt.Errorf("subscription %s: %w", spec.Durable, err)
	}
	if _, err := natskit.EnsureConsumer(ctx, js, spec); err != nil {
		return false, err
	}
	return true, nil
}
