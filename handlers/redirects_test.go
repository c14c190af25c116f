package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"broadsheet/models/wordpress"
)

func TestWordPressPermalinksRedirect(t *testing.T) {
	ta := newTestApp(t)
	if _, err := wordpress.Import(context.Background(), ta.Store, testNow, "../models/wordpress/testdata/export.xml", nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path string
		status     int
		location   string
	}{
		{"permalink", "/2024/03/05/harbour-sea-wall/", http.StatusMovedPermanently, "/articles/harbour-sea-wall"},
		{"permalink without the slash", "/2024/03/05/harbour-sea-wall", http.StatusMovedPermanently, "/articles/harbour-sea-wall"},
		{"plain ?p=ID", "/?p=101", http.StatusMovedPermanently, "/articles/harbour-sea-wall"},
		{"Persian permalink", "/2024/04/02/%d8%a8%d8%a7%d8%b2%d8%a7%d8%b1-%d9%85%d8%a7%d9%87%db%8c/", http.StatusMovedPermanently,
			"/articles/%D8%A8%D8%A7%D8%B2%D8%A7%D8%B1-%D9%85%D8%A7%D9%87%DB%8C"},
		{"scheduled story stays hidden", "/2027/01/01/new-year-fireworks/", http.StatusNotFound, ""},
		{"draft by ?p stays hidden", "/?p=103", http.StatusNotFound, ""},
		{"unknown ?p is not the front page", "/?p=999999", http.StatusNotFound, ""},
		{"unknown ?page_id", "/?page_id=5", http.StatusNotFound, ""},
		{"category", "/category/coast/", http.StatusMovedPermanently, "/section/coast"},
		{"category, later page", "/category/coast/page/3/", http.StatusMovedPermanently, "/section/coast"},
		{"category feed", "/category/coast/feed/", http.StatusMovedPermanently, "/section/coast/feed.rss"},
		{"tag", "/tag/climate/", http.StatusMovedPermanently, "/tag/climate"},
		{"tag atom feed", "/tag/climate/feed/atom/", http.StatusMovedPermanently, "/tag/climate/feed.atom"},
		{"author", "/author/maryam/", http.StatusMovedPermanently, "/author/maryam-rahimi"},
		{"site feed", "/feed/", http.StatusMovedPermanently, "/feed.rss"},
		{"story feed", "/2024/03/05/harbour-sea-wall/feed/", http.StatusMovedPermanently, "/articles/harbour-sea-wall/comments.rss"},
		{"story, second page", "/2024/03/05/harbour-sea-wall/2/", http.StatusMovedPermanently, "/articles/harbour-sea-wall"},
		{"attachment page", "/2024/03/05/harbour-sea-wall/harbour/", http.StatusMovedPermanently, "/articles/harbour-sea-wall"},
		{"attachment by id", "/?attachment_id=201", http.StatusMovedPermanently, "/articles/harbour-sea-wall"},
		{"day archive", "/2024/03/05/", http.StatusMovedPermanently, "/"},
		{"month archive", "/2024/03/", http.StatusMovedPermanently, "/"},
		{"our section with a slash", "/section/coast/?page=2", http.StatusMovedPermanently, "/section/coast?page=2"},
		{"no open redirect", "//evil.example/", http.StatusNotFound, ""},
		{"skipped page", "/about/", http.StatusNotFound, ""},
		{"anything else", "/no/such/page", http.StatusNotFound, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := ta.get(c.path)
			defer res.Body.Close()
			if res.StatusCode != c.status {
				t.Fatalf("GET %s: status %d, want %d", c.path, res.StatusCode, c.status)
			}
			if loc := res.Header.Get("Location"); loc != c.location {
				t.Errorf("GET %s: Location %q, want %q", c.path, loc, c.location)
			}
		})
	}

	// The redirect to a story in Persian lands on its page.
	if res := ta.get("/articles/%D8%A8%D8%A7%D8%B2%D8%A7%D8%B1-%D9%85%D8%A7%D9%87%DB%8C"); res.StatusCode != http.StatusOK {
		t.Errorf("the Persian story's address answers %d", res.StatusCode)
	}

	// A POST to an old address is not a redirect.
	req := httptest.NewRequest(http.MethodPost, "/2024/03/05/harbour-sea-wall/", strings.NewReader(""))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if res := ta.do(req); res.StatusCode != http.StatusNotFound {
		t.Errorf("POST to an old permalink: %d, want 404", res.StatusCode)
	}

	// Where the redirect lands: the story, with the import's sanitised body.
	doc := parse(t, ta.get("/articles/harbour-sea-wall"))
	if h := text(doc.Find("h1")); h != "Harbour city opens its sea wall" {
		t.Errorf("headline %q", h)
	}
	if doc.Find("article script, main script").Length() != 0 || strings.Contains(doc.Text(), "stolen cookies") {
		t.Error("the imported <script> reached the page")
	}
	if doc.Find(`img[src^="/media/"]`).Length() == 0 {
		t.Error("the imported featured photo is not on the page")
	}
}

// Every story of a real-shaped export (classic and block editor, shortcodes, UTF-8
// everywhere) is reachable from its old address and shows its converted body.
func TestImportedStoryPagesAreValid(t *testing.T) {
	ta := newTestApp(t)
	rep, err := wordpress.Import(context.Background(), ta.Store, testNow, "../models/wordpress/testdata/newsroom.xml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Articles != 4 || len(rep.Protected) != 1 {
		t.Fatalf("imported %d articles, %d protected; want 4 and 1", rep.Articles, len(rep.Protected))
	}
	for _, old := range []string{"/2024/03/05/sovet-goroda/", "/2024/03/06/agora/", "/2024/03/08/%d9%85%d8%b1%d8%ad%d8%a8%d8%a7/"} {
		res := ta.get(old)
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "/articles/") {
			t.Errorf("GET %s: %d to %q", old, res.StatusCode, loc)
			continue
		}
		res = ta.get(loc)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s (from %s): %d", loc, old, res.StatusCode)
			res.Body.Close()
			continue
		}
		doc := parse(t, res)
		body, err := doc.Find(".story-body").Html()
		if err != nil || strings.TrimSpace(body) == "" {
			t.Errorf("%s: no story body (%v)", loc, err)
			continue
		}
		// Well-formedness of the stored bodies is checked in models (TestImportedBodiesAreValid);
		// here: the page shows the converted body, not WordPress's markup.
		if strings.Contains(body, "[caption") || strings.Contains(body, "wp:") || strings.Contains(body, "news.example.org/wp-content/uploads/2024/03/harbour") {
			t.Errorf("%s: WordPress markup or an old upload left in the body:\n%s", loc, body)
		}
		if doc.Find(".story-body iframe, .story-body script").Length() != 0 {
			t.Errorf("%s: a frame or script in the body", loc)
		}
	}
	if res := ta.get("/2024/03/07/salaries/"); res.StatusCode != http.StatusNotFound {
		t.Errorf("the protected post's old address answers %d", res.StatusCode)
	}
	doc := parse(t, ta.get("/articles/sovet-goroda"))
	for _, want := range []string{"Guest Γιώργος", "نادية", "Level 10"} {
		if !strings.Contains(doc.Find("body").Text(), want) {
			t.Errorf("the story page does not show %q from its thread", want)
		}
	}
}
