package handlers

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"broadsheet/models"
)

// meta returns the content of the head's <meta> with this property or name.
func meta(doc *goquery.Document, key string) string {
	v, _ := doc.Find(`head meta[property="` + key + `"], head meta[name="` + key + `"]`).First().Attr("content")
	return v
}

func TestArticleHeadMetadata(t *testing.T) {
	ta := newTestApp(t)
	world := ta.section("World")
	ed := ta.user("Mina Karimi", "editor")
	photo := ta.photo()
	hostile := `Talks "resume" </script><script>alert(1)</script> & more`
	art := ta.article(hostile, world, ed, func(in *models.ArticleInput) {
		in.Dek = "Delegates met for six hours & agreed to meet again."
		in.Tags = []string{"Diplomacy", "Iran"}
		in.MediaID, in.ImageAlt = photo.ID, "Delegates at a long table"
		in.UpdatedAt = testNow.Add(-30 * time.Minute)
	})
	res := ta.get("/articles/" + art.Slug)
	doc := parse(t, res)

	canonical := "http://news.test/articles/" + art.Slug
	checks := map[string]string{
		"description":            "Delegates met for six hours & agreed to meet again.",
		"og:type":                "article",
		"og:title":               hostile,
		"og:description":         "Delegates met for six hours & agreed to meet again.",
		"og:url":                 canonical,
		"og:site_name":           "The Broadsheet",
		"og:image":               "http://news.test" + photo.URL(1200),
		"og:image:width":         "1200",
		"og:image:height":        "675",
		"og:image:alt":           "Delegates at a long table",
		"article:published_time": "2026-11-20T11:00:00Z",
		"article:modified_time":  "2026-11-20T11:30:00Z",
		"article:section":        "World",
		"twitter:card":           "summary_large_image",
		"twitter:title":          hostile,
		"twitter:image":          "http://news.test" + photo.URL(1200),
	}
	for key, want := range checks {
		if got := meta(doc, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if got, _ := doc.Find(`head link[rel=canonical]`).Attr("href"); got != canonical {
		t.Errorf("canonical %q", got)
	}
	var tags []string
	doc.Find(`head meta[property="article:tag"]`).Each(func(_ int, s *goquery.Selection) { tags = append(tags, s.AttrOr("content", "")) })
	if strings.Join(tags, ",") != "Diplomacy,Iran" {
		t.Errorf("article:tag %q", tags)
	}

	scripts := doc.Find(`head script[type="application/ld+json"]`)
	if scripts.Length() != 2 {
		t.Fatalf("%d JSON-LD blocks, want 2 (the hostile headline must not break out of them)", scripts.Length())
	}
	doc.Find(`script:not([type="application/ld+json"])`).Each(func(_ int, s *goquery.Selection) {
		if src, ok := s.Attr("src"); !ok || !strings.HasPrefix(src, "/static/js/") {
			t.Errorf("the headline injected a script element: %s", s.AttrOr("src", text(s)))
		}
	})
	var article struct {
		Context       string              `json:"@context"`
		Type          string              `json:"@type"`
		Headline      string              `json:"headline"`
		Image         []string            `json:"image"`
		DatePublished string              `json:"datePublished"`
		DateModified  string              `json:"dateModified"`
		Author        []map[string]string `json:"author"`
		Publisher     struct {
			Type string `json:"@type"`
			Name string `json:"name"`
			Logo struct {
				URL string `json:"url"`
			} `json:"logo"`
		} `json:"publisher"`
	}
	if err := json.Unmarshal([]byte(scripts.Eq(0).Text()), &article); err != nil {
		t.Fatalf("NewsArticle JSON-LD: %v\n%s", err, scripts.Eq(0).Text())
	}
	authors := article.Author
	switch {
	case article.Context != "https://schema.org" || article.Type != "NewsArticle":
		t.Errorf("type %s %s", article.Context, article.Type)
	case article.Headline != hostile:
		t.Errorf("headline %q", article.Headline)
	case len(article.Image) != 1 || !strings.HasPrefix(article.Image[0], "http://news.test/media/"):
		t.Errorf("image %q", article.Image)
	case article.DatePublished != "2026-11-20T11:00:00Z" || article.DateModified != "2026-11-20T11:30:00Z":
		t.Errorf("dates %s %s", article.DatePublished, article.DateModified)
	case len(authors) != 1 || authors[0]["@type"] != "Person" || authors[0]["name"] != "Mina Karimi" || authors[0]["url"] != "http://news.test/author/mina-karimi":
		t.Errorf("author %v", authors)
	case article.Publisher.Type != "Organization" || article.Publisher.Name != "The Broadsheet" || !strings.HasPrefix(article.Publisher.Logo.URL, "http://news.test/static/"):
		t.Errorf("publisher %+v", article.Publisher)
	}

	var crumbs struct {
		Type  string `json:"@type"`
		Items []struct {
			Type     string `json:"@type"`
			Position int    `json:"position"`
			Name     string `json:"name"`
			Item     string `json:"item"`
		} `json:"itemListElement"`
	}
	if err := json.Unmarshal([]byte(scripts.Eq(1).Text()), &crumbs); err != nil {
		t.Fatalf("BreadcrumbList JSON-LD: %v", err)
	}
	if crumbs.Type != "BreadcrumbList" || len(crumbs.Items) != 3 || crumbs.Items[1].Item != "http://news.test/section/world" ||
		crumbs.Items[2].Position != 3 || crumbs.Items[2].Item != canonical || crumbs.Items[0].Type != "ListItem" {
		t.Errorf("breadcrumbs %+v", crumbs)
	}
}

func TestListPagesAreWebsites(t *testing.T) {
	ta := newTestApp(t)
	ta.article("Plain story", ta.section("World"), ta.user("Mina Karimi", "editor"), func(in *models.ArticleInput) { in.Dek = "" })
	doc := parse(t, ta.get("/section/world"))
	if got := meta(doc, "og:type"); got != "website" {
		t.Errorf("og:type %q", got)
	}
	if got := meta(doc, "twitter:card"); got != "summary" {
		t.Errorf("twitter:card %q", got)
	}
	if doc.Find(`script[type="application/ld+json"]`).Length() != 0 {
		t.Error("a list page claims to be an article")
	}
}
