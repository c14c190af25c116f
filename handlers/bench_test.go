package handlers

import (
	"fmt"
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
