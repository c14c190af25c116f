package handlers

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

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

const xssPayload = `<img src=x onerror=alert(1)>`

// htmlElements renders s as a feed reader renders an HTML field and returns the
// elements it would build, and the text a reader would see.
func htmlElements(tb testing.TB, s string) (elements []string, shown string) {
	tb.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			el := n.Data
			for _, a := range n.Attr {
				el += " " + a.Key + "=" + a.Val
			}
			elements = append(elements, el)
		case html.TextNode:
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return elements, b.String()
}

// Every field of every feed, read as a feed reader reads it: text fields show what was
// typed, and fields readers render as HTML build no element from a plain-text dek and
// no script hook from anything. Today the dek was escaped once, so an RSS
// <description> or an Atom <summary type="html"> holding "<img src=x onerror=…>"
// ran in readers that render HTML.
func TestFeedsCarryTextAsText(t *testing.T) {
	ta := newTestApp(t)
	sec := ta.section("World")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	title, dek := "Tide <b>tables</b> & "+xssPayload, "A dek quoting "+xssPayload+" & <script>alert(2)</script>"
	art := ta.article(title, sec, ed, func(in *models.ArticleInput) {
		in.Dek = dek
		in.Body = "A body quoting `" + xssPayload + "` as code, and <img src=x onerror=alert(3)> raw."
	})
	reader := ta.user("Nadia Reader", models.RoleCommenter)
	ta.comment(art, reader, 0, "Replying with "+xssPayload+" and <a href=\"javascript:alert(4)\">a link</a>.")

	for _, path := range []string{"/feed.rss", "/feed.atom", "/section/world/feed.rss", "/section/world/feed.atom",
		"/articles/" + art.Slug + "/comments.rss", "/articles/" + art.Slug + "/comments.atom"} {
		t.Run(path, func(t *testing.T) {
			f := parseFeed(t, ta.get(path))
			if len(f.Items) == 0 {
				t.Fatal("no items")
			}
			for _, it := range f.Items {
				if strings.Contains(path, "/comments.") {
					if want := "Nadia Reader on “" + title + "”"; it.Title != want {
						t.Errorf("title %q, want the text %q", it.Title, want)
					}
				} else {
					if it.Title != title {
						t.Errorf("title %q, want the text %q", it.Title, title)
					}
					els, shown := htmlElements(t, it.Description)
					if len(els) > 0 || shown != dek {
						t.Errorf("description builds %q and shows %q; want no markup and the dek as typed", els, shown)
					}
				}
				for _, field := range []string{it.Description, it.Content} {
					els, _ := htmlElements(t, field)
					for _, el := range els {
						if strings.Contains(el, "onerror") || strings.HasPrefix(el, "script") || strings.Contains(el, "javascript:") {
							t.Errorf("a reader would build %q from %q", el, field)
						}
					}
				}
				for _, p := range it.Authors {
					if els, _ := htmlElements(t, p.Name); len(els) > 0 {
						t.Errorf("author %q carries markup", p.Name)
					}
				}
			}
		})
	}
}

// parseXML reads a whole document with encoding/xml, which enforces XML 1.0's
// characters as a strict feed reader or crawler does.
func parseXML(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Whatever a story, a name or a comment contains, every feed and sitemap stays XML
// that parses: one U+000C or U+001F in a body made /feed.rss unreadable.
func FuzzXMLOutputsParse(f *testing.F) {
	for _, s := range []string{"form\x0cfeed", "unit\x1fseparator", "nul\x00byte", "bom\ufeff and \ufffe\uffff", "]]> ends CDATA",
		xssPayload, "bad utf-8 \xff\xfe", "cut rune \xe2\x82", "tab\tnewline\n"} {
		f.Add(s)
	}
	ta := newTestApp(f)
	sec := ta.section("World")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	reader := ta.user("Nadia Reader", models.RoleCommenter)
	f.Fuzz(func(t *testing.T, s string) {
		ctx := context.Background()
		id, err := ta.Store.Articles.Create(ctx, testNow, models.ArticleInput{Title: "Story " + s, Dek: s, Body: "Body " + s + "\n\n" + s,
			SectionID: sec.ID, AuthorIDs: []int64{ed.ID}, Status: models.StatusPublished, PublishedAt: ta.Now().Add(-time.Minute),
			CommentsOpen: true, Tags: []string{"Tag " + s}})
		if _, ok := models.AsValidation(err); ok {
			return // refused at the door: nothing reaches a feed
		} else if err != nil {
			t.Fatal(err)
		}
		art, err := ta.Store.Articles.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ta.Store.Comments.Post(ctx, ta.Now(), models.NewComment{ArticleID: art.ID, User: &reader, Body: "Comment " + s}); err != nil {
			if _, ok := models.AsValidation(err); !ok {
				t.Fatal(err)
			}
		}
		ta.advance(time.Minute)
		paths := []string{"/feed.rss", "/feed.atom", "/section/world/feed.rss",
			"/author/mina-karimi/feed.rss", "/articles/" + art.Slug + "/comments.rss", "/articles/" + art.Slug + "/comments.atom",
			"/sitemap.xml", "/sitemaps/pages.xml", "/sitemaps/articles-1.xml", "/sitemap-news.xml"}
		for _, tag := range art.Tags { // a tag name with nothing sluggable is dropped
			paths = append(paths, "/tag/"+tag.Slug+"/feed.atom")
		}
		for _, path := range paths {
			rec := httptest.NewRecorder() // not ta.get: the fuzz target's T, not the F, must report
			ta.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			body := rec.Body.Bytes()
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status %d", path, rec.Code)
			}
			if err := parseXML(body); err != nil {
				t.Errorf("%s is not XML after %q: %v", path, s, err)
			}
			if strings.Contains(path, "feed") || strings.Contains(path, "comments.") {
				if _, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err != nil {
					t.Errorf("%s does not parse as a feed after %q: %v", path, s, err)
				}
			}
		}
	})
}

func TestXMLCharsKeepsOnlyWhatXMLAllows(t *testing.T) {
	for in, want := range map[string]string{
		"plain <a>&amp;</a>\t\n\r": "plain <a>&amp;</a>\t\n\r",
		"form\x0cfeed\x1f\x00":     "formfeed",
		"not\ufffe\uffffchars":     "notchars",
		"bad \xff byte":            "bad \ufffd byte",
		"emoji 🗞 and ü":            "emoji 🗞 and ü",
	} {
		if got := string(xmlChars([]byte(in))); got != want {
			t.Errorf("xmlChars(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAbsoluteLinks(t *testing.T) {
	for in, want := range map[string]string{
		`<a href="/a">x</a> <img src="/m.png">`: `<a href="B/a">x</a> <img src="B/m.png">`,
		`<img data-src="/lazy.png">`:            `<img data-src="B/lazy.png">`, // a whole word after "-"
		`<a href="//cdn.example/x">`:            `<a href="//cdn.example/x">`,  // another site's
		`<a xhref="/a"> <a href="https://e/">`:  `<a xhref="/a"> <a href="https://e/">`,
		`<p>title="/a"</p> href="/`:             `<p>title="/a"</p> href="/`,
		`src="/a"`:                              `src="B/a"`,
	} {
		if got := absoluteLinks(in, "B"); got != want {
			t.Errorf("absoluteLinks(%q) = %q, want %q", in, got, want)
		}
	}
}
