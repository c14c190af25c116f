package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
)

func TestSignup(t *testing.T) {
	ta := newTestApp(t)
	ta.user("Taken Name", models.RoleCommenter)
	cases := []struct {
		name, display, email, password string
		field, want                    string
	}{
		{"duplicate name", "taken name", "new@example.com", "long enough password", "name", "is taken"},
		{"short password", "Someone New", "new@example.com", "short", "password", "at least 10"},
		{"bad email", "Someone New", "not-an-email", "long enough password", "email", "Enter an email"},
		{"empty name", "  ", "new@example.com", "long enough password", "name", "Choose a display name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := ta.postForm("/signup", url.Values{"name": {tc.display}, "email": {tc.email}, "password": {tc.password}, "next": {"/articles/x"}})
			if res.StatusCode != http.StatusUnprocessableEntity || len(res.Cookies()) != 0 {
				t.Fatalf("status %d, cookies %v", res.StatusCode, res.Cookies())
			}
			doc := parse(t, res)
			if got := text(doc.Find("#f-" + tc.field + "-error")); !strings.Contains(got, tc.want) {
				t.Errorf("%s error = %q, want %q", tc.field, got, tc.want)
			}
			if v, _ := doc.Find("#f-email").Attr("value"); v != tc.email {
				t.Errorf("email not kept: %q", v)
			}
			if v, _ := doc.Find("input[name=next]").Attr("value"); v != "/articles/x" {
				t.Errorf("next not kept: %q", v)
			}
		})
	}
	// A valid sign-up makes no account and no session yet: the mailed link does.
	res := ta.postForm("/signup", url.Values{"name": {"Nadia Reader"}, "email": {"nadia@example.com"}, "password": {"long enough password"},
		"next": {"/articles/x#reply-form"}, "role": {"admin"}})
	if res.StatusCode != http.StatusOK || len(res.Cookies()) != 0 || text(parse(t, res).Find("h1")) != "Check your inbox" {
		t.Fatalf("signup: %d, cookies %v", res.StatusCode, res.Cookies())
	}
	res = ta.postForm("/signup/confirm", url.Values{"token": {ta.mailedToken("nadia@example.com", "/signup/confirm")},
		"password": {"long enough password"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/articles/x#reply-form" {
		t.Fatalf("signup: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v", session)
	}
	// Role cannot be chosen by the form.
	u, err := ta.Store.Users.ByEmail(context.Background(), "nadia@example.com")
	if err != nil || u.Role != models.RoleCommenter {
		t.Errorf("new account: %+v %v", u, err)
	}
}

func TestLoginErrorsAreVagueAndThrottled(t *testing.T) {
	ta := newTestApp(t)
	u := ta.user("Ada Reader", models.RoleCommenter)
	wrongPass := ta.postForm("/login", url.Values{"email": {u.Email}, "password": {"wrong password!"}})
	noUser := ta.postForm("/login", url.Values{"email": {"nobody@example.com"}, "password": {testPassword}})
	a, b := text(parse(t, wrongPass).Find(".error")), text(parse(t, noUser).Find(".error"))
	if a != b || a == "" || wrongPass.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("login errors differ or missing: %q vs %q", a, b)
	}
	for i := 0; i < models.MaxFailuresPerEmail-1; i++ {
		ta.postForm("/login", url.Values{"email": {u.Email}, "password": {"wrong password!"}})
	}
	// Locked: even the right password is refused for a while, with a clear answer.
	res := ta.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if res.StatusCode != http.StatusTooManyRequests || len(res.Cookies()) != 0 {
		t.Fatalf("locked login: %d", res.StatusCode)
	}
	if got := text(parse(t, res).Find(".error")); !strings.Contains(got, "Too many failed attempts") {
		t.Errorf("lock message = %q", got)
	}
	ta.advance(models.LoginWindow + time.Second)
	if res := ta.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("login after the lock: %d", res.StatusCode)
	}
}

func TestLoginMakesNewSessionAndReturnsToNext(t *testing.T) {
	ta := newTestApp(t)
	u := ta.user("Ada Reader", models.RoleCommenter)
	planted := &http.Cookie{Name: sessionCookie, Value: "planted-by-attacker"}
	res := ta.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/articles/x#reply-form"}}, planted)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/articles/x#reply-form" {
		t.Fatalf("login: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie && c.Value == planted.Value {
			t.Error("planted session kept (fixation)")
		}
	}
	if res := ta.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"//evil.example"}}); res.Header.Get("Location") != "/" {
		t.Errorf("open redirect to %q", res.Header.Get("Location"))
	}
}

func TestPasswordChangeAndLogoutEverywhere(t *testing.T) {
	ta := newTestApp(t)
	u := ta.user("Ada Reader", models.RoleCommenter)
	phone, laptop := ta.loginCookies(u), ta.loginCookies(u)
	signedIn := func(ck []*http.Cookie) bool {
		return parse(t, ta.getAs("/account", ck)).Find("h1").Text() == "Your account"
	}
	if !signedIn(phone) || !signedIn(laptop) {
		t.Fatal("not signed in")
	}
	res := ta.postForm("/account/password", url.Values{"current": {"wrong one!!"}, "password": {"a brand new password"}}, laptop...)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(parse(t, res).Find("#f-current-error")), "not your current password") {
		t.Errorf("wrong current password: %d", res.StatusCode)
	}
	res = ta.postForm("/account/password", url.Values{"current": {testPassword}, "password": {"short"}}, laptop...)
	if res.StatusCode != http.StatusUnprocessableEntity || text(parse(t, res).Find("#f-new-error")) == "" {
		t.Errorf("short new password: %d", res.StatusCode)
	}
	res = ta.postForm("/account/password", url.Values{"current": {testPassword}, "password": {"a brand new password"}}, laptop...)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d", res.StatusCode)
	}
	var fresh []*http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			fresh = append(fresh, c)
		}
	}
	if signedIn(phone) || signedIn(laptop) {
		t.Error("old sessions survived a password change")
	}
	if !signedIn(fresh) {
		t.Error("the browser that changed the password was logged out")
	}
	other := ta.loginCookiesWith(u.Email, "a brand new password")
	if res := ta.postForm("/account/sessions/end", nil, fresh...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout everywhere: %d", res.StatusCode)
	}
	if signedIn(fresh) || signedIn(other) {
		t.Error("a session survived logout everywhere")
	}
	if res := ta.get("/account"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous /account: %d", res.StatusCode)
	}
}

// loginCookiesWith logs in with explicit credentials.
func (ta *testApp) loginCookiesWith(email, password string) []*http.Cookie {
	ta.tb.Helper()
	res := ta.postForm("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		ta.tb.Fatalf("login as %s: %d", email, res.StatusCode)
	}
	return res.Cookies()
}
