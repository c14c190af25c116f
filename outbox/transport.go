// Package outbox delivers the mail that models queue: a worker claims each message
// from the database and hands it to an SMTP server, or, on a site with no SMTP server
// configured, writes it as an .eml file for the operator to read. It holds no SQL:
// the queue's verbs are models.MailStore's.
package outbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"broadsheet/models"
)

// Sender hands one message on. It returns nil only once the message is safe elsewhere
// (accepted by the SMTP server, or written to disk).
type Sender interface {
	Send(ctx context.Context, m models.Mail) error
	String() string // where mail goes, for the start-up log; never a password
}

// New returns the sender for the -smtp URL, or, when it is empty, one that writes
// every message into dir. from is the From address of every message.
//
//	smtp://user:pass@host:587         STARTTLS, required (the default port is 587)
//	smtps://user:pass@host:465        TLS from the first byte (the default port is 465)
//	smtp+insecure://127.0.0.1:2525    no encryption: only to a server on this machine
func New(rawURL, from, dir string) (Sender, error) {
	addr, err := mailAddress(from)
	if err != nil {
		return nil, err
	}
	if rawURL == "" {
		return &Dir{Path: dir, From: addr}, nil
	}
	return ParseSMTP(rawURL, addr)
}

// mailAddress checks a From address ("news@example.com" or "The Paper <news@example.com>").
func mailAddress(from string) (string, error) {
	if from == "" {
		return "", errors.New("no From address: set -mail-from, like news@example.com")
	}
	msg := mail.NewMsg()
	if err := msg.From(from); err != nil {
		return "", fmt.Errorf("-mail-from %q is not an address like news@example.com", from)
	}
	return from, nil
}

// SMTP sends through an SMTP server, one connection per message.
type SMTP struct {
	Host     string
	Port     int
	Mode     string // "starttls", "tls" or "insecure"
	Username string
	Password string
	From     string
	// TLS overrides the TLS settings (nil: the system's roots, the server's name);
	// tests and servers with a private certificate authority set it.
	TLS *tls.Config
}

// ParseSMTP reads an smtp://, smtps:// or smtp+insecure:// URL. Its errors never
// repeat the URL, which may hold a password.
func ParseSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("-smtp is not a URL like smtp://user:password@mail.example:587")
	}
	s := &SMTP{Host: u.Hostname(), From: from}
	switch u.Scheme {
	case "smtp":
		s.Mode, s.Port = "starttls", 587
	case "smtps":
		s.Mode, s.Port = "tls", 465
	case "smtp+insecure":
		s.Mode, s.Port = "insecure", 25
	default:
		return nil, fmt.Errorf("-smtp: use smtp:// (STARTTLS), smtps:// (TLS) or smtp+insecure:// (loopback only), not %q", u.Scheme+"://")
	}
	if s.Host == "" {
		return nil, errors.New("-smtp names no server: smtp://user:password@mail.example:587")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("-smtp takes only user, password, host and port: drop the path, ?query or #fragment")
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port < 1 || s.Port > 65535 {
			return nil, fmt.Errorf("-smtp: port %q is not a number from 1 to 65535", p)
		}
	}
	if s.Mode == "insecure" && !isLoopback(s.Host) {
		return nil, fmt.Errorf("-smtp: smtp+insecure:// sends passwords and mail in clear text, so only to a server on this machine, not %q; use smtp:// or smtps://", s.Host)
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *SMTP) String() string {
	who := ""
	if s.Username != "" {
		who = " as " + s.Username
	}
	return fmt.Sprintf("SMTP server %s (%s)%s", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), s.Mode, who)
}

// Send delivers m over a new connection.
func (s *SMTP) Send(ctx context.Context, m models.Mail) error {
	msg, err := message(s.From, m)
	if err != nil {
		return err
	}
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithTimeout(30 * time.Second)}
	switch s.Mode {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "insecure":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.TLS != nil {
		opts = append(opts, mail.WithTLSConfig(s.TLS))
	}
	if s.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if s.Mode == "insecure" { // go-mail offers no mechanism in clear text unless told; loopback only
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// Dir writes each message as DIR/ID.eml instead of sending it: a site without an SMTP
// server still shows the operator every message, links included.
type Dir struct {
	Path string
	From string
}

func (d *Dir) String() string {
	return "no SMTP server (-smtp): mail is written to " + d.Path + " as .eml files, not sent"
}

// Send writes m to a temporary file and renames it into place, so a reader of the
// folder never sees half a message, and a retry replaces rather than repeats it.
func (d *Dir) Send(_ context.Context, m models.Mail) error {
	msg, err := message(d.From, m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.Path, ".writing-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	if _, err := msg.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(d.Path, fmt.Sprintf("%06d.eml", m.ID)))
}

// message builds the MIME message for m. Its Message-ID and Date come from the
// outbox row, so a retry is the same message to the receiving side.
func message(from string, m models.Mail) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	domain := from[strings.LastIndex(from, "@")+1:]
	msg.SetMessageIDWithValue(fmt.Sprintf("outbox-%d.%d@%s", m.ID, m.CreatedAt.Unix(), strings.TrimSuffix(domain, ">")))
	msg.SetDateWithValue(m.CreatedAt)
	for k, v := range m.Headers {
		msg.SetGenHeader(mail.Header(k), v)
	}
	return msg, nil
}
