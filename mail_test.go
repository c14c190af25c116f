package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"broadsheet/outbox/outboxtest"
)

// signUp asks the running site for an account, as a browser would.
func signUp(t *testing.T, addr, email string) {
	t.Helper()
	res, err := http.PostForm("http://"+addr+"/signup", url.Values{"name": {"Nadia Reader"}, "email": {email}, "password": {"long enough password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign-up: %d", res.StatusCode)
	}
}

func eventually(t *testing.T, what string, logs *syncBuffer, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("%s: not within 15 s:\n%s", what, logs)
}

// With BROADSHEET_SMTP set, serve's worker delivers a sign-up's mail to the server,
// from -mail-from, and the start-up log names the server but not its password.
func TestServeSendsMailThroughSMTP(t *testing.T) {
	cleanEnv(t)
	srv := outboxtest.Start(t, nil, false)
	srv.Login("mailer", "hunter2")
	t.Setenv("BROADSHEET_SMTP", "smtp+insecure://mailer:hunter2@127.0.0.1:"+strconv.Itoa(srv.Port))
	var logs syncBuffer
	addr, stop := startServe(t, &logs, "-data", t.TempDir(), "-seed=false", "-mail-from", "news@paper.test")
	signUp(t, addr, "nadia@example.com")
	eventually(t, "mail delivered", &logs, func() bool { return len(srv.Messages()) == 1 })
	stop()
	m := srv.Messages()[0]
	if m.From != "news@paper.test" || m.To[0] != "nadia@example.com" || !strings.Contains(string(m.Data), "/signup/confirm?token=") {
		t.Errorf("received %s → %v:\n%s", m.From, m.To, m.Data)
	}
	if out := logs.String(); !strings.Contains(out, "SMTP server 127.0.0.1:"+strconv.Itoa(srv.Port)) || strings.Contains(out, "hunter2") {
		t.Errorf("start-up log:\n%s", out)
	}
}

// Without an SMTP server the mail lands in DATA/mail as .eml files, and the log says so.
func TestServeWritesMailToAFolderWithoutSMTP(t *testing.T) {
	cleanEnv(t)
	data := t.TempDir()
	var logs syncBuffer
	addr, stop := startServe(t, &logs, "-data", data, "-seed=false")
	signUp(t, addr, "nadia@example.com")
	var files []string
	eventually(t, ".eml written", &logs, func() bool {
		files, _ = filepath.Glob(filepath.Join(data, "mail", "*.eml"))
		return len(files) == 1
	})
	stop()
	body, err := os.ReadFile(files[0])
	if err != nil || !strings.Contains(string(body), "To: <nadia@example.com>") || !strings.Contains(string(body), "From: <broadsheet@127.0.0.1>") {
		t.Errorf("eml %v:\n%s", err, body)
	}
	if out := logs.String(); !strings.Contains(out, "mail is written to "+filepath.Join(data, "mail")) {
		t.Errorf("start-up log does not say where mail goes:\n%s", out)
	}
}

func TestServeRefusesABadSMTPURL(t *testing.T) {
	cleanEnv(t)
	r := runCLI("", "serve", "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-smtp", "smtp+insecure://u:hunter2@mail.example.com:25")
	if r.code != exitUsage || !strings.Contains(r.stderr, "only to a server on this machine") || strings.Contains(r.stderr, "hunter2") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
}
