package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/careweave/careweave/events"
	"github.com/careweave/careweave/events/notify"
	"github.com/careweave/careweave/kit/config"
	"github.com/careweave/careweave/kit/directory"
	"github.com/careweave/careweave/kit/natsauth"
	"github.com/careweave/careweave/kit/natskit"
	"github.com/careweave/careweave/tools/internal/provision"
)

// natsFlags binds what every NATS-only command needs.
type natsFlags struct {
	srv       servers
	directory string
	logging   config.Logging
}

func (n *natsFlags) bind(b *config.Binder) {
	n.srv.bind(b)
	b.String(&n.directory, "directory", "DIRECTORY_FILE", "", "the directory of teams (default: the embedded demo directory)")
	n.logging.Bind(b)
}

// dir loads the directory.
func (n *natsFlags) dir() (*directory.Directory, error) {
	if n.directory == "" {
		return directory.Demo(), nil
	}
	return directory.Load(n.directory)
}

// team checks that id is a community team in the directory.
func (n *natsFlags) team(id string) error {
	dir, err := n.dir()
	if err != nil {
		return err
	}
	if id == "" {
		return usageError{errors.New("-team is required")}
	}
	if _, ok := dir.Team(id); !ok {
		return usageError{fmt.Errorf("%q is not a community team in the directory", id)}
	}
	return nil
}

// clinician checks that id is a clinician in the directory.
func (n *natsFlags) clinician(id string) error {
	dir, err := n.dir()
	if err != nil {
		return err
	}
	if _, ok := dir.Clinician(id); !ok {
		return usageError{fmt.Errorf("%q is not a clinician in the directory", id)}
	}
	return nil
}

// connect reaches NATS as user (PostgreSQL is not needed).
func (n *natsFlags) connect(ctx context.Context, stderr io.Writer, user string) (jetstream.JetStream, func(), *slog.Logger, error) {
	if err := n.srv.resolve(false); err != nil {
		return nil, nil, nil, err
	}
	logger, err := n.logging.NewLogger(stderr)
	if err != nil {
		return nil, nil, nil, usageError{err}
	}
	nc, js, err := n.srv.openJetStream(ctx, logger, user)
	if err != nil {
		return nil, nil, nil, err
	}
	return js, nc.Close, logger, nil
}

// subscriptionsCmd makes and lists teams' and device gateways' durable
// subscriptions, as the administrator.
func subscriptionsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		return usageError{errors.New("want: carectl subscriptions create -team <id> | -clinician <id> [-from-now], or carectl subscriptions list")}
	}
	verb := args[0]
	fs := flag.NewFlagSet("carectl subscriptions "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := config.NewBinder(fs, getenv)
	var n natsFlags
	n.bind(b)
	var team, clinician string
	var fromNow bool
	if verb == "create" {
		fs.StringVar(&team, "team", "", "a community team's directory id, e.g. team-severn-ict: its discharge notices")
		fs.StringVar(&clinician, "clinician", "", "a clinician's directory id, e.g. para-jess-patel: every notice for them, for their device gateway")
		fs.BoolVar(&fromNow, "from-now", false, "start with notices published from now on, not with the whole feed")
	}
	if err := b.Parse(args[1:]); err != nil {
		return err
	}
	var spec natskit.ConsumerSpec
	var recipient string
	if verb == "create" {
		switch {
		case team != "" && clinician != "":
			return usageError{errors.New("-team or -clinician, not both")}
		case clinician != "":
			if err := n.clinician(clinician); err != nil {
				return err
			}
			recipient, spec = clinician, provision.ClinicianSubscription(clinician, fromNow)
		default:
			if err := n.team(team); err != nil {
				return err
			}
			recipient, spec = team, provision.TeamSubscription(team, fromNow)
		}
	}
	js, closeNATS, _, err := n.connect(ctx, stderr, natsauth.AdminName)
	if err != nil {
		return err
	}
	defer closeNATS()
	if verb == "list" {
		return listSubscriptions(ctx, js, stdout)
	}
	c, err := natskit.EnsureConsumer(ctx, js, spec)
	if err != nil {
		return err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "subscription %s: durable consumer %q on stream %s, filter %s, %d notices waiting\n"+
		"its NATS client, signed in as %s with inbox prefix %s, pulls from it (JetStream API: $JS.API.CONSUMER.MSG.NEXT.%s.%s) and acks each notice",
		recipient, info.Name, natskit.EventStream, strings.Join(spec.FilterSubjects, ","), info.NumPending, recipient, natsauth.InboxPrefix(recipient),
		natskit.EventStream, info.Name)
	if team != "" {
		fmt.Fprintf(stdout, "; or run: carectl watch discharges -team %s", team)
	}
	fmt.Fprintln(stdout)
	return nil
}

