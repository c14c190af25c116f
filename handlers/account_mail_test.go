package handlers

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/outbox"
	"broadsheet/outbox/outboxtest"
)

var linkRE = regexp.MustCompile(`http://news\.test(/[^\s]*)`)

// mailedLink is the site path (with query) of the link to path in the last message
// queued for to.
func (ta *testApp) mailedLink(to, path string) string {
	ta.tb.Helper()
	ms, err := ta.Store.Mail.To(context.Background(), to)
	if err != nil || len(ms) == 0 {
		ta.tb.Fatalf("no mail to %s: %v", to, err)
	}
	for _, m := range linkRE.FindAllStringSubmatch(ms[len(ms)-1].Body, -1) {
		if strings.HasPrefix(m[1], path) {
			return m[1]
		}
	}
	ta.tb.Fatalf("no link to %s in the mail to %s:\n%s", path, to, ms[len(ms)-1].Body)
	return ""
}

// mailedToken is the token of that link.
func (ta *testApp) mailedToken(to, path string) string {
	ta.tb.Helper()
	u, err := url.Parse(ta.mailedLink(to, path))
	if err != nil {
		ta.tb.Fatal(err)
	}
	return u.Query().Get("token")
}

// answer is what a visitor sees of a response: status, headers that vary by nothing
// personal, body bytes, and the work it took (CPU time of this process: unlike the
// time on the clock, other work on a shared machine does not inflate it).
type answer struct {
	status  int
	headers http.Header
	body    []byte
	took    time.Duration
}

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (ta *testApp) answer(path string, form url.Values) answer {
	ta.tb.Helper()
	start := cpuTime()
	res := ta.postForm(path, form)
	took := cpuTime() - start
	body, err := io.ReadAll(res.Body)
	if err != nil {
		ta.tb.Fatal(err)
	}
	h := res.Header.Clone()
	h.Del(echoRequestID) // a fresh id on every answer
	return answer{res.StatusCode, h, body, took}
}

const echoRequestID = "X-Request-Id"

func sameAnswer(t *testing.T, a, b answer) {
	t.Helper()
	if a.status != b.status || !bytes.Equal(a.body, b.body) {
		t.Errorf("answers differ: %d vs %d\n%s\n----\n%s", a.status, b.status, a.body, b.body)
	}
	for k := range a.headers {
		if a.headers.Get(k) != b.headers.Get(k) {
			t.Errorf("header %s: %q vs %q", k, a.headers.Get(k), b.headers.Get(k))
		}
	}
	if len(a.headers) != len(b.headers) {
		t.Errorf("headers differ: %v vs %v", a.headers, b.headers)
	}
}

// sendOutbox runs the outbox worker against a real SMTP server on loopback until
// nothing is due, and returns the server.
func (ta *testApp) sendOutbox(srv *outboxtest.Server) {
	ta.tb.Helper()
	sender, err := outbox.New("smtp+insecure://127.0.0.1:"+strconv.Itoa(srv.Port), "The Broadsheet <news@news.test>", "")
	if err != nil {
		ta.tb.Fatal(err)
	}
	w := &outbox.Worker{Mail: ta.Store.Mail, Sender: sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: ta.Now}
	for {
		sent, err := w.SendOne(context.Background())
		if err != nil {
			ta.tb.Fatal(err)
		}
		if !sent {
			return
		}
	}
}

