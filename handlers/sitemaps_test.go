package handlers

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
)

// Namespace-qualified shapes: decoding checks the documents use the right namespaces.
type testSitemapIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemap"`
}

type testURLSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
		LastMod string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 lastmod"`
		News    *struct {
			Name     string `xml:"http://www.google.com/schemas/sitemap-news/0.9 publication>name"`
			Language string `xml:"http://www.google.com/schemas/sitemap-news/0.9 publication>language"`
			Date     string `xml:"http://www.google.com/schemas/sitemap-news/0.9 publication_date"`
			Title    string `xml:"http://www.google.com/schemas/sitemap-news/0.9 title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
}

func getXML(t *testing.T, ta *testApp, path string, v any) {
	t.Helper()
	res := ta.get(path)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", path, res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	if err := xml.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestSitemapIndexPagesAndLists(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	ta.user("Reader Rita", "commenter")
	ta.article("First story", world, ed, func(in *models.ArticleInput) {
		in.Tags = []string{"Climate"}
		in.PublishedAt = testNow.Add(-72 * time.Hour)
	})
	ta.article("Draft story", world, ed, func(in *models.ArticleInput) { in.Status = models.StatusDraft; in.Tags = []string{"Secret"} })
	// Enough further stories to need a second paged sitemap, inserted in one statement.
	if _, err := ta.Store.W.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO articles (title, slug, section_id, status, published_at, created_at, modified_at)
		SELECT 'Bulk ' || i, 'bulk-' || i, ?, 'published', ?, ?, ? FROM n`,
		sitemapSize, world.ID, testNow.Add(-time.Hour).Format(time.RFC3339), testNow.Format(time.RFC3339), testNow.Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}

	var idx testSitemapIndex
	getXML(t, ta, "/sitemap.xml", &idx)
	var locs []string
	for _, s := range idx.Sitemaps {
		locs = append(locs, s.Loc)
	}
	want := []string{"http://news.test/sitemaps/pages.xml", "http://news.test/sitemaps/articles-1.xml", "http://news.test/sitemaps/articles-2.xml"}
	if strings.Join(locs, " ") != strings.Join(want, " ") {
		t.Fatalf("index lists %q, want %q", locs, want)
	}

	var page1, page2 testURLSet
	getXML(t, ta, "/sitemaps/articles-1.xml", &page1)
	getXML(t, ta, "/sitemaps/articles-2.xml", &page2)
	// Sitemap 1 is ids 1 to 1,000: the first story, the draft (left out) and 998 more.
	if len(page1.URLs) != sitemapSize-1 || len(page2.URLs) != 2 {
		t.Fatalf("pages hold %d and %d URLs, want %d and 2", len(page1.URLs), len(page2.URLs), sitemapSize-1)
	}
	if got := page1.URLs[0]; got.Loc != "http://news.test/articles/first-story" || got.LastMod != "2026-11-20T12:00:00Z" {
		t.Errorf("oldest story first: %+v", got)
	}
	if _, err := time.Parse(time.RFC3339, page2.URLs[0].LastMod); err != nil {
		t.Errorf("lastmod %q is not a W3C date", page2.URLs[0].LastMod)
	}
	if res := ta.get("/sitemaps/articles-3.xml"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a page past the end: %d, want 404", res.StatusCode)
	}
	if res := ta.get("/sitemaps/articles-0.xml"); res.StatusCode != http.StatusNotFound {
		t.Errorf("page 0: %d, want 404", res.StatusCode)
	}

	var pages testURLSet
	getXML(t, ta, "/sitemaps/pages.xml", &pages)
	var got []string
	for _, u := range pages.URLs {
		got = append(got, strings.TrimPrefix(u.Loc, "http://news.test"))
	}
	if strings.Join(got, " ") != "/ /section/world /tag/climate /author/mina-karimi" {
		t.Errorf("list pages %q (no draft-only tag, no reader)", got)
	}
}

func TestNewsSitemapCoversTwoDays(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	ta.article("Fresh & new", world, ed, nil)
	ta.article("Three days old", world, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-72 * time.Hour) })
	ta.article("Tomorrow", world, ed, func(in *models.ArticleInput) {
		in.Status, in.PublishedAt = models.StatusScheduled, testNow.Add(time.Hour)
	})
	var set testURLSet
	getXML(t, ta, "/sitemap-news.xml", &set)
	if len(set.URLs) != 1 {
		t.Fatalf("%d URLs, want only the fresh story", len(set.URLs))
	}
	u := set.URLs[0]
	if u.Loc != "http://news.test/articles/fresh-new" || u.News == nil {
		t.Fatalf("entry %+v", u)
	}
	if u.News.Title != "Fresh & new" || u.News.Name != "The Broadsheet" || u.News.Language != "en" || u.News.Date != "2026-11-20T11:00:00Z" {
		t.Errorf("news entry %+v", *u.News)
	}
}

func TestRobotsTxt(t *testing.T) {
	ta := newTestApp(t)
	res := ta.get("/robots.txt")
	b, _ := io.ReadAll(res.Body)
	body := string(b)
	for _, want := range []string{"User-agent: *", "Disallow: /admin\n", "Sitemap: http://news.test/sitemap.xml\n", "Sitemap: http://news.test/sitemap-news.xml\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, body)
		}
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
}

// The sitemaps are written by hand, not by encoding/xml: a location with XML's special
// characters (a site address is the editor's to configure) or one it does not allow
// must still make a document a crawler can read, and a last modification is UTC.
func TestSitemapWriterEscapes(t *testing.T) {
	w := newSitemap("urlset", "url", 2)
	tehran := time.FixedZone("IRST", 3*3600+1800)
	w.add("http://news.test/a?x=1&y=<2>\x01", time.Date(2026, 11, 20, 15, 30, 0, 0, tehran))
	w.add("http://news.test/b", time.Time{})
	doc := w.doc()
	var set testURLSet
	if err := xml.Unmarshal(doc, &set); err != nil {
		t.Fatalf("%v in %s", err, doc)
	}
	if len(set.URLs) != 2 || set.URLs[0].Loc != "http://news.test/a?x=1&y=<2>\uFFFD" || set.URLs[0].LastMod != "2026-11-20T12:00:00Z" {
		t.Errorf("entries %+v", set.URLs)
	}
	if strings.Contains(string(doc), "<lastmod></lastmod>") || set.URLs[1].LastMod != "" {
		t.Errorf("an entry without a date has an empty lastmod: %s", doc)
	}
}
