package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWordPressPermalinksRedirect(t *testing.T) {
	ta := newTestApp(t)
	if _, err := ta.Store.ImportWordPress(context.Background(), testNow, "../models/testdata/wordpress/export.xml", nil); err != nil {
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
		{"Persian permalink", "/2024/04/02/%d8%a8%d8%a7%d8%b2%d8%a7%d8%b1-%d9%85%d8%a7%d9%87%db%8c/", http.StatusMovedPermanently, "/articles/post-102"},
		{"scheduled story stays hidden", "/2027/01/01/new-year-fireworks/", http.StatusNotFound, ""},
		{"draft by ?p stays hidden", "/?p=103", http.StatusOK, ""},
		{"unknown ?p shows the front page", "/?p=999999", http.StatusOK, ""},
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