// received returns the text of the one message srv received for to, which must be
// marked as sent by a machine.
func received(t *testing.T, srv *outboxtest.Server, to string) (subject, body string) {
	t.Helper()
	var found []string
	for _, m := range srv.Messages() {
		if len(m.To) == 1 && m.To[0] == to {
			msg, text := outboxtest.Parse(t, m.Data)
			subject, body = msg.Header.Get("Subject"), text
			if msg.Header.Get("Auto-Submitted") != "auto-generated" || msg.Header.Get("From") != `"The Broadsheet" <news@news.test>` {
				t.Errorf("headers of %q: %v", subject, msg.Header)
			}
			found = append(found, subject)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d messages to %s, want 1: %v", len(found), to, found)
	}
	return subject, body
}

// Issue 12: signing up with an address that has an account answers exactly as with
// a new one (same status, headers and bytes, the same order of time), and the owner
// is mailed instead. Both messages arrive at a real SMTP server, and the newcomer's
// link opens the account.
func TestSignupAnswersAlikeForAKnownAddress(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.user("Ada Owner", models.RoleCommenter)
	form := func(name, email string) url.Values {
		return url.Values{"name": {name}, "email": {email}, "password": {"long enough password"}, "next": {"/"}}
	}
	known := ta.answer("/signup", form("Someone New", owner.Email))
	fresh := ta.answer("/signup", form("Other New", "fresh@example.com"))
	sameAnswer(t, known, fresh)
	if known.status != http.StatusOK || known.headers.Get("Set-Cookie") != "" || !bytes.Contains(known.body, []byte("Check your inbox")) {
		t.Fatalf("answer: %d %v\n%s", known.status, known.headers, known.body)
	}
	// Both hash a password (tens of milliseconds); an unhashed answer is far quicker.
	for i := range 3 {
		k := ta.answer("/signup", form("Someone New", strings.ToUpper(owner.Email)))
		f := ta.answer("/signup", form("Third New", "third"+strconv.Itoa(i)+"@example.com"))
		sameAnswer(t, k, f)
		known.took, fresh.took = min(known.took, k.took), min(fresh.took, f.took)
	}
	t.Logf("fastest of 4: known address %s, new address %s", known.took, fresh.took)
	if ratio := float64(known.took) / float64(fresh.took); ratio < 0.25 || ratio > 4 {
		t.Errorf("known address answered in %s, new one in %s", known.took, fresh.took)
	}

	srv := outboxtest.Start(t, nil, false)
	ta.sendOutbox(srv)
	subject, body := received(t, srv, owner.Email) // once: repeats within minutes mail nobody
	if !strings.Contains(subject, "Someone tried to sign up") || !strings.Contains(body, "http://news.test/login") ||
		!strings.Contains(body, "http://news.test/password/forgot") || !strings.Contains(body, "Hello Ada Owner") {
		t.Errorf("owner's mail: %s\n%s", subject, body)
	}
	if _, err := ta.Store.Users.ByEmail(context.Background(), "fresh@example.com"); err == nil {
		t.Error("an account exists before its link was followed")
	}
	subject, body = received(t, srv, "fresh@example.com")
	m := linkRE.FindStringSubmatch(body)
	if !strings.HasPrefix(subject, "Finish signing up") || m == nil || !strings.HasPrefix(m[1], "/signup/confirm?token=") {
		t.Fatalf("newcomer's mail: %s\n%s", subject, body)
	}
	page := ta.get(m[1])
	if page.StatusCode != http.StatusOK || page.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("link page: %d %q", page.StatusCode, page.Header.Get("Cache-Control"))
	}
	doc := parse(t, page)
	if !strings.Contains(text(doc.Find(".form-page")), "fresh@example.com") {
		t.Errorf("link page does not say what it confirms: %s", text(doc.Find(".form-page")))
	}
	token, _ := doc.Find("input[name=token]").Attr("value")
	res := ta.postForm("/signup/confirm", url.Values{"token": {token}, "password": {"long enough password"}})
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) == 0 {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if u, err := ta.Store.Users.ByEmail(context.Background(), "fresh@example.com"); err != nil || u.Name != "Other New" {
		t.Errorf("account after the link: %+v %v", u, err)
	}
}

