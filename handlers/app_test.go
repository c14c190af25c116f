package handlers

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"broadsheet/models"
	"broadsheet/models/storetest"
	"broadsheet/views"
)

// testNow is the pinned clock of handler tests.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// testPassword is every fixture user's password.
const testPassword = "correct horse battery"

type testApp struct {
	*App
	h  http.Handler
	tb testing.TB
}

// newTestApp builds the whole site over a fresh temp database, with a pinned clock
// and fixed session keys; opts adjust the configuration. Requests go through Routes(),
// so middleware, the cross-origin check and the real error page are all exercised.
func newTestApp(tb testing.TB, opts ...func(*Config)) *testApp {
	tb.Helper()
	store := storetest.Open(tb, tb.TempDir())
	key := []byte(strings.Repeat("k", 32))
	cfg := Config{BaseURL: "http://news.test", SessionKeys: [][]byte{key, key}, PerPage: 5}
	for _, o := range opts {
		o(&cfg)
	}
	app, err := New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), views.FS)
	if err != nil {
		tb.Fatal(err)
	}
	app.Now = func() time.Time { return testNow }
	return &testApp{App: app, h: app.Routes(), tb: tb}
}

// do sends req through the whole site and returns what a browser would get.
func (ta *testApp) do(req *http.Request) *http.Response {
	ta.tb.Helper()
	rec := httptest.NewRecorder()
	ta.h.ServeHTTP(rec, req)
	return rec.Result()
}

// get fetches a path anonymously.
func (ta *testApp) get(path string) *http.Response {
	ta.tb.Helper()
	return ta.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// postForm sends a form with the given cookies (same-origin, as a browser would mark it).
func (ta *testApp) postForm(path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	ta.tb.Helper()
	return ta.do(formRequest(path, form, cookies...))
}

// formRequest is the request postForm sends, for a test that must change it first.
func formRequest(path string, form url.Values, cookies ...*http.Cookie) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return req
}

// parse reads an HTML response into a goquery document.
func parse(tb testing.TB, res *http.Response) *goquery.Document {
	tb.Helper()
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// text is the whitespace-collapsed text of the selection.
func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// section creates a section.
func (ta *testApp) section(name string) models.Section {
	ta.tb.Helper()
	s, err := ta.Store.Sections.Create(context.Background(), name, "About "+name+".")
	if err != nil {
		ta.tb.Fatal(err)
	}
	return s
}

// user creates an account with testPassword.
func (ta *testApp) user(name, role string) models.User {
	ta.tb.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
	u, err := ta.Store.Users.Create(context.Background(), testNow, models.NewUser{Email: email, Name: name, Password: testPassword, Role: role})
	if err != nil {
		ta.tb.Fatal(err)
	}
	return u
}

// article creates a story; edit adjusts the defaults (published an hour before testNow).
func (ta *testApp) article(title string, sec models.Section, author models.User, edit func(*models.ArticleInput)) models.Article {
	ta.tb.Helper()
	in := models.ArticleInput{Title: title, Dek: "Dek of " + title, Body: "First paragraph of " + title + ".\n\nSecond paragraph.",
		Dateline: "Tehran", Wire: "Reuters", SectionID: sec.ID, AuthorIDs: []int64{author.ID}, Status: models.StatusPublished,
		PublishedAt: testNow.Add(-time.Hour), CommentsOpen: true}
	if edit != nil {
		edit(&in)
	}
	ctx := context.Background()
	id, err := ta.Store.Articles.Create(ctx, testNow, in)
	if err != nil {
		ta.tb.Fatal(err)
	}
	a, err := ta.Store.Articles.Get(ctx, id)
	if err != nil {
		ta.tb.Fatal(err)
	}
	return a
}

// server starts the site on a real listener, its connections made as serve makes
// them (cached answers leave in one write: gather.go).
func (ta *testApp) server() *httptest.Server { return ta.serverOn(nil) }

// serverOn is server over ln (a listener that counts, say), or over its own when ln is nil.
func (ta *testApp) serverOn(ln net.Listener) *httptest.Server {
	srv := httptest.NewUnstartedServer(ta.h)
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Listener = GatherWrites(srv.Listener)
	srv.Config.ConnContext = ConnContext
	srv.Start()
	ta.tb.Cleanup(srv.Close)
	return srv
}

// photo stores a small generated picture through the real media pipeline.
func (ta *testApp) photo() models.Media {
	ta.tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1200, 675))
	for y := 0; y < 675; y++ {
		for x := 0; x < 1200; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 5), uint8(y / 3), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		ta.tb.Fatal(err)
	}
	m, err := ta.Store.Media.Save(context.Background(), testNow, &buf, models.Media{}, 0)
	if err != nil {
		ta.tb.Fatal(err)
	}
	return m
}
