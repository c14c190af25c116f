package handlers

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

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

// 200 guesses at once, one of them right: once the limit is reached, nothing more is
// checked, so at most MaxFailuresPerEmail are ever answered as a wrong password, and
// the right one, wherever it falls, does not let more through. Counting failures after
// the check let all of them through; a login clearing the window's failures let five
// more through whenever the right one was among the first five checked.
func TestLoginLockoutHoldsAgainstSimultaneousGuesses(t *testing.T) {
	ta := newTestApp(t)
	u := ta.user("Ada Reader", models.RoleCommenter)
	const guesses = 200
	statuses := make(chan int, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		password := "wrong password " + strconv.Itoa(i)
		if i == guesses/2 {
			password = testPassword
		}
		wg.Go(func() {
			statuses <- ta.postForm("/login", url.Values{"email": {u.Email}, "password": {password}}).StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	checked := map[int]int{}
	for s := range statuses {
		checked[s]++
	}
	if checked[http.StatusUnprocessableEntity] > models.MaxFailuresPerEmail || checked[http.StatusSeeOther] > 1 ||
		checked[http.StatusUnprocessableEntity]+checked[http.StatusSeeOther]+checked[http.StatusTooManyRequests] != guesses {
		t.Errorf("of %d simultaneous guesses, %d were checked and refused as wrong (%v); the limit is %d",
			guesses, checked[http.StatusUnprocessableEntity], checked, models.MaxFailuresPerEmail)
	}
	// The same from one address across many accounts: the address's limit holds.
	ta.advance(models.LoginWindow + time.Second)
	emails := make([]string, 0, 40)
	for i := range cap(emails) {
		emails = append(emails, ta.user("Reader "+strconv.Itoa(i), models.RoleCommenter).Email)
	}
	statuses = make(chan int, len(emails))
	for _, e := range emails {
		wg.Go(func() {
			statuses <- ta.postForm("/login", url.Values{"email": {e}, "password": {"wrong password!"}}).StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	admitted := 0
	for s := range statuses {
		if s != http.StatusTooManyRequests {
			admitted++
		}
	}
	if admitted > models.MaxFailuresPerIP {
		t.Errorf("%d guesses from one address were checked; the limit is %d", admitted, models.MaxFailuresPerIP)
	}
}

// A cookie saved before logging out must not open the account afterwards: deleting
// it in the browser is not enough when a copy exists.
func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	ta := newTestApp(t)
	u := ta.user("Ada Reader", models.RoleCommenter)
	saved := ta.loginCookies(u)
	if res := ta.getAs("/account", saved); res.StatusCode != http.StatusOK {
		t.Fatalf("logged in /account: %d", res.StatusCode)
	}
	if res := ta.postForm("/logout", nil, saved...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res := ta.getAs("/account", saved); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("a cookie saved before logout still opens /account: %d", res.StatusCode)
	}
	// An anonymous logout is harmless.
	if res := ta.postForm("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous logout: %d", res.StatusCode)
	}
}

// A session cookie says it lives 14 days; the server must refuse it after that too,
// not at gorilla's own 30-day default.
func TestSessionCookieOlderThanItsMaxAgeIsRefused(t *testing.T) {
	ta := newTestApp(t)
	u := ta.user("Ada Reader", models.RoleCommenter)
	for _, tc := range []struct {
		age    time.Duration
		signed bool
	}{{24 * time.Hour, true}, {13 * 24 * time.Hour, true}, {15 * 24 * time.Hour, false}, {29 * 24 * time.Hour, false}} {
		ck := mintSessionCookie(t, time.Now().Add(-tc.age), map[any]any{"uid": u.ID, "ver": u.SessionVersion})
		res := ta.getAs("/account", []*http.Cookie{ck})
		if signed := res.StatusCode == http.StatusOK; signed != tc.signed {
			t.Errorf("a session cookie minted %v ago: status %d, want signed in = %v", tc.age, res.StatusCode, tc.signed)
		}
	}
}

// mintSessionCookie encodes a session cookie as gorilla's securecookie does, with the
// test app's keys, stamped at a chosen time (securecookie's own clock cannot be set).
func mintSessionCookie(tb testing.TB, at time.Time, values map[any]any) *http.Cookie {
	tb.Helper()
	key := []byte(strings.Repeat("k", 32)) // newTestApp's hash and block key
	plain, err := securecookie.GobEncoder{}.Serialize(values)
	if err != nil {
		tb.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		tb.Fatal(err)
	}
	iv := make([]byte, block.BlockSize())
	rand.Read(iv)
	cipher.NewCTR(block, iv).XORKeyStream(plain, plain)
	b64 := base64.URLEncoding
	signed := fmt.Sprintf("%s|%d|%s", sessionCookie, at.Unix(), b64.EncodeToString(append(iv, plain...)))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signed))
	value := b64.EncodeToString(append([]byte(signed[len(sessionCookie)+1:]+"|"), mac.Sum(nil)...))
	return &http.Cookie{Name: sessionCookie, Value: value}
}

// ?next= accepts only a clean path on this site: browsers drop tabs and newlines and
// read backslashes as slashes, so each refused case below lands on another site.
func TestNextAcceptsOnlyCleanLocalPaths(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/articles/x#reply-form", "/articles/x#reply-form"},
		{"/search?q=tide+tables&page=2", "/search?q=tide+tables&page=2"},
		{"/", "/"},
		{"", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"\t//evil.example", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/\\\\evil.example", "/"},
		{"/articles/x\\..\\..\\evil", "/"},
		{"/ /evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/\u0085/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/a/\xff", "/"},
	} {
		if got := localPath(tc.next); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
	// The same through the forms a reader submits: login and sign-up.
	ta := newTestApp(t)
	u := ta.user("Ada Reader", models.RoleCommenter)
	const evil = "/\t/evil.example"
	if res := ta.postForm("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {evil}}); res.Header.Get("Location") != "/" {
		t.Errorf("login redirected to %q", res.Header.Get("Location"))
	}
	ta.postForm("/signup", url.Values{"name": {"Nadia Reader"}, "email": {"nadia@example.com"}, "password": {"long enough password"}, "next": {evil}}).Body.Close()
	res := ta.postForm("/signup/confirm", url.Values{"token": {ta.mailedToken("nadia@example.com", "/signup/confirm")},
		"password": {"long enough password"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Errorf("sign-up (finished from the mailed link) redirected to %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if v, _ := parse(t, ta.get("/login?next=%2F%09%2Fevil.example")).Find("input[name=next]").Attr("value"); v != "/" {
		t.Errorf("login form carries next=%q", v)
	}
}

// Sign-up is limited per client address: a script could otherwise create accounts in
// bulk or ask, a hundred times in nine seconds, which emails already have one. Over the
// limit the form comes back with 429, Retry-After and the text kept; other addresses
// and the same address after the window are served.
func TestSignupIsRateLimitedPerAddress(t *testing.T) {
	signupRate := DefaultRateLimits()["signup"]
	ta := newTestApp(t, func(c *Config) { c.RateLimits = RateLimits{"signup": signupRate} })
	ta.user("Ada Reader", models.RoleCommenter)
	signup := func(ip, email string) *http.Response {
		req := httptest.NewRequest(http.MethodPost, "/signup", strings.NewReader(url.Values{"name": {"Probe " + email}, "email": {email},
			"password": {"long enough password"}, "next": {"/articles/x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.RemoteAddr = ip + ":4000"
		return ta.do(req)
	}
	for i := range signupRate.Max {
		email := "ada.reader@example.com" // probing a known address: refused, and counted
		if i%2 == 0 {
			email = "new" + strconv.Itoa(i) + "@example.com"
		}
		if res := signup("203.0.113.7", email); res.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("attempt %d refused before the limit", i+1)
		}
	}
	res := signup("203.0.113.7", "one.more@example.com")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("sign-up over the limit: %d, want 429", res.StatusCode)
	}
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra <= 0 || ra > int(signupRate.Per.Seconds()) {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	doc := parse(t, res)
	if got := text(doc.Find("[role=alert]")); !strings.Contains(got, "Too many sign-ups") {
		t.Errorf("message %q", got)
	}
	if v, _ := doc.Find("#f-email").Attr("value"); v != "one.more@example.com" {
		t.Errorf("email not kept: %q", v)
	}
	if v, _ := doc.Find("#f-name").Attr("value"); v != "Probe one.more@example.com" {
		t.Errorf("name not kept: %q", v)
	}
	if _, err := ta.Store.Users.ByEmail(context.Background(), "one.more@example.com"); err == nil {
		t.Error("an account was created over the limit")
	}
	// Under the limit the answer is "check your inbox" (200), whatever the address.
	if res := signup("198.51.100.9", "elsewhere@example.com"); res.StatusCode != http.StatusOK {
		t.Errorf("another address: %d", res.StatusCode)
	}
	ta.advance(signupRate.Per + time.Second)
	if res := signup("203.0.113.7", "later@example.com"); res.StatusCode != http.StatusOK {
		t.Errorf("after the window: %d", res.StatusCode)
	}
}