func TestSignupLinkUsedOrForged(t *testing.T) {
	ta := newTestApp(t)
	ta.postForm("/signup", url.Values{"name": {"Nadia"}, "email": {"nadia@example.com"}, "password": {"long enough password"}})
	token := ta.mailedToken("nadia@example.com", "/signup/confirm")
	// Without the password chosen at sign-up (the address's owner, if someone else
	// signed up with it) the link opens nothing and stays good.
	res := ta.postForm("/signup/confirm", url.Values{"token": {token}, "password": {"the owner's guess"}})
	if doc := parse(t, res); res.StatusCode != http.StatusUnprocessableEntity || len(res.Cookies()) != 0 ||
		!strings.Contains(text(doc.Find("#f-password-error")), "not the password you chose") || doc.Find("#f-name").Length() != 0 {
		t.Fatalf("wrong password: %d %s", res.StatusCode, text(doc.Find(".form-page")))
	}
	if res := ta.postForm("/signup/confirm", url.Values{"token": {token}, "password": {"long enough password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use: %d", res.StatusCode)
	}
	for name, tok := range map[string]string{"reused": token, "forged": "x" + token[1:], "empty": ""} {
		res := ta.postForm("/signup/confirm", url.Values{"token": {tok}, "password": {"long enough password"}})
		if res.StatusCode != http.StatusGone || len(res.Cookies()) != 0 {
			t.Errorf("%s: %d %v", name, res.StatusCode, res.Cookies())
		}
		if h := text(parse(t, res).Find("h1")); h != "This link no longer works" {
			t.Errorf("%s: %q", name, h)
		}
		if res := ta.get("/signup/confirm?token=" + url.QueryEscape(tok)); res.StatusCode != http.StatusGone {
			t.Errorf("%s link page: %d", name, res.StatusCode)
		}
	}
}

func TestSignupLinkExpires(t *testing.T) {
	ta := newTestApp(t)
	ta.postForm("/signup", url.Values{"name": {"Nadia"}, "email": {"nadia@example.com"}, "password": {"long enough password"}})
	token := ta.mailedToken("nadia@example.com", "/signup/confirm")
	ta.advance(models.SignupTokenTTL)
	if res := ta.postForm("/signup/confirm", url.Values{"token": {token}, "password": {"long enough password"}}); res.StatusCode != http.StatusGone {
		t.Errorf("expired link: %d", res.StatusCode)
	}
}

// The display name was taken between the sign-up and the link: the reader picks
// another on the link's page, with the link still good.
func TestSignupLinkAsksForAnotherNameIfTaken(t *testing.T) {
	ta := newTestApp(t)
	ta.postForm("/signup", url.Values{"name": {"Nadia"}, "email": {"nadia@example.com"}, "password": {"long enough password"}})
	token := ta.mailedToken("nadia@example.com", "/signup/confirm")
	if _, err := ta.Store.Users.Create(context.Background(), testNow, models.NewUser{Email: "other@example.com", Name: "Nadia", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	res := ta.postForm("/signup/confirm", url.Values{"token": {token}, "password": {"long enough password"}})
	doc := parse(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(doc.Find("#f-name-error")), "Choose another") {
		t.Fatalf("name taken meanwhile: %d %s", res.StatusCode, text(doc.Find(".form-page")))
	}
	if res := ta.postForm("/signup/confirm", url.Values{"token": {token}, "password": {"long enough password"}, "name": {"Nadia K"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("with another name: %d", res.StatusCode)
	}
}

// Forgotten password: the answer never tells whether the address has an account;
// the link sets a new password once, ends the other sessions, and then no longer works.
func TestPasswordResetByMail(t *testing.T) {
	ta := newTestApp(t)
	u := ta.user("Ada Reader", models.RoleCommenter)
	old := ta.loginCookies(u)
	sameAnswer(t, ta.answer("/password/forgot", url.Values{"email": {u.Email}}), ta.answer("/password/forgot", url.Values{"email": {"nobody@example.com"}}))
	if ms, _ := ta.Store.Mail.To(context.Background(), "nobody@example.com"); len(ms) != 0 {
		t.Errorf("mail to an address with no account: %+v", ms)
	}
	srv := outboxtest.Start(t, nil, false)
	ta.sendOutbox(srv)
	subject, body := received(t, srv, u.Email)
	m := linkRE.FindStringSubmatch(body)
	if !strings.HasPrefix(subject, "Set a new password") || m == nil || !strings.HasPrefix(m[1], "/password/reset?token=") {
		t.Fatalf("reset mail: %s\n%s", subject, body)
	}
	page := ta.get(m[1])
	token, _ := parse(t, page).Find("input[name=token]").Attr("value")
	if page.StatusCode != http.StatusOK || page.Header.Get("Cache-Control") != "private, no-store" || token == "" {
		t.Fatalf("reset page: %d %q token %q", page.StatusCode, page.Header.Get("Cache-Control"), token)
	}
	res := ta.postForm("/password/reset", url.Values{"token": {token}, "password": {"short"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(parse(t, res).Find("#f-password-error")), "at least 10") {
		t.Fatalf("short password: %d", res.StatusCode)
	}
	res = ta.postForm("/password/reset", url.Values{"token": {token}, "password": {"a brand new password"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("reset: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if parse(t, ta.getAs("/account", res.Cookies())).Find("h1").Text() != "Your account" {
		t.Error("not logged in after the reset")
	}
	if res := ta.getAs("/account", old); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a session from before the reset still works: %d", res.StatusCode)
	}
	if len(ta.loginCookiesWith(u.Email, "a brand new password")) == 0 {
		t.Error("the new password does not log in")
	}
	if res := ta.postForm("/password/reset", url.Values{"token": {token}, "password": {"another new password"}}); res.StatusCode != http.StatusGone {
		t.Errorf("reused link: %d", res.StatusCode)
	}
	ta.advance(models.MailEvery + time.Second)
	ta.postForm("/password/forgot", url.Values{"email": {u.Email}})
	late := ta.mailedToken(u.Email, "/password/reset")
	ta.advance(models.ResetTokenTTL)
	if res := ta.postForm("/password/reset", url.Values{"token": {late}, "password": {"another new password"}}); res.StatusCode != http.StatusGone {
		t.Errorf("expired link: %d", res.StatusCode)
	}
}

// A link's token never reaches the request log.
func TestMailedTokensStayOutOfTheLog(t *testing.T) {
	ta := newTestApp(t)
	var logs bytes.Buffer
	ta.Log = slog.New(slog.NewTextHandler(&logs, nil))
	ta.get("/password/reset?token=s3cr3t-token&x=1")
	if strings.Contains(logs.String(), "s3cr3t") || !strings.Contains(logs.String(), "/password/reset?token=REDACTED") {
		t.Errorf("log: %s", logs.String())
	}
}
