package outbox

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/models/storetest"
	"broadsheet/outbox/outboxtest"
)

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func openStore(t *testing.T, dir string) *models.Store { return storetest.Open(t, dir) }

func enqueue(t *testing.T, s *models.Store, to string) {
	t.Helper()
	err := s.Mail.Enqueue(context.Background(), testNow, models.Mail{Kind: models.MailSignup, To: to, Subject: "Finish signing up — Broadsheet",
		Body:    "Follow this link:\nhttp://news.test/signup/confirm?token=abc\n\nCafé crème, naïvely long line " + strings.Repeat("x", 100) + ".",
		Headers: map[string]string{"List-Unsubscribe": "<http://news.test/unsubscribe?t=1>"}})
	if err != nil {
		t.Fatal(err)
	}
}

func state(t *testing.T, s *models.Store, to string) models.Mail {
	t.Helper()
	ms, err := s.Mail.To(context.Background(), to)
	if err != nil || len(ms) != 1 {
		t.Fatalf("outbox for %s: %+v %v", to, ms, err)
	}
	return ms[0]
}

func mustSender(t *testing.T, smtpURL, from, dir string) Sender {
	t.Helper()
	s, err := New(smtpURL, from, dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func worker(s *models.Store, sender Sender, now *time.Time) *Worker {
	return &Worker{Mail: s.Mail, Sender: sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return *now }, MaxAttempts: 3, Backoff: time.Minute}
}

func TestSendsOverSTARTTLSWithLogin(t *testing.T) {
	serverTLS, clientTLS := outboxtest.SelfSigned(t)
	srv := outboxtest.Start(t, serverTLS, false)
	srv.Login("mailer", "s3cret pass")
	sender := mustSender(t, "smtp://mailer:s3cret%20pass@127.0.0.1:"+strconv.Itoa(srv.Port), "Broadsheet <news@news.test>", "")
	sender.(*SMTP).TLS = clientTLS
	s := openStore(t, t.TempDir())
	enqueue(t, s, "ada@example.com")
	now := testNow
	if sent, err := worker(s, sender, &now).SendOne(context.Background()); !sent || err != nil {
		t.Fatalf("SendOne: %v %v", sent, err)
	}
	if m := state(t, s, "ada@example.com"); m.State != models.MailSent || m.Attempts != 1 {
		t.Fatalf("after sending: %+v", m)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].From != "news@news.test" || len(got[0].To) != 1 || got[0].To[0] != "ada@example.com" {
		t.Fatalf("envelope: %+v", got)
	}
	if who := srv.LoggedIn(); len(who) != 1 || who[0] != "mailer" {
		t.Errorf("logged in as %v", who)
	}
	msg, body := outboxtest.Parse(t, got[0].Data)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Finish signing up — Broadsheet" {
		t.Errorf("Subject %q %v", subject, err)
	}
	for h, want := range map[string]string{
		"To": "<ada@example.com>", "From": `"Broadsheet" <news@news.test>`,
		"List-Unsubscribe": "<http://news.test/unsubscribe?t=1>", "Date": testNow.Format(time.RFC1123Z),
	} {
		if g := msg.Header.Get(h); g != want {
			t.Errorf("%s = %q, want %q", h, g, want)
		}
	}
	if id := msg.Header.Get("Message-ID"); !strings.HasSuffix(id, "@news.test>") {
		t.Errorf("Message-ID %q", id)
	}
	if !strings.Contains(body, "http://news.test/signup/confirm?token=abc\n") || !strings.Contains(body, "Café crème") {
		t.Errorf("body:\n%s", body)
	}
}

func TestSendsOverImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := outboxtest.SelfSigned(t)
	srv := outboxtest.Start(t, serverTLS, true)
	sender := mustSender(t, "smtps://127.0.0.1:"+strconv.Itoa(srv.Port), "news@news.test", "")
	sender.(*SMTP).TLS = clientTLS
	s := openStore(t, t.TempDir())
	enqueue(t, s, "ada@example.com")
	now := testNow
	if _, err := worker(s, sender, &now).SendOne(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 1 || state(t, s, "ada@example.com").State != models.MailSent {
		t.Errorf("not delivered over TLS: %+v", state(t, s, "ada@example.com"))
	}
}