func listSubscriptions(ctx context.Context, js jetstream.JetStream, stdout io.Writer) error {
	st, err := js.Stream(ctx, natskit.EventStream)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECIPIENT\tCONSUMER\tFILTER\tWAITING\tUNACKED\tLAST ACTIVE")
	infos := st.ListConsumers(ctx)
	for info := range infos.Info() {
		recipient, ok := strings.CutPrefix(info.Name, natskit.RecipientDurable(""))
		if !ok {
			continue
		}
		last := "-"
		if info.Delivered.Last != nil {
			last = info.Delivered.Last.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", recipient, info.Name, strings.Join(info.Config.FilterSubjects, ","), info.NumPending, info.NumAckPending, last)
	}
	if err := infos.Err(); err != nil {
		return err
	}
	return tw.Flush()
}

// watchCmd is the reference subscriber: signed in as the team, it prints
// the team's discharge notices from its subscription as they arrive and
// acks each once printed, so a restart resumes after the last one shown.
func watchCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "discharges" {
		return usageError{errors.New("want: carectl watch discharges -team <id> [-count N]")}
	}
	fs := flag.NewFlagSet("carectl watch discharges", flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := config.NewBinder(fs, getenv)
	var n natsFlags
	n.bind(b)
	var team string
	var count int
	fs.StringVar(&team, "team", "", "the community team's directory id")
	fs.IntVar(&count, "count", 0, "stop after this many notices (0: run until interrupted)")
	if err := b.Parse(args[1:]); err != nil {
		return err
	}
	if err := n.team(team); err != nil {
		return err
	}
	js, closeNATS, logger, err := n.connect(ctx, stderr, team)
	if err != nil {
		return err
	}
	defer closeNATS()
	cons, err := js.Consumer(ctx, natskit.EventStream, natskit.RecipientDurable(team))
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return usageError{fmt.Errorf("team %s has no subscription: run carectl subscriptions create -team %s first", team, team)}
	}
	if err != nil {
		return err
	}
	reg := notify.Registry()
	for shown := 0; count == 0 || shown < count; {
		// One notice per pull: nothing is delivered to us that we will
		// not show and ack, so the next run starts right after the last
		// one shown instead of waiting for an unseen one's ack timeout.
		m, err := cons.Next(jetstream.FetchMaxWait(2 * time.Second))
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) {
			continue
		}
		if err != nil {
			return err
		}
		line, err := describe(reg, m.Data())
		if err != nil {
			// A notice this carectl cannot read (a newer version, say)
			// must not stall the feed: say so and skip it.
			logger.Warn("notice not readable by this carectl; skipped", "subject", m.Subject(), "err", err)
			_ = m.Term()
			continue
		}
		fmt.Fprintln(stdout, line)
		if err := m.DoubleAck(ctx); err != nil {
			return fmt.Errorf("acknowledge: %w", err)
		}
		shown++
	}
	return nil
}

// describe renders a discharge notice as one line: no names, the opaque
// patient reference to resolve through the API.
func describe(reg *events.Registry, payload []byte) (string, error) {
	en, err := events.Decode(payload)
	if err != nil {
		return "", err
	}
	data, err := reg.Decode(en)
	if err != nil {
		return "", err
	}
	d, ok := data.(notify.DischargeNotice)
	if !ok {
		return "", fmt.Errorf("%s is not a discharge notice", en.Type)
	}
	line := fmt.Sprintf("%s  %-20s stay %s  patient %s  pathway %s  discharged %s  follow-up due %s", en.Time.UTC().Format(time.RFC3339), d.Kind, d.Stay,
		d.Patient, d.Pathway, d.DischargedAt.UTC().Format(time.RFC3339), d.DueBy.UTC().Format(time.RFC3339))
	if len(d.Needs) > 0 {
		line += "  needs " + strings.Join(d.Needs, ",")
	}
	if d.Reason != "" {
		line += "  reason " + d.Reason
	}
	return line + "  id " + en.ID.String(), nil
}
