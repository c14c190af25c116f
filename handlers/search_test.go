package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"broadsheet/models"
)

func TestSearchPage(t *testing.T) {
	ta := newTestApp(t)
	world, sport := ta.section("World"), ta.section("Sport")
	ed := ta.user("Mina Karimi", "editor")
	ta.article("Harbour wall opens", world, ed, nil)
	ta.article("Harbour regatta won", sport, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-3 * time.Hour) })
	ta.article("Draft harbour plan", world, ed, func(in *models.ArticleInput) { in.Status = models.StatusDraft })

	res := ta.get("/search?q=harbour")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := parse(t, res)
	if got := text(doc.Find(".result-count")); got != "2 stories found" {
		t.Errorf("count = %q", got)
	}
	if got := doc.Find(".result h3 mark").First().Text(); got != "Harbour" {
		t.Errorf("first headline mark = %q, want Harbour", got)
	}
	if v, _ := doc.Find("#search-q").Attr("value"); v != "harbour" {
		t.Errorf("the query box lost what was typed: %q", v)
	}
	if _, ok := doc.Find(`meta[name=robots][content=noindex]`).Attr("content"); !ok {
		t.Error("search results should carry noindex")
	}

	doc = parse(t, ta.get("/search?q=harbour&section=sport"))
	if got := text(doc.Find(".result h3")); got != "Harbour regatta won" {
		t.Errorf("section filter: %q", got)
	}
	if _, ok := doc.Find(`#search-section option[value=sport]`).Attr("selected"); !ok {
		t.Error("section choice not kept")
	}
}

func TestSearchPagination(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	for i := 0; i < searchPerPage+3; i++ {
		ta.article("Harbour story "+string(rune('A'+i)), world, ed, func(in *models.ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(i+1) * time.Hour)
		})
	}
	doc := parse(t, ta.get("/search?q=harbour&sort=date"))
	if n := doc.Find(".result").Length(); n != searchPerPage {
		t.Fatalf("page 1 has %d results, want %d", n, searchPerPage)
	}
	next, _ := doc.Find(`.pager a[rel=next]`).Attr("href")
	u, _ := url.Parse(next)
	if u.Query().Get("page") != "2" || u.Query().Get("sort") != "date" || u.Query().Get("q") != "harbour" {
		t.Fatalf("next link %q does not keep the search", next)
	}
	doc = parse(t, ta.get(next))
	if n := doc.Find(".result").Length(); n != 3 {
		t.Errorf("page 2 has %d results, want 3", n)
	}
	if got := text(doc.Find(".result h3").Last()); got != "Harbour story M" {
		t.Errorf("oldest last by date: %q", got)
	}
	doc = parse(t, ta.get("/search?q=harbour&page=9"))
	if !strings.Contains(text(doc.Find(".empty")), "no more results") {
		t.Errorf("a page past the end should say so, got %q", text(doc.Find("main")))
	}
}

// Whatever a reader types, the answer is a page of results or "nothing found".
func TestSearchHostileQueriesNeverFail(t *testing.T) {
	ta := newTestApp(t)
	ta.article("Harbour wall opens", ta.section("World"), ta.user("Mina Karimi", "editor"), nil)
	for _, q := range []string{`"`, `"harbour`, `harbour"`, `*`, `harb*`, `NEAR(harbour wall)`, `-harbour`, `(harbour`,
		`harbour)`, `AND OR NOT`, `title:harbour`, strings.Repeat("harbour ", 250), `😀 harbour`, "\xff\xfeharbour", `"" ""`,
		`<script>alert(1)</script>`} {
		res := ta.get("/search?q=" + url.QueryEscape(q))
		if res.StatusCode != http.StatusOK {
			t.Errorf("q=%.40q: status %d", q, res.StatusCode)
			continue
		}
		doc := parse(t, res)
		if got := text(doc.Find(".result-count")); got != "1 story found" && got != "Nothing found" {
			t.Errorf("q=%.40q: %q", q, got)
		}
		if doc.Find("main script").Length() > 0 {
			t.Errorf("q=%.40q put a script on the page", q)
		}
	}
}

// A reader types words into the masthead search box and lands on marked results.
func TestBrowserSearchFromMasthead(t *testing.T) {
	ta := newTestApp(t)
	ta.article("Harbour wall opens", ta.section("World"), ta.user("Mina Karimi", "editor"), nil)
	srv := ta.server()
	ctx := newBrowser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.SendKeys("#q", `harb* "wall`),
		chromedp.Submit("#q"),
		chromedp.WaitVisible(".result-count"),
	)
	if err != nil {
		t.Fatal(err)
	}
	count := must(chromedp.Run(ctx, chromedp.Text(".result-count")))(t)
	marked := must(chromedp.Run(ctx, chromedp.Text(".result h3 mark")))(t)
	if count != "1 story found" || marked != "Harbour" {
		t.Errorf("count %q, first mark %q", count, marked)
	}
}

// BenchmarkSearchPage measures a relevance-ranked search page over the bench paper,
// where every story matches.
func BenchmarkSearchPage(b *testing.B) {
	ta, _ := benchPaper(b)
	benchGet(b, ta.h, "/search?q=reporting+paragraph")
}

// BenchmarkSiteFeed measures building the site's Atom feed.
func BenchmarkSiteFeed(b *testing.B) {
	ta, _ := benchPaper(b)
	benchGet(b, ta.h, "/feed.atom")
}
