package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
)

// postFrom sends a same-origin form from the client address remote ("host:port").
func (ta *testApp) postFrom(remote, path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	ta.tb.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.RemoteAddr = remote
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return ta.do(req)
}

// everyStoredText is every value of every column of every table, as text.
func everyStoredText(t *testing.T, s *models.Store) []string {
	t.Helper()
	ctx := context.Background()
	names, err := s.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		rows, err := s.R.QueryContext(ctx, `SELECT * FROM "`+n+`"`)
		if err != nil {
			t.Fatal(n, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				switch v := v.(type) {
				case string:
					out = append(out, n+"."+cols[i]+"="+v)
				case []byte:
					out = append(out, n+"."+cols[i]+"="+string(v))
				}
			}
		}
		rows.Close()
	}
	return out
}

// Issue 11, privacy by default: after signing up, logging in (right and wrong),
// commenting and searching from an IPv4 and an IPv6 address, no column of any
// table holds either address, nor the network part of either.
func TestNoClientAddressIsStored(t *testing.T) {
	ta := newTestApp(t, func(c *Config) {
		c.RateLimits = RateLimits{"search": {Max: 100, Per: time.Minute}, "signup": {Max: 10, Per: time.Hour}}
	})
	sec := ta.section("World")
	art := ta.article("Sea wall", sec, ta.user("Writer One", models.RoleAuthor), nil)
	readers := []struct {
		remote string
		user   models.User
		forms  []string // what must not appear, however written
	}{
		{"203.0.113.45:50000", ta.user("Ada Four", models.RoleCommenter), []string{"203.0.113.45", "203.0.113."}},
		{"[2001:db8:85a3::8a2e:370:7334]:50000", ta.user("Bo Six", models.RoleCommenter), []string{"2001:db8", "8a2e:370:7334"}},
	}
	for _, r := range readers {
		ta.postFrom(r.remote, "/login", url.Values{"email": {r.user.Email}, "password": {"wrong password"}})
		res := ta.postFrom(r.remote, "/login", url.Values{"email": {r.user.Email}, "password": {testPassword}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login from %s: %d", r.remote, res.StatusCode)
		}
		if res := ta.postFrom(r.remote, "/articles/"+art.Slug+"/comments", url.Values{"body": {"Hello from " + r.user.Name}}, res.Cookies()...); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment from %s: %d", r.remote, res.StatusCode)
		}
		ta.postFrom(r.remote, "/signup", url.Values{"name": {"New " + r.user.Name}, "email": {"new." + r.user.Email}, "password": {"long enough password"}})
		req := httptest.NewRequest(http.MethodGet, "/search?q=wall", nil)
		req.RemoteAddr = r.remote
		ta.do(req)
		ta.advance(time.Minute)
	}
	var comments int
	for _, v := range everyStoredText(t, ta.Store) {
		for _, r := range readers {
			for _, f := range r.forms {
				if strings.Contains(v, f) {
					t.Errorf("stored: %s (holds %s)", v, f)
				}
			}
		}
		if strings.HasPrefix(v, "comment_networks.network=") {
			comments++
		}
	}
	if comments != 2 {
		t.Errorf("%d comments with a hashed network, want 2", comments)
	}
}

// Flood control and the moderation queue still work on hashed networks: a second
// address in the same /24 must wait as the first did, one in another network need
// not; the queue says how many comments came from the held one's network.
func TestFloodControlMatchesTheSameNetwork(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	st, _ := ta.Store.Settings.Get(ctx)
	st.GuestComments = true
	if err := ta.Store.Settings.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	sec := ta.section("World")
	art := ta.article("Sea wall", sec, ta.user("Writer One", models.RoleAuthor), nil)
	post := func(remote, name string) int {
		res := ta.postFrom(remote, "/articles/"+art.Slug+"/comments",
			url.Values{"body": {"A view from " + name}, "name": {name}, "email": {strings.ToLower(name) + "@example.com"}})
		return res.StatusCode
	}
	if got := post("198.51.100.7:1", "First"); got != http.StatusSeeOther {
		t.Fatalf("first guest: %d", got)
	}
	if got := post("198.51.100.200:1", "Neighbour"); got != http.StatusTooManyRequests {
		t.Errorf("same /24 at once: %d, want 429", got)
	}
	if got := post("198.51.101.7:1", "Stranger"); got != http.StatusSeeOther {
		t.Errorf("another network: %d, want 303", got)
	}
	ta.advance(time.Minute)
	if got := post("198.51.100.9:1", "Later"); got != http.StatusSeeOther {
		t.Errorf("same /24 a minute later: %d, want 303", got)
	}
	held, err := ta.Store.Comments.Pending(ctx, models.Page{Number: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	// Approved, a guest's comment shows their name, never their address.
	if err := ta.Store.Comments.Approve(ctx, ta.Now(), held.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	if page := body(t, ta.get("/articles/"+art.Slug)); !strings.Contains(page, "A view from First") || strings.Contains(page, "first@example.com") {
		t.Error("the approved guest comment is missing, or shows its e-mail address")
	}
	same := map[string]int{}
	for _, c := range held.Items {
		same[c.Name] = c.SameNetwork
	}
	if same["First"] != 1 || same["Later"] != 1 || same["Stranger"] != 0 {
		t.Errorf("same-network counts in the queue: %v", same)
	}
}

// Networks are forgotten after the site's "keep addresses" days, by the periodic
// job, without changing any page.
func TestOldNetworksArePurged(t *testing.T) {
	ta := newTestApp(t)
	sec := ta.section("World")
	art := ta.article("Sea wall", sec, ta.user("Writer One", models.RoleAuthor), nil)
	u := ta.user("Ada Four", models.RoleCommenter)
	ctx := context.Background()
	if _, err := ta.Store.Comments.Post(ctx, ta.Now(), models.NewComment{ArticleID: art.ID, User: &u, Body: "Old words", IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		if err := ta.Store.R.QueryRow("SELECT count(*) FROM comment_networks").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ta.advance(29 * 24 * time.Hour)
	before, _ := ta.Store.SiteVersions(ctx)
	ta.housekeep(ctx)
	if count() != 1 {
		t.Fatal("forgotten before 30 days")
	}
	ta.advance(2 * 24 * time.Hour)
	ta.housekeep(ctx)
	if count() != 0 {
		t.Fatal("kept after 30 days")
	}
	if after, _ := ta.Store.SiteVersions(ctx); after != before {
		t.Errorf("forgetting networks changed the content versions: %v → %v", before, after)
	}
}
