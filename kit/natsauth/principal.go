package natsauth

import (
	"fmt"
	"regexp"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/kit/directory"
)

// Kind is what a principal is, which decides what it may do.
type Kind string

// Kinds of principal.
const (
	// KindService is a service: its relay publishes its own events
	// (care.<service>.>). The notify service also consumes the discharge
	// and home-visit events through its own durable consumers.
	KindService Kind = "service"
	// KindProjector is the projection worker: it consumes every service's
	// events through its durable consumers, one per partition.
	KindProjector Kind = "projector"
	// KindQuery is the query API. It reads only PostgreSQL, and publishes
	// only the access audit of what it served (care.access.query.>).
	KindQuery Kind = "query"
	// KindAdmin provisions the streams and every durable consumer
	// (natskit.Provision, carectl provision, careweave-dev) and runs
	// rebuilds. It publishes no events.
	KindAdmin Kind = "admin"
	// KindTeam is a community team: it reads its own notices from its own
	// durable consumer, which the administrator makes, and publishes
	// nothing.
	KindTeam Kind = "team"
	// KindGateway is a clinician's device gateway: as a team, for one
	// clinician's notices.
	KindGateway Kind = "gateway"
)

// Names of the components that are not services.
const (
	ProjectorName = "projector"
	QueryName     = "query"
	AdminName     = "admin"
)

// NotifyService is the service that, besides publishing its notices,
// consumes other services' events.
const NotifyService = "notify"

// Services are the services that publish events, each on care.<name>.>.
var Services = []string{"patients", "homevisits", "medreviews", "carehomes", "discharge", NotifyService}

// Principal is one identity that connects to NATS.
type Principal struct {
	Kind Kind
	// ID is the service's name, or the team's or clinician's directory
	// id; for the projector, the query API and the administrator, their
	// fixed name.
	ID string
}

// User is the NATS user name of p: its ID. IDs are unique across
// principals ([Validate] checks), so a user name says who connected.
func (p Principal) User() string { return p.ID }

// String names the principal for messages.
func (p Principal) String() string {
	if p.ID == string(p.Kind) {
		return p.ID
	}
	return string(p.Kind) + " " + p.ID
}

// Service returns the principal of a service.
func Service(name string) Principal { return Principal{Kind: KindService, ID: name} }

// Projector returns the projection worker's principal.
func Projector() Principal { return Principal{Kind: KindProjector, ID: ProjectorName} }

// Admin returns the administrator's principal.
func Admin() Principal { return Principal{Kind: KindAdmin, ID: AdminName} }

// Query returns the query API's principal.
func Query() Principal { return Principal{Kind: KindQuery, ID: QueryName} }

// Team returns a community team's principal.
func Team(id string) Principal { return Principal{Kind: KindTeam, ID: id} }

// Gateway returns the principal of a clinician's device gateway.
func Gateway(clinician string) Principal { return Principal{Kind: KindGateway, ID: clinician} }

// Principals lists everyone who connects to a deployment with directory dir:
// the administrator, every service, the projector, the query API, every
// community team and every clinician's device gateway.
func Principals(dir *directory.Directory) []Principal {
	out := []Principal{Admin()}
	for _, s := range Services {
		out = append(out, Service(s))
	}
	out = append(out, Projector(), Query())
	for _, t := range dir.CommunityTeams {
		out = append(out, Team(t.ID))
	}
	for _, c := range dir.Clinicians {
		out = append(out, Gateway(c.ID))
	}
	return out
}

// idToken is what a principal's id may look like: one subject token, and a
// file name for its seed.
var idToken = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Validate checks that each principal is well formed and that no two share
// a user name. A team and a clinician with the same id would also share
// their notice subjects (care.notify.<id>.>), each reading the other's.
func Validate(ps []Principal) error {
	seen := map[string]Principal{}
	for _, p := range ps {
		if !idToken.MatchString(p.ID) {
			return fmt.Errorf("%s: the id must be one subject token of lower-case letters, digits, '-' or '_'", p)
		}
		switch p.Kind {
		case KindService, KindTeam, KindGateway:
		case KindProjector, KindQuery, KindAdmin:
			if want := fixedID(p.Kind); p.ID != want {
				return fmt.Errorf("%s: want the id %q", p, want)
			}
		default:
			return fmt.Errorf("%s: unknown kind", p)
		}
		if q, dup := seen[p.User()]; dup {
			return fmt.Errorf("%s and %s would share the user name %q", q, p, p.User())
		}
		seen[p.User()] = p
	}
	return nil
}

func fixedID(k Kind) string {
	switch k {
	case KindProjector:
		return ProjectorName
	case KindQuery:
		return QueryName
	case KindAdmin:
		return AdminName
	}
	return ""
}

// InboxPrefix is the inbox prefix user must connect with
// (nats.CustomInboxPrefix): it may subscribe to nothing else of the kind, so
// no user can read another's replies.
func InboxPrefix(user string) string { return "_INBOX." + user }

func partitions() []int {
	out := make([]int, events.Partitions)
	for p := range out {
		out[p] = p
	}
	return out
}
