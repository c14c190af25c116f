package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"broadsheet/models"
)

// benchArticle renders an article page anonymously b.N times.
func benchArticle(b *testing.B, ta *testApp, art models.Article) {
	b.Helper()
	path := "/articles/" + art.Slug
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		ta.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		io.Copy(io.Discard, rec.Body)
	}
}

// BenchmarkArticlePlain is the baseline: a story page with no comments.
func BenchmarkArticlePlain(b *testing.B) {
	ta := newTestApp(b)
	ed := ta.user("Mina Karimi", models.RoleEditor)
	benchArticle(b, ta, ta.article("Talks resume in Tehran", ta.section("World"), ed, nil))
}

// BenchmarkArticleWith200Comments is a story page carrying 200 comments: 50 threads,
// each a comment with a reply, a reply to that, and a second reply to the first.
func BenchmarkArticleWith200Comments(b *testing.B) {
	ta := newTestApp(b)
	ed := ta.user("Mina Karimi", models.RoleEditor)
	art := ta.article("Talks resume in Tehran", ta.section("World"), ed, nil)
	readers := []models.User{ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Reader", models.RoleCommenter)}
	n := 0
	for t := 0; t < 50; t++ {
		root := ta.comment(art, readers[n%2], 0, fmt.Sprintf("Thread %d: a thought of a sentence or two, https://example.com/%d", t, t))
		r1 := ta.comment(art, readers[(n+1)%2], root.ID, "A reply with <em>emphasis</em>.")
		ta.comment(art, readers[n%2], r1.ID, "A reply to the reply.\n\nIn two paragraphs.")
		ta.comment(art, readers[(n+1)%2], root.ID, "Another reply to the thread.")
		n++
	}
	benchArticle(b, ta, art)
}
