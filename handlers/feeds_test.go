package handlers

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"

	"broadsheet/models"
)

// parseFeed reads a feed with a real feed library, failing the test if it does not parse.
func parseFeed(t *testing.T, res *http.Response) *gofeed.Feed {
	t.Helper()
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	f, err := gofeed.NewParser().Parse(res.Body)
	if err != nil {
		t.Fatalf("feed does not parse: %v", err)
	}
	return f
}

func TestFeedsParseWithAbsoluteLinksAndDates(t *testing.T) {
	ta := newTestApp(t)
	world, sport := ta.section("World"), ta.section("Sport")
	ed := ta.user("Mina Karimi", "editor")
	ta.article("Harbour wall opens", world, ed, func(in *models.ArticleInput) {
		in.Tags = []string{"Climate"}
		in.Body = "See [the plan](/articles/plan) and ![map](/media/x.png)."
	})
	ta.article("Regatta won", sport, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-2 * time.Hour) })
	ta.article("Draft", world, ed, func(in *models.ArticleInput) { in.Status = models.StatusDraft })

	tests := []struct {
		path, feedType string
		titles         []string
	}{
		{"/feed.rss", "rss", []string{"Harbour wall opens", "Regatta won"}},
		{"/feed.atom", "atom", []string{"Harbour wall opens", "Regatta won"}},
		{"/section/sport/feed.rss", "rss", []string{"Regatta won"}},
		{"/section/world/feed.atom", "atom", []string{"Harbour wall opens"}},
		{"/tag/climate/feed.rss", "rss", []string{"Harbour wall opens"}},
		{"/tag/climate/feed.atom", "atom", []string{"Harbour wall opens"}},
		{"/author/mina-karimi/feed.rss", "rss", []string{"Harbour wall opens", "Regatta won"}},
		{"/author/mina-karimi/feed.atom", "atom", []string{"Harbour wall opens", "Regatta won"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := ta.get(tt.path)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/"+tt.feedType+"+xml") {
				t.Errorf("Content-Type = %q", ct)
			}
			f := parseFeed(t, res)
			page := strings.TrimSuffix(tt.path, "/feed."+tt.feedType)
			if page == "" {
				page = "/"
			}
			if f.Link != "http://news.test"+page {
				t.Errorf("feed link %q, want the page it mirrors, %s", f.Link, page)
			}
			if f.FeedType != tt.feedType {
				t.Errorf("feed type %q, want %q", f.FeedType, tt.feedType)
			}
			var titles []string
			for _, it := range f.Items {
				titles = append(titles, it.Title)
				if !strings.HasPrefix(it.Link, "http://news.test/articles/") {
					t.Errorf("item link %q is not absolute", it.Link)
				}
				if it.PublishedParsed == nil && it.UpdatedParsed == nil {
					t.Errorf("item %q has no date", it.Title)
				}
			}
			if strings.Join(titles, "|") != strings.Join(tt.titles, "|") {
				t.Errorf("items %q, want %q", titles, tt.titles)
			}
			first := f.Items[0]
			if first.Title == "Harbour wall opens" {
				if !strings.Contains(first.Content, `href="http://news.test/articles/plan"`) || !strings.Contains(first.Content, `src="http://news.test/media/x.png"`) {
					t.Errorf("content links are not absolute: %s", first.Content)
				}
				when := first.PublishedParsed
				if when == nil {
					when = first.UpdatedParsed
				}
				if !when.Equal(testNow.Add(-time.Hour)) {
					t.Errorf("date %v, want %v", when, testNow.Add(-time.Hour))
				}
				if len(first.Authors) == 0 || first.Authors[0].Name != "Mina Karimi" {
					t.Errorf("authors %v", first.Authors)
				}
			}
		})
	}
	for _, path := range []string{"/section/nope/feed.rss", "/tag/nope/feed.atom", "/author/nope/feed.rss"} {
		if res := ta.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, res.StatusCode)
		}
	}
}

func TestFeedConditionalGet(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	ta.article("Harbour wall opens", world, ed, nil)

	res := ta.get("/feed.rss")
	io.Copy(io.Discard, res.Body)
	etag, lastMod := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	if etag == "" || lastMod == "" {
		t.Fatalf("ETag %q, Last-Modified %q: want both", etag, lastMod)
	}
	cond := func(h, v string) int {
		req := httptest.NewRequest(http.MethodGet, "/feed.rss", nil)
		req.Header.Set(h, v)
		return ta.do(req).StatusCode
	}
	if got := cond("If-None-Match", etag); got != http.StatusNotModified {
		t.Errorf("If-None-Match with the current ETag: %d, want 304", got)
	}
	if got := cond("If-Modified-Since", lastMod); got != http.StatusNotModified {
		t.Errorf("If-Modified-Since the last change: %d, want 304", got)
	}
	ta.article("Second story", world, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-time.Minute) })
	if got := cond("If-None-Match", etag); got != http.StatusOK {
		t.Errorf("after a new story the old ETag got %d, want 200", got)
	}
}

func TestPagesLinkTheirFeeds(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	art := ta.article("Harbour wall opens", world, ed, func(in *models.ArticleInput) { in.Tags = []string{"Climate"} })
	tests := []struct{ path, want string }{
		{"/", "http://news.test/feed.atom"},
		{"/section/world", "http://news.test/section/world/feed.rss"},
		{"/tag/climate", "http://news.test/tag/climate/feed.atom"},
		{"/author/mina-karimi", "http://news.test/author/mina-karimi/feed.rss"},
		{"/articles/" + art.Slug, "http://news.test/section/world/feed.rss"},
	}
	for _, tt := range tests {
		doc := parse(t, ta.get(tt.path))
		var hrefs []string
		doc.Find(`head link[rel=alternate]`).Each(func(_ int, s *goquery.Selection) {
			h, _ := s.Attr("href")
			hrefs = append(hrefs, h)
		})
		if !strings.Contains(strings.Join(hrefs, " "), tt.want) {
			t.Errorf("%s: alternates %q lack %s", tt.path, hrefs, tt.want)
		}
	}
}
