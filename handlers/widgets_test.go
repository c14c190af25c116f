package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"broadsheet/models"
)

func widgetTitles(doc *goquery.Document, id string) string {
	var out []string
	doc.Find(`section[aria-labelledby="` + id + `"] li a`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
	return strings.Join(out, "|")
}

func TestReaderWidgets(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	lead := ta.article("Lead story", world, ed, nil)
	popular := ta.article("Popular story", world, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-2 * time.Hour) })
	talked := ta.article("Talked-about story", world, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-3 * time.Hour) })

	doc := parse(t, ta.get("/"))
	if doc.Find(".widgets").Length() != 0 {
		t.Error("empty widgets are shown before anyone has read or commented")
	}

	for i := 0; i < 3; i++ {
		ta.get("/articles/" + popular.Slug).Body.Close()
	}
	ta.get("/articles/" + lead.Slug).Body.Close()
	ta.do(httptest.NewRequest(http.MethodHead, "/articles/"+lead.Slug, nil)) // not a read
	for i := 0; i < 2; i++ {
		if _, err := ta.Store.W.Exec(`INSERT INTO comments (article_id, guest_name, body_src, body_html, status, created_at)
			VALUES (?, 'Guest', 'Hi', '<p>Hi</p>', 'approved', ?)`, talked.ID, testNow.Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
	}

	// Reads are only in memory until a flush.
	if got := widgetTitles(parse(t, ta.get("/")), "most-read-h"); got != "" {
		t.Errorf("most read before a flush = %q, want nothing", got)
	}
	if err := ta.Reads.Flush(context.Background(), testNow); err != nil {
		t.Fatal(err)
	}
	// A server reuses its rankings until it ranks again (RankWidgetsEvery), and the
	// next request shows the new ones.
	if got := widgetTitles(parse(t, ta.get("/")), "most-read-h"); got != "" {
		t.Errorf("widgets changed before ranking again: most read = %q", got)
	}
	ta.rank()
	for _, path := range []string{"/", "/articles/" + lead.Slug} {
		doc := parse(t, ta.get(path))
		if got := widgetTitles(doc, "most-read-h"); got != "Popular story|Lead story" {
			t.Errorf("%s: most read = %q", path, got)
		}
		if got := widgetTitles(doc, "most-commented-h"); got != "Talked-about story" {
			t.Errorf("%s: most commented = %q", path, got)
		}
		// Rankings lag up to a ranking's interval, so they show no counts that could disagree with the page's own.
		if got := doc.Find(`section[aria-labelledby="most-commented-h"] .count`).Length(); got != 0 {
			t.Errorf("%s: the ranking shows %d counts", path, got)
		}
	}

	// A change to the site is not a reason to rank again (the ranking stays until the
	// next), but what the widgets show of each story is never older than the site:
	// a new headline shows, and a story taken down leaves, on the very next request.
	for range 3 {
		if _, err := ta.Store.W.Exec(`INSERT INTO comments (article_id, guest_name, body_src, body_html, status, created_at)
			VALUES (?, 'Guest', 'Hi', '<p>Hi</p>', 'approved', ?)`, lead.ID, testNow.Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
	}
	edit := func(id int64, change func(*models.ArticleInput)) {
		art, err := ta.Store.Articles.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		in := art.Input()
		change(&in)
		if _, err := ta.Store.Articles.Update(context.Background(), testNow, id, art.Version, in); err != nil {
			t.Fatal(err)
		}
	}
	edit(popular.ID, func(in *models.ArticleInput) { in.Title = "Popular story, updated" })
	edit(talked.ID, func(in *models.ArticleInput) { in.Status = models.StatusUnpublished })
	doc = parse(t, ta.get("/"))
	if got := widgetTitles(doc, "most-read-h"); got != "Popular story, updated|Lead story" {
		t.Errorf("after a new headline: most read = %q", got)
	}
	if got := widgetTitles(doc, "most-commented-h"); got != "" {
		t.Errorf("after the story was taken down and another commented on: most commented = %q, want nothing until the next ranking", got)
	}
	ta.rank()
	if got := widgetTitles(parse(t, ta.get("/")), "most-commented-h"); got != "Lead story" {
		t.Errorf("after ranking again: most commented = %q, want Lead story", got)
	}
}

// rank ranks the widgets' stories afresh, as RankWidgetsEvery does.
func (ta *testApp) rank() {
	ta.tb.Helper()
	if err := ta.rankWidgets(context.Background()); err != nil {
		ta.tb.Fatal(err)
	}
}

func TestCloseFlushesReads(t *testing.T) {
	ta := newTestApp(t)
	art := ta.article("Read once", ta.section("World"), ta.user("Mina Karimi", "editor"), nil)
	ta.get("/articles/" + art.Slug).Body.Close()
	if err := ta.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := ta.Store.Articles.MostRead(context.Background(), testNow, 5)
	if err != nil || len(got) != 1 {
		t.Errorf("after Close, most read = %v (%v), want the story read", got, err)
	}
}

// Requests never rank the widgets' stories, the ranking job does: counting a week of
// comments is the dearest read on the site, and when every request that found the
// rankings old counted for itself, a busy story's readers all counted at once (see
// widgetCache).
func TestWidgetsAreRankedOffTheRequests(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", models.RoleEditor)
	first := ta.article("First story", world, ed, nil)
	second := ta.article("Second story", world, ed, func(in *models.ArticleInput) { in.PublishedAt = testNow.Add(-time.Hour) })
	ta.comment(first, ed, 0, "The first story's one comment.")

	if got := widgetTitles(parse(t, ta.get("/")), "most-commented-h"); got != "" {
		t.Errorf("before the server's first ranking: most commented = %q, want nothing yet", got)
	}
	ta.rank()
	if got := widgetTitles(parse(t, ta.get("/")), "most-commented-h"); got != "First story" {
		t.Fatalf("the first rankings: most commented = %q, want First story", got)
	}

	ta.comment(second, ed, 0, "A comment on the second story.")
	ta.comment(second, ed, 0, "And another.")
	ta.advance(time.Hour)
	if got := widgetTitles(parse(t, ta.get("/")), "most-commented-h"); got != "First story" {
		t.Errorf("an hour on, before ranking again: most commented = %q, want the rankings as they were", got)
	}
	ta.rank()
	if got := widgetTitles(parse(t, ta.get("/")), "most-commented-h"); got != "Second story|First story" {
		t.Errorf("after ranking again: most commented = %q, want Second story|First story", got)
	}
}
