package handlers

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// adminSite is a site with one person of every role, a section, an author's draft and a photo.
type adminSite struct {
	*testApp
	sec                              models.Section
	admin, editor, author, commenter models.User
	target                           models.User // a reader whose account admins act on
	draft                            models.Article
	photo                            models.Media
	cookies                          map[string][]*http.Cookie
}

func newAdminSite(t *testing.T) *adminSite {
	ta := newTestApp(t)
	n := &adminSite{testApp: ta, sec: ta.section("World"), cookies: map[string][]*http.Cookie{}}
	n.admin, n.editor = ta.user("Ada Admin", models.RoleAdmin), ta.user("Eddie Editor", models.RoleEditor)
	n.author, n.commenter = ta.user("Arthur Author", models.RoleAuthor), ta.user("Cora Commenter", models.RoleCommenter)
	n.target = ta.user("Target Reader", models.RoleCommenter)
	n.draft = ta.article("Draft by the author", n.sec, n.author, func(in *models.ArticleInput) {
		in.Status, in.PublishedAt, in.EditorID = models.StatusDraft, testNow, n.author.ID
	})
	n.photo = ta.photo()
	for role, u := range map[string]models.User{"admin": n.admin, "editor": n.editor, "author": n.author, "commenter": n.commenter} {
		n.cookies[role] = ta.loginCookies(u)
	}
	return n
}

