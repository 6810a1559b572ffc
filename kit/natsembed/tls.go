package natsembed

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// TLSConfig makes the server take clients over TLS only.
type TLSConfig struct {
	CertFile string // the server's certificate chain (PEM)
	KeyFile  string // its private key (PEM)
	// CAFile is the CA whose client certificates the server accepts; it is
	// required with VerifyClients.
	CAFile string
	// VerifyClients requires every client to present a certificate signed
	// by CAFile, on top of its credentials.
	VerifyClients bool
}

func (t *TLSConfig) validate() error {
	if t.CertFile == "" || t.KeyFile == "" {
		return errors.New("tls: certificate and key files are required")
	}
	if t.VerifyClients && t.CAFile == "" {
		return errors.New("tls: verifying clients needs a CA file")
	}
	return nil
}

// DevCertificates are the files of a development CA and of the certificates
// it signed (see [EnsureDevCertificates]).
type DevCertificates struct {
	Dir string
	// CAFile is the CA certificate: clients trust the server through it
	// (natskit.ConnectConfig.CAFile), and the server verifies client
	// certificates with it.
	CAFile string
	// CertFile and KeyFile are the server's certificate and key.
	CertFile, KeyFile string
}

// ServerTLS is the TLS config of a server using these certificates.
func (d DevCertificates) ServerTLS(verifyClients bool) *TLSConfig {
	return &TLSConfig{CertFile: d.CertFile, KeyFile: d.KeyFile, CAFile: d.CAFile, VerifyClients: verifyClients}
}

// Validity and renewal of the development certificates.
const (
	devCAValidity     = 5 * 365 * 24 * time.Hour
	devCertValidity   = 365 * 24 * time.Hour
	devRenewBefore    = 30 * 24 * time.Hour
	devCAFileName     = "ca.pem"
	devCAKeyFileName  = "ca-key.pem"
	devServerFileName = "server"
)

// EnsureDevCertificates makes sure dir holds, for development only, a
// self-signed CA and a server certificate it signed for hosts (IP addresses
// or DNS names; default 127.0.0.1, ::1 and localhost), and returns their
// paths. Files already there are kept while they are valid for another 30
// days and the server certificate names every host, so clients that trust
// the CA keep trusting a restarted server. Private keys are written with
// mode 0600. Production certificates come from the organisation's CA, not
// from here.
func EnsureDevCertificates(dir string, hosts ...string) (DevCertificates, error) {
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1", "::1", "localhost"}
	}
	d := DevCertificates{
		Dir:      dir,
		CAFile:   filepath.Join(dir, devCAFileName),
		CertFile: filepath.Join(dir, devServerFileName+".pem"),
		KeyFile:  filepath.Join(dir, devServerFileName+"-key.pem"),
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return d, fmt.Errorf("dev certificates: %w", err)
	}
	ca, caKey, err := loadPair(d.CAFile, filepath.Join(dir, devCAKeyFileName))
	fresh := false
	if err != nil || !stillValid(ca) {
		if ca, caKey, err = newCA(dir); err != nil {
			return d, fmt.Errorf("dev certificates: %w", err)
		}
		fresh = true
	}
	cert, _, err := loadPair(d.CertFile, d.KeyFile)
	if fresh || err != nil || !stillValid(cert) || !coversHosts(cert, hosts) || cert.CheckSignatureFrom(ca) != nil {
		if err := issue(ca, caKey, d.CertFile, d.KeyFile, "careweave-nats", hosts, x509.ExtKeyUsageServerAuth); err != nil {
			return d, fmt.Errorf("dev certificates: %w", err)
		}
	}
	return d, nil
}

// IssueClientCertificate signs a client certificate for name with the
// development CA in d, for a server that verifies clients, and returns the
// paths of the certificate and its key (name.pem, name-key.pem in d.Dir).
func (d DevCertificates) IssueClientCertificate(name string) (certFile, keyFile string, err error) {
	if name == "" || name == devServerFileName || filepath.Base(name) != name {
		return "", "", fmt.Errorf("client certificate name %q: want a plain file name other than %q", name, devServerFileName)
	}
	ca, caKey, err := loadPair(d.CAFile, filepath.Join(d.Dir, devCAKeyFileName))
	if err != nil {
		return "", "", fmt.Errorf("client certificate: %w", err)
	}
	certFile, keyFile = filepath.Join(d.Dir, name+".pem"), filepath.Join(d.Dir, name+"-key.pem")
	if err := issue(ca, caKey, certFile, keyFile, name, nil, x509.ExtKeyUsageClientAuth); err != nil {
		return "", "", fmt.Errorf("client certificate: %w", err)
	}
	return certFile, keyFile, nil
}

func newCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Careweave development CA (not for production)", Organization: []string{"Careweave"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(devCAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	if err := writePair(filepath.Join(dir, devCAFileName), filepath.Join(dir, devCAKeyFileName), der, key); err != nil {
		return nil, nil, err
	}
	ca, err := x509.ParseCertificate(der)
	return ca, key, err
}

func issue(ca *x509.Certificate, caKey *ecdsa.PrivateKey, certFile, keyFile, name string, hosts []string, usage x509.ExtKeyUsage) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := serialNumber()
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name, Organization: []string{"Careweave"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(devCertValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	return writePair(certFile, keyFile, der, key)
}

func serialNumber() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}

// writePair writes the key before the certificate, each through a
// temporary file and a rename, so a reader never finds a certificate
// without its key.
func writePair(certFile, keyFile string, der []byte, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writeAtomic(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writeAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func loadPair(certFile, keyFile string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, err
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("%s: not an ECDSA key", keyFile)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	return cert, key, err
}

func stillValid(c *x509.Certificate) bool {
	now := time.Now()
	return now.After(c.NotBefore) && now.Add(devRenewBefore).Before(c.NotAfter)
}

func coversHosts(c *x509.Certificate, hosts []string) bool {
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(c.IPAddresses, ip.Equal) {
				return false
			}
		} else if !slices.Contains(c.DNSNames, h) {
			return false
		}
	}
	return true
}
