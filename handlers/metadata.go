package handlers

import (
	"net/url"
	"time"

	"broadsheet/models"
)

// share is what a page tells link previews (Open Graph, Twitter cards) beyond its
// title, description and canonical URL. The zero value describes a plain web page.
type share struct {
	Type      string // "article"; "" = "website"
	Image     *shareImage
	Published time.Time
	Modified  time.Time
	Section   string
	Tags      []string
}

type shareImage struct {
	URL           string
	Width, Height int
	Alt           string
}

// shareWidth is the photo width offered to link previews: big enough for a large card.
const shareWidth = 1600

// JSON-LD shapes from schema.org, with the properties search engines document for news.
type (
	ldNewsArticle struct {
		Context          string     `json:"@context"`
		Type             string     `json:"@type"`
		Headline         string     `json:"headline"`
		Description      string     `json:"description,omitempty"`
		Image            []string   `json:"image,omitempty"`
		DatePublished    string     `json:"datePublished"`
		DateModified     string     `json:"dateModified"`
		Author           []ldPerson `json:"author"`
		Publisher        ldOrg      `json:"publisher"`
		MainEntityOfPage string     `json:"mainEntityOfPage"`
		ArticleSection   string     `json:"articleSection,omitempty"`
		Keywords         []string   `json:"keywords,omitempty"`
	}
	ldPerson struct {
		Type string `json:"@type"`
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	ldOrg struct {
		Type string  `json:"@type"`
		Name string  `json:"name"`
		URL  string  `json:"url"`
		Logo ldImage `json:"logo"`
	}
	ldImage struct {
		Type string `json:"@type"`
		URL  string `json:"url"`
	}
	ldBreadcrumbs struct {
		Context string    `json:"@context"`
		Type    string    `json:"@type"`
		Items   []ldCrumb `json:"itemListElement"`
	}
	ldCrumb struct {
		Type     string `json:"@type"`
		Position int    `json:"position"`
		Name     string `json:"name"`
		Item     string `json:"item"`
	}
)

// describeArticle fills the sharing metadata and structured data of a story page.
func (a *App) describeArticle(p *page, art models.Article) {
	modified := art.PublishedAt
	if art.UpdatedAt.After(modified) {
		modified = art.UpdatedAt
	}
	p.Share = share{Type: "article", Published: art.PublishedAt, Modified: modified, Section: art.Section.Name}
	for _, t := range art.Tags {
		p.Share.Tags = append(p.Share.Tags, t.Name)
	}
	ld := ldNewsArticle{
		Context: "https://schema.org", Type: "NewsArticle",
		Headline: art.Title, Description: p.Description,
		DatePublished: w3cTime(art.PublishedAt), DateModified: w3cTime(modified),
		Author:           []ldPerson{},
		MainEntityOfPage: p.Canonical, ArticleSection: art.Section.Name, Keywords: p.Share.Tags,
		Publisher: ldOrg{Type: "Organization", Name: p.Site.SiteName, URL: a.absURL("/"),
			Logo: ldImage{Type: "ImageObject", URL: a.absURL(a.Assets.URL("img/favicon.svg"))}},
	}
	if img := art.Image; img != nil {
		w := min(shareWidth, img.Width)
		p.Share.Image = &shareImage{URL: a.photoURL(img, w), Width: w, Height: img.HeightAt(w), Alt: img.Alt}
		ld.Image = []string{p.Share.Image.URL}
	}
	for _, au := range art.Authors {
		ld.Author = append(ld.Author, ldPerson{Type: "Person", Name: au.Name, URL: a.absURL("/author/" + url.PathEscape(au.Slug))})
	}
	crumbs := ldBreadcrumbs{Context: "https://schema.org", Type: "BreadcrumbList", Items: []ldCrumb{
		{Type: "ListItem", Position: 1, Name: p.Site.SiteName, Item: a.absURL("/")},
		{Type: "ListItem", Position: 2, Name: art.Section.Name, Item: a.absURL("/section/" + url.PathEscape(art.Section.Slug))},
		{Type: "ListItem", Position: 3, Name: art.Title, Item: p.Canonical},
	}}
	p.JSONLD = []any{ld, crumbs}
}
