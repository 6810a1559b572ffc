package natsauth

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// ServerConfig is one nats-server node's configuration file.
type ServerConfig struct {
	// Header is written first, each line as a comment.
	Header string
	// ServerName names the node (unique within the cluster).
	ServerName string
	// Listen is the client address, e.g. 0.0.0.0:4222.
	Listen string
	// Monitor is the HTTP monitoring address; empty turns it off.
	Monitor string
	// StoreDir is where JetStream keeps its files.
	StoreDir string
	// MaxFileStore bounds JetStream's disk use, e.g. "200GB"; empty: no
	// bound beyond the disk.
	MaxFileStore string
	// MaxPayload bounds a message, e.g. "1MB"; empty: the server default.
	MaxPayload string
	// Cluster, if set, joins the node to a cluster.
	Cluster *ClusterConfig
	// TLS, if set, makes clients (and routes) use TLS.
	TLS *TLSFiles
	// Account is the account the users sign in to. Default CAREWEAVE.
	Account string
	// Users are the users and their permissions (NewUsers).
	Users []User
}

// ClusterConfig joins a node to a JetStream cluster.
type ClusterConfig struct {
	Name   string   // the cluster's name, the same on every node
	Listen string   // the route address, e.g. 0.0.0.0:6222
	Routes []string // every node's route URL, e.g. nats-route://nats-1:6222
}

// TLSFiles are the paths of a server's TLS material.
type TLSFiles struct {
	CertFile string // the server's certificate chain (PEM)
	KeyFile  string // its private key (PEM)
	// CAFile is the CA that signed the client (and route) certificates
	// the server accepts.
	CAFile string
	// Verify requires clients to present a certificate signed by CAFile,
	// on top of their nkey.
	Verify bool
}

func (c *ServerConfig) validate() error {
	var errs []error
	if c.ServerName == "" || c.Listen == "" || c.StoreDir == "" {
		errs = append(errs, errors.New("server name, listen address and store directory are required"))
	}
	if _, _, err := net.SplitHostPort(c.Listen); c.Listen != "" && err != nil {
		errs = append(errs, fmt.Errorf("listen address %q: %w", c.Listen, err))
	}
	if len(c.Users) == 0 {
		errs = append(errs, errors.New("no users: a server without them would let anyone in"))
	}
	if c.TLS != nil && (c.TLS.CertFile == "" || c.TLS.KeyFile == "" || (c.TLS.Verify && c.TLS.CAFile == "")) {
		errs = append(errs, errors.New("tls: certificate and key files are required, and a CA file to verify clients"))
	}
	if c.Cluster != nil && (c.Cluster.Name == "" || c.Cluster.Listen == "" || len(c.Cluster.Routes) == 0) {
		errs = append(errs, errors.New("cluster: name, listen address and routes are required"))
	}
	return errors.Join(errs...)
}