// TestRetriesWithBackoffWhenRefused: the server is busy twice, then accepts. Each
// refusal waits twice as long as the one before, and the message arrives once.
func TestRetriesWithBackoffWhenRefused(t *testing.T) {
	srv := outboxtest.Start(t, nil, false)
	srv.Refuse(outboxtest.TempFailure, outboxtest.TempFailure)
	sender := mustSender(t, "smtp+insecure://127.0.0.1:"+strconv.Itoa(srv.Port), "news@news.test", "")
	s := openStore(t, t.TempDir())
	enqueue(t, s, "ada@example.com")
	now := testNow
	w := worker(s, sender, &now)
	ctx := context.Background()
	step := func(wantSent bool) {
		t.Helper()
		if sent, err := w.SendOne(ctx); sent != wantSent || err != nil {
			t.Fatalf("at %s: SendOne = %v, %v; want %v", now.Sub(testNow), sent, err, wantSent)
		}
	}
	step(true) // refused
	m := state(t, s, "ada@example.com")
	if m.State != models.MailQueued || m.Attempts != 1 || !m.NextAttemptAt.Equal(now.Add(time.Minute)) || !strings.Contains(m.LastError, "451") {
		t.Fatalf("after the first refusal: %+v", m)
	}
	now = now.Add(59 * time.Second)
	step(false) // not due yet
	now = now.Add(time.Second)
	step(true) // refused again: now it waits 2 minutes
	if m := state(t, s, "ada@example.com"); !m.NextAttemptAt.Equal(now.Add(2*time.Minute)) || m.Attempts != 2 {
		t.Fatalf("after the second refusal: %+v", m)
	}
	now = now.Add(2 * time.Minute)
	step(true) // accepted
	if m := state(t, s, "ada@example.com"); m.State != models.MailSent || m.Attempts != 3 || m.LastError != "" {
		t.Fatalf("after delivery: %+v", m)
	}
	if got := srv.Messages(); len(got) != 1 {
		t.Errorf("%d messages received, want 1", len(got))
	}
	step(false)
}

func TestGivesUpAfterMaxAttemptsAndKeepsTheError(t *testing.T) {
	srv := outboxtest.Start(t, nil, false)
	srv.Refuse(outboxtest.PermFailure, outboxtest.PermFailure, outboxtest.PermFailure, nil)
	sender := mustSender(t, "smtp+insecure://localhost:"+strconv.Itoa(srv.Port), "news@news.test", "")
	s := openStore(t, t.TempDir())
	enqueue(t, s, "nobody@example.com")
	now := testNow
	w := worker(s, sender, &now)
	for range 3 {
		if _, err := w.SendOne(context.Background()); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
	}
	m := state(t, s, "nobody@example.com")
	if m.State != models.MailFailed || m.Attempts != 3 || !strings.Contains(m.LastError, "No such mailbox") {
		t.Fatalf("after 3 attempts: %+v", m)
	}
	if sent, _ := w.SendOne(context.Background()); sent || len(srv.Messages()) != 0 {
		t.Errorf("a failed message was tried again")
	}
}

// TestNothingLostOnRestart: mail queued while the SMTP server is down and the site
// stops, and mail whose worker died mid-send, both arrive after the next start.
func TestNothingLostOnRestart(t *testing.T) {
	dir := t.TempDir()
	// A port with nothing listening: the first server's sends fail.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	first := openStore(t, dir)
	enqueue(t, first, "ada@example.com")
	enqueue(t, first, "ben@example.com")
	down := mustSender(t, "smtp+insecure://127.0.0.1:"+strconv.Itoa(deadPort), "news@news.test", "")
	now := testNow
	w := worker(first, down, &now)
	w.Lease = time.Minute
	if _, err := w.SendOne(context.Background()); err != nil { // ada: connection refused, retry later
		t.Fatal(err)
	}
	// ben: claimed, then the process is killed before the send's outcome is written.
	if _, err := first.Mail.Claim(context.Background(), now, w.Lease); err != nil {
		t.Fatal(err)
	}
	first.Close()

	srv := outboxtest.Start(t, nil, false)
	up := mustSender(t, "smtp+insecure://127.0.0.1:"+strconv.Itoa(srv.Port), "news@news.test", "")
	second := openStore(t, dir)
	later := time.Now() // the restarted worker runs on the real clock, well past both waits
	w2 := &Worker{Mail: second.Mail, Sender: up, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: 20 * time.Millisecond,
		Now: func() time.Time { return later.Add(time.Since(later)) }}
	stop := w2.Start(context.Background())
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.Messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	got := map[string]bool{}
	for _, m := range srv.Messages() {
		got[m.To[0]] = true
	}
	if len(srv.Messages()) != 2 || !got["ada@example.com"] || !got["ben@example.com"] {
		t.Fatalf("after restart received %+v", srv.Messages())
	}
	for _, to := range []string{"ada@example.com", "ben@example.com"} {
		if m := state(t, second, to); m.State != models.MailSent || m.Attempts != 2 {
			t.Errorf("%s: %+v", to, m)
		}
	}
}

