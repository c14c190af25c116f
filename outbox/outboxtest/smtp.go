// Package outboxtest starts a real SMTP server on loopback (emersion/go-smtp) for
// tests: it speaks the protocol, STARTTLS, TLS and AUTH PLAIN included, and keeps
// what it receives so tests can read the messages as a mail reader would.
package outboxtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is an SMTP server on loopback that keeps what it receives. It can refuse
// messages (Refuse) and require a login (Login).
type Server struct {
	Addr string
	Port int

	mu       sync.Mutex
	received []Message
	refuse   []error // answers to the next DATA commands, in order; nil accepts
	user     string
	pass     string
	authed   []string // users who logged in
}

// Message is one message the server accepted: the envelope and the raw data.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Start starts a server for the test; with tlsConf it offers STARTTLS, or speaks TLS
// from the first byte when implicitTLS.
func Start(t testing.TB, tlsConf *tls.Config, implicitTLS bool) *Server {
	t.Helper()
	s := &Server{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.TLSConfig = tlsConf
	srv.AllowInsecureAuth = tlsConf == nil
	var ln net.Listener
	var err error
	if implicitTLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsConf)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// Messages returns what the server has accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Refuse makes the next DATA commands fail with these errors, in order (nil accepts).
func (s *Server) Refuse(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = append(s.refuse, errs...)
}

// Login requires AUTH PLAIN as user with pass before MAIL FROM.
func (s *Server) Login(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// LoggedIn lists the users who authenticated, once per session.
func (s *Server) LoggedIn() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.authed...)
}

type smtpSession struct {
	srv  *Server
	from string
	to   []string
}

func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.srv.user || pass != ss.srv.pass {
			return errors.New("invalid credentials")
		}
		ss.srv.mu.Lock()
		ss.srv.authed = append(ss.srv.authed, user)
		ss.srv.mu.Unlock()
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	if ss.srv.user != "" && len(ss.srv.authed) == 0 {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	if len(ss.srv.refuse) > 0 {
		refusal := ss.srv.refuse[0]
		ss.srv.refuse = ss.srv.refuse[1:]
		if refusal != nil {
			return refusal
		}
	}
	ss.srv.received = append(ss.srv.received, Message{From: ss.from, To: ss.to, Data: data})
	return nil
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *smtpSession) Logout() error { return nil }

// TempFailure and PermFailure are what a busy and a refusing server answer.
var (
	TempFailure = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	PermFailure = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
)

// SelfSigned returns a server TLS config for 127.0.0.1 and a client config trusting it.
func SelfSigned(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Parse reads a message as a mail reader shows it: headers and decoded text.
func Parse(t testing.TB, data []byte) (*mail.Message, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return msg, strings.ReplaceAll(string(text), "\r\n", "\n")
}