// Render writes c as a nats-server configuration file: the node's
// listeners, JetStream, the cluster and TLS blocks, and an account holding
// every user with its nkey, permissions and a comment saying who it is.
// nats-server -c reads it; so does server.ProcessConfigFile.
func Render(w io.Writer, c ServerConfig) error {
	if c.Account == "" {
		c.Account = "CAREWEAVE"
	}
	if err := c.validate(); err != nil {
		return fmt.Errorf("render nats config: %w", err)
	}
	b := bufio.NewWriter(w)
	if c.Header != "" {
		for line := range strings.SplitSeq(strings.TrimRight(c.Header, "\n"), "\n") {
			fmt.Fprintln(b, strings.TrimRight("# "+line, " "))
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintf(b, "server_name: %s\n", q(c.ServerName))
	fmt.Fprintf(b, "listen: %s\n", q(c.Listen))
	if c.Monitor != "" {
		fmt.Fprintf(b, "http: %s   # monitoring (/varz, /jsz): keep it off the public network\n", q(c.Monitor))
	}
	if c.MaxPayload != "" {
		fmt.Fprintf(b, "max_payload: %s\n", c.MaxPayload)
	}
	fmt.Fprintln(b)
	fmt.Fprintln(b, "jetstream {")
	fmt.Fprintf(b, "  store_dir: %s\n", q(c.StoreDir))
	if c.MaxFileStore != "" {
		fmt.Fprintf(b, "  max_file_store: %s\n", c.MaxFileStore)
	}
	fmt.Fprintln(b, "  # R3 replication is what makes an ack durable in a cluster; a single node must")
	fmt.Fprintln(b, "  # either set sync_interval: always or rely on republishing from PostgreSQL.")
	fmt.Fprintln(b, "  # Encryption at rest, the key from the environment:")
	fmt.Fprintln(b, "  # cipher: chacha")
	fmt.Fprintln(b, "  # key: $JS_KEY")
	fmt.Fprintln(b, "}")
	if c.TLS != nil {
		fmt.Fprintln(b)
		fmt.Fprintln(b, "# Clients must use TLS.")
		renderTLS(b, "", c.TLS, c.TLS.Verify)
	}
	if c.Cluster != nil {
		fmt.Fprintln(b)
		fmt.Fprintln(b, "cluster {")
		fmt.Fprintf(b, "  name: %s\n", q(c.Cluster.Name))
		fmt.Fprintf(b, "  listen: %s\n", q(c.Cluster.Listen))
		fmt.Fprintln(b, "  routes: [")
		for _, r := range c.Cluster.Routes {
			fmt.Fprintf(b, "    %s\n", q(r))
		}
		fmt.Fprintln(b, "  ]")
		if c.TLS != nil {
			fmt.Fprintln(b, "  # Routes carry every event: they use TLS too, each node proving itself with")
			fmt.Fprintln(b, "  # its certificate (signed by the same CA).")
			renderTLS(b, "  ", c.TLS, true)
		}
		fmt.Fprintln(b, "}")
	}
	fmt.Fprintln(b)
	fmt.Fprintln(b, "# One user per component, team and device gateway, each signing in with its nkey")
	fmt.Fprintln(b, "# (the seed stays with its owner) and allowed only its own subjects: see")
	fmt.Fprintln(b, "# kit/natsauth.PermissionsFor. Every JetStream answer and pulled message comes")
	fmt.Fprintln(b, "# to the requester's own inbox prefix, _INBOX.<user>, which no one else may read.")
	fmt.Fprintln(b, "accounts {")
	fmt.Fprintf(b, "  %s {\n", q(c.Account))
	fmt.Fprintln(b, "    jetstream: enabled")
	fmt.Fprintln(b, "    users: [")
	for _, u := range c.Users {
		fmt.Fprintf(b, "      # %s: %s, inbox prefix %s\n", u.Name(), u.Principal.Kind, u.InboxPrefix)
		fmt.Fprintf(b, "      { nkey: %s, permissions: {\n", q(u.NKey))
		renderSubjects(b, "publish", u.Permissions.Publish)
		renderSubjects(b, "subscribe", u.Permissions.Subscribe)
		fmt.Fprintln(b, "      } }")
	}
	fmt.Fprintln(b, "    ]")
	fmt.Fprintln(b, "  }")
	fmt.Fprintln(b, "}")
	return b.Flush()
}

func renderTLS(b *bufio.Writer, indent string, t *TLSFiles, verify bool) {
	fmt.Fprintf(b, "%stls {\n", indent)
	fmt.Fprintf(b, "%s  cert_file: %s\n", indent, q(t.CertFile))
	fmt.Fprintf(b, "%s  key_file: %s\n", indent, q(t.KeyFile))
	if t.CAFile != "" {
		fmt.Fprintf(b, "%s  ca_file: %s\n", indent, q(t.CAFile))
	}
	if verify {
		fmt.Fprintf(b, "%s  verify: true\n", indent)
	}
	fmt.Fprintf(b, "%s  timeout: 2\n", indent)
	fmt.Fprintf(b, "%s}\n", indent)
}

func renderSubjects(b *bufio.Writer, what string, s SubjectPermission) {
	allow := s.Allow
	deny := s.Deny
	if len(allow) == 0 {
		deny = []string{">"} // an empty allow list would read as "no list": refuse everything instead
	}
	fmt.Fprintf(b, "        %s: {\n", what)
	renderList(b, "allow", allow)
	renderList(b, "deny", deny)
	fmt.Fprintln(b, "        }")
}

func renderList(b *bufio.Writer, what string, ss []string) {
	switch len(ss) {
	case 0:
	case 1:
		fmt.Fprintf(b, "          %s: [%s]\n", what, q(ss[0]))
	default:
		fmt.Fprintf(b, "          %s: [\n", what)
		for _, s := range ss {
			fmt.Fprintf(b, "            %s\n", q(s))
		}
		fmt.Fprintln(b, "          ]")
	}
}

// q quotes s for the configuration file. Quoted strings are taken as they
// are: $JS.API... is not read as a variable reference.
func q(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