func TestWithoutSMTPMailIsWrittenToAFolder(t *testing.T) {
	dir := t.TempDir()
	mailDir := filepath.Join(dir, "mail")
	sender := mustSender(t, "", "news@news.test", mailDir)
	if !strings.Contains(sender.String(), mailDir) {
		t.Errorf("start-up line %q does not say where mail goes", sender)
	}
	s := openStore(t, dir)
	enqueue(t, s, "ada@example.com")
	now := testNow
	if _, err := worker(s, sender, &now).SendOne(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := state(t, s, "ada@example.com")
	files, err := filepath.Glob(filepath.Join(mailDir, "*"))
	if err != nil || len(files) != 1 || filepath.Base(files[0]) != "000001.eml" || m.State != models.MailSent {
		t.Fatalf("files %v %v, state %+v", files, err, m)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	msg, body := outboxtest.Parse(t, data)
	if msg.Header.Get("To") != "<ada@example.com>" || !strings.Contains(body, "signup/confirm?token=abc") {
		t.Errorf("eml: %v\n%s", msg.Header, body)
	}
}

func TestSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url, want, err string
	}{
		{"smtp://u:p@mail.example", "SMTP server mail.example:587 (starttls) as u", ""},
		{"smtp://mail.example:2587", "SMTP server mail.example:2587 (starttls)", ""},
		{"smtps://u:p@mail.example", "SMTP server mail.example:465 (tls) as u", ""},
		{"smtp+insecure://127.0.0.1:2525", "SMTP server 127.0.0.1:2525 (insecure)", ""},
		{"smtp+insecure://[::1]:2525", "SMTP server [::1]:2525 (insecure)", ""},
		{"smtp+insecure://u:hunter2@mail.example:25", "", "only to a server on this machine"},
		{"http://u:hunter2@mail.example", "", "use smtp://"},
		{"smtp://u:hunter2@mail.example:99999", "", "port"},
		{"smtp://u:hunter2@", "", "names no server"},
		{"smtp://u:hunter2@mail.example/x?y", "", "drop the path"},
		{"smtp://u:hunter2@mail example:25", "", "not a URL"},
	} {
		s, err := New(tc.url, "news@news.test", "")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: error %v, want one with %q and no password", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil || s.String() != tc.want || strings.Contains(s.String(), "p@") {
			t.Errorf("%s: %v %v, want %q", tc.url, s, err, tc.want)
		}
	}
	if _, err := New("", "not an address", ""); err == nil {
		t.Error("a bad -mail-from was accepted")
	}
}

// The running worker forgets sent mail after Keep, so the outbox does not grow forever.
func TestWorkerPrunesSentMail(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	enqueue(t, s, "ada@example.com")
	now := testNow
	w := worker(s, mustSender(t, "", "news@news.test", filepath.Join(dir, "mail")), &now)
	if _, err := w.SendOne(context.Background()); err != nil {
		t.Fatal(err)
	}
	later := testNow.Add(2 * time.Hour)
	w.Now, w.Keep = func() time.Time { return later }, time.Hour
	stop := w.Start(context.Background())
	defer stop()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ms, err := s.Mail.To(context.Background(), "ada@example.com"); err == nil && len(ms) == 0 {
			return
		}
	}
	t.Error("sent mail older than Keep is still in the outbox")
}
