package handlers

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"broadsheet/models"
)

// benchPaper is a paper of 200 stories in 5 sections, the size of a small site's first months.
func benchPaper(b *testing.B) (*testApp, models.Article) {
	ta := newTestApp(b)
	ed := ta.user("Bench Editor", models.RoleEditor)
	photo := ta.photo()
	var secs []models.Section
	for _, name := range []string{"World", "Politics", "Business", "Science", "Sport"} {
		secs = append(secs, ta.section(name))
	}
	var last models.Article
	for i := 0; i < 200; i++ {
		last = ta.article(fmt.Sprintf("Story number %d", i), secs[i%len(secs)], ed, func(in *models.ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(i+1) * time.Hour)
			in.Tags = []string{fmt.Sprintf("Tag %d", i%7), fmt.Sprintf("Tag %d", i%11)}
			in.MediaID, in.ImageAlt, in.ImageCaption, in.ImageCredit = photo.ID, "Alt", "Caption", "Credit"
			in.Body = "A paragraph of reporting that runs to a few sentences, as news copy does.\n\n" +
				"Another paragraph, with **emphasis** and a [link](https://example.com).\n\nA third."
		})
	}
	ta.rank() // as the ranking job does when a server starts
	return ta, last
}

func benchGet(b *testing.B, h http.Handler, path string) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
	}
}

// go test -tags sqlite_fts5 -run '^$' -bench . ./handlers
func BenchmarkFrontPage(b *testing.B) {
	ta, _ := benchPaper(b)
	benchGet(b, ta.h, "/")
}

func BenchmarkArticlePage(b *testing.B) {
	ta, a := benchPaper(b)
	benchGet(b, ta.h, "/articles/"+a.Slug)
}

func BenchmarkSectionPage(b *testing.B) {
	ta, _ := benchPaper(b)
	benchGet(b, ta.h, "/section/world?page=3")
}

// The page cache's three cases for the 60-comment story of the speed issue, compared in
// one run:
//
//	go test -tags sqlite_fts5 -run '^$' -bench 'ArticleCache' ./handlers
//
// Hit: served from the cache (one statement). MissAfterComment: the first view after
// a comment, gzip-compressed (the versions moved; story, sections and widgets are reused). Cold: every
// cache emptied first, as after a change to the site itself.
func benchArticleWith60Comments(b *testing.B) (*testApp, models.Article, models.User) {
	ta, art := benchPaper(b)
	ed := ta.user("Desk Editor", models.RoleEditor)
	for i := range 60 {
		ta.comment(art, ed, 0, fmt.Sprintf("Comment %d: a thought of a sentence or two, https://example.com/%d", i, i))
	}
	ta.rank()
	return ta, art, ed
}

// serveOK sends req through h and fails the benchmark unless it answers 200.
func serveOK(b *testing.B, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d", req.URL, rec.Code)
	}
	return rec
}

func BenchmarkArticleCacheHit(b *testing.B) {
	ta, art, _ := benchArticleWith60Comments(b)
	benchGet(b, ta.h, "/articles/"+art.Slug)
}

func BenchmarkArticleCacheHitGzip(b *testing.B) {
	ta, art, _ := benchArticleWith60Comments(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/articles/"+art.Slug, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if rec := serveOK(b, ta.h, req); rec.Header().Get("Content-Encoding") != "gzip" {
			b.Fatalf("Content-Encoding %q", rec.Header().Get("Content-Encoding"))
		}
	}
}

func BenchmarkArticleCacheMissAfterComment(b *testing.B) {
	ta, art, ed := benchArticleWith60Comments(b)
	ctx := context.Background()
	path := "/articles/" + art.Slug
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		if _, err := ta.Store.Comments.Post(ctx, ta.Now(), models.NewComment{ArticleID: art.ID, User: &ed, Body: fmt.Sprintf("Another thought, number %d", n)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // as browsers and the load script ask: the miss compresses too
		serveOK(b, ta.h, req)
	}
}

func BenchmarkArticleCacheCold(b *testing.B) {
	ta, art, _ := benchArticleWith60Comments(b)
	path := "/articles/" + art.Slug
	b.ReportAllocs()
	for b.Loop() {
		// Every cache as at start: the snapshot, widgets, stories, discussions, renderings.
		ta.pages, ta.bundles = newLRU[*cachedPage](64<<20), newLRU[*articleBundle](16<<20)
		ta.commentHTML, ta.discussions = newLRU[template.HTML](8<<20), newLRU[discussionSeen](4<<20)
		ta.plainTexts = newLRU[string](4 << 20)
		ta.snap.Store(nil)
		ta.widgets.mu.Lock()
		ta.widgets.snap = nil
		ta.widgets.mu.Unlock()
		serveOK(b, ta.h, httptest.NewRequest(http.MethodGet, path, nil))
	}
}

// BenchmarkArticleLoggedIn is the 60-comment story for a logged-in reader with no
// comment or vote there: the members' page, with their name put in (memberpages.go).
func BenchmarkArticleLoggedIn(b *testing.B) {
	ta, art, _ := benchArticleWith60Comments(b)
	benchLoggedIn(b, ta, art, ta.user("Logged Reader", models.RoleCommenter))
}

// BenchmarkArticleLoggedInTookPart is the same story for a reader with a comment in
// its discussion: rendered for them, around the comments kept rendered.
func BenchmarkArticleLoggedInTookPart(b *testing.B) {
	ta, art, _ := benchArticleWith60Comments(b)
	u := ta.user("Logged Reader", models.RoleCommenter)
	ta.comment(art, u, 0, "The reader's own view of it.")
	benchLoggedIn(b, ta, art, u)
}

func benchLoggedIn(b *testing.B, ta *testApp, art models.Article, u models.User) {
	cookies := ta.loginCookies(u)
	path := "/articles/" + art.Slug
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		serveOK(b, ta.h, req)
	}
}