// send makes a request as role ("" = logged out); POSTs carry an empty form.
func (n *adminSite) send(method, path, role string, form url.Values) *http.Response {
	n.tb.Helper()
	var req *http.Request
	if method == http.MethodPost {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for _, c := range n.cookies[role] {
		req.AddCookie(c)
	}
	return n.do(req)
}

var (
	writers = []string{"admin", "editor", "author"}
	editors = []string{"admin", "editor"}
	admins  = []string{"admin"}
)

// TestAdminRouteTable walks every registered /admin route and method as every role and
// as a logged-out visitor. A new route without a row here fails the test.
func TestAdminRouteTable(t *testing.T) {
	n := newAdminSite(t)
	id := strconv.FormatInt(n.draft.ID, 10)
	doomed := 0
	held, err := n.Store.Comments.Post(t.Context(), testNow, models.NewComment{ArticleID: n.draft.ID, User: &n.target, Body: "A first comment."})
	if err != nil {
		t.Fatal(err)
	}
	cid := strconv.FormatInt(held.ID, 10)
	// A fresh entry each time: deleting one is real.
	liveEntryPath := func() string {
		e := n.liveEntry(n.draft, n.editor, models.LiveEntryInput{Body: "An entry"})
		return "/admin/articles/" + id + "/live/entries/" + strconv.FormatInt(e.ID, 10)
	}
	note, err := n.Store.Corrections.File(t.Context(), testNow, n.draft.ID, models.CorrectionInput{Kind: models.KindCorrection, Body: "A name was misspelt.", UserID: n.editor.ID})
	if err != nil {
		t.Fatal(err)
	}
	noteID := strconv.FormatInt(note, 10)
	table := map[string]struct {
		allowed []string
		path    func() string
	}{
		"GET /admin":                                          {writers, func() string { return "/admin" }},
		"GET /admin/articles":                                 {writers, func() string { return "/admin/articles" }},
		"GET /admin/articles/new":                             {writers, func() string { return "/admin/articles/new" }},
		"POST /admin/articles":                                {writers, func() string { return "/admin/articles" }},
		"GET /admin/articles/:id":                             {writers, func() string { return "/admin/articles/" + id }},
		"POST /admin/articles/:id":                            {writers, func() string { return "/admin/articles/" + id }},
		"GET /admin/articles/:id/preview":                     {writers, func() string { return "/admin/articles/" + id + "/preview" }},
		"GET /admin/articles/:id/revisions":                   {writers, func() string { return "/admin/articles/" + id + "/revisions" }},
		"POST /admin/articles/:id/restore":                    {writers, func() string { return "/admin/articles/" + id + "/restore" }},
		"GET /admin/articles/:id/live":                        {editors, func() string { return "/admin/articles/" + id + "/live" }},
		"POST /admin/articles/:id/live":                       {editors, func() string { return "/admin/articles/" + id + "/live" }},
		"POST /admin/articles/:id/live/close":                 {editors, func() string { return "/admin/articles/" + id + "/live/close" }},
		"POST /admin/articles/:id/live/entries":               {editors, func() string { return "/admin/articles/" + id + "/live/entries" }},
		"GET /admin/articles/:id/live/entries/:entry":         {editors, func() string { return liveEntryPath() }},
		"POST /admin/articles/:id/live/entries/:entry":        {editors, func() string { return liveEntryPath() }},
		"POST /admin/articles/:id/live/entries/:entry/delete": {editors, func() string { return liveEntryPath() + "/delete" }},
		"GET /admin/media":                                    {writers, func() string { return "/admin/media" }},
		"POST /admin/media":                                   {writers, func() string { return "/admin/media" }},
		"POST /admin/media/:id":                               {writers, func() string { return "/admin/media/" + strconv.FormatInt(n.photo.ID, 10) }},
		"GET /admin/sections":                                 {editors, func() string { return "/admin/sections" }},
		"POST /admin/sections":                                {editors, func() string { return "/admin/sections" }},
		"POST /admin/sections/:id":                            {editors, func() string { return "/admin/sections/" + strconv.FormatInt(n.sec.ID, 10) }},
		"POST /admin/sections/:id/move":                       {editors, func() string { return "/admin/sections/" + strconv.FormatInt(n.sec.ID, 10) + "/move" }},
		"POST /admin/articles/:id/corrections":                {editors, func() string { return "/admin/articles/" + id + "/corrections" }},
		"POST /admin/corrections/:id":                         {editors, func() string { return "/admin/corrections/" + noteID }},
		"GET /admin/front":                                    {editors, func() string { return "/admin/front" }},
		"POST /admin/front":                                   {editors, func() string { return "/admin/front" }},
		"POST /admin/front/:id/move":                          {editors, func() string { return "/admin/front/" + strconv.FormatInt(n.draft.ID, 10) + "/move" }},
		"POST /admin/front/:id/remove":                        {editors, func() string { return "/admin/front/" + strconv.FormatInt(n.draft.ID, 10) + "/remove" }},
		"GET /admin/users":                                    {admins, func() string { return "/admin/users" }},
		"POST /admin/users":                                   {admins, func() string { return "/admin/users" }},
		"POST /admin/users/:id/role":                          {admins, func() string { return "/admin/users/" + strconv.FormatInt(n.target.ID, 10) + "/role" }},
		"POST /admin/users/:id/deactivate":                    {admins, func() string { return "/admin/users/" + strconv.FormatInt(n.target.ID, 10) + "/deactivate" }},
		"POST /admin/users/:id/password":                      {admins, func() string { return "/admin/users/" + strconv.FormatInt(n.target.ID, 10) + "/password" }},
		"GET /admin/comments":                                 {editors, func() string { return "/admin/comments" }},
		"POST /admin/comments/bulk":                           {editors, func() string { return "/admin/comments/bulk" }},
		"POST /admin/articles/bulk":                           {editors, func() string { return "/admin/articles/bulk" }},
		"POST /admin/autosave":                                {writers, func() string { return "/admin/autosave?article=0" }},
		"POST /admin/comments/:id/edit":                       {editors, func() string { return "/admin/comments/" + cid + "/edit" }},
		"GET /admin/comments/:id/votes":                       {editors, func() string { return "/admin/comments/" + cid + "/votes" }},
		"POST /admin/comments/:id/:action":                    {editors, func() string { return "/admin/comments/" + cid + "/approve" }},
		"POST /admin/users/:id/block":                         {editors, func() string { return "/admin/users/" + strconv.FormatInt(n.target.ID, 10) + "/block" }},
		"GET /admin/settings":                                 {admins, func() string { return "/admin/settings" }},
		"POST /admin/settings":                                {admins, func() string { return "/admin/settings" }},
		"GET /admin/debug/pprof/*":                            {admins, func() string { return "/admin/debug/pprof/heap" }},
		"POST /admin/media/:id/delete": {editors, func() string { // a fresh photo each time, likewise
			doomed++
			m, err := n.Store.Media.Save(t.Context(), testNow, bytes.NewReader(testPNG(t, 40+doomed, 30)), models.Media{Alt: "Doomed"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			return "/admin/media/" + strconv.FormatInt(m.ID, 10) + "/delete"
		}},
		"POST /admin/articles/:id/delete": {editors, func() string { // a fresh story each time: deleting is real
			doomed++
			return "/admin/articles/" + strconv.FormatInt(n.article("Doomed "+strconv.Itoa(doomed), n.sec, n.author, nil).ID, 10) + "/delete"
		}},
	}
	seen := map[string]bool{}
	for _, r := range n.App.router().Routes() {
		if !strings.HasPrefix(r.Path, "/admin") || r.Method == echo.RouteNotFound {
			continue
		}
		key := r.Method + " " + r.Path
		seen[key] = true
		row, ok := table[key]
		if !ok {
			t.Errorf("route %s has no row in the access table: say which roles may use it", key)
			continue
		}
		for _, role := range []string{"", "commenter", "author", "editor", "admin"} {
			path := row.path()
			res := n.send(r.Method, path, role, url.Values{})
			res.Body.Close()
			if cc := res.Header.Get("Cache-Control"); cc != "private, no-store" {
				t.Errorf("%s %s as %q: Cache-Control %q, want private, no-store", r.Method, path, role, cc)
			}
			loc := res.Header.Get("Location")
			switch {
			case role == "":
				if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
					t.Errorf("%s %s logged out: %d → %q, want 303 to /login", r.Method, path, res.StatusCode, loc)
				}
			case slices.Contains(row.allowed, role):
				if res.StatusCode == http.StatusForbidden || res.StatusCode >= 500 || strings.HasPrefix(loc, "/login") {
					t.Errorf("%s %s as %s: %d → %q, want allowed", r.Method, path, role, res.StatusCode, loc)
				}
			default:
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s as %s: %d, want 403", r.Method, path, role, res.StatusCode)
				}
			}
		}
	}
	for key := range table {
		if !seen[key] {
			t.Errorf("access row %s matches no registered route", key)
		}
	}
}

// Administrators can read a live server's profiles; the route table above checks that
// nobody else can.
func TestAdminProfiles(t *testing.T) {
	n := newAdminSite(t)
	res := n.send(http.MethodGet, "/admin/debug/pprof/heap?debug=1", "admin", nil)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "heap profile") {
		t.Errorf("heap profile: status %d, %.80q", res.StatusCode, b)
	}
}
