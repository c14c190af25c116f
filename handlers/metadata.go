package handlers

import (
	"net/url"
	"strconv"
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
		Context          string      `json:"@context"`
		Type             string      `json:"@type"`
		Headline         string      `json:"headline"`
		Description      string      `json:"description,omitempty"`
		Image            []string    `json:"image,omitempty"`
		DatePublished    string      `json:"datePublished"`
		DateModified     string      `json:"dateModified"`
		Author           []ldPerson  `json:"author"`
		Publisher        ldOrg       `json:"publisher"`
		MainEntityOfPage string      `json:"mainEntityOfPage"`
		ArticleSection   string      `json:"articleSection,omitempty"`
		Keywords         []string    `json:"keywords,omitempty"`
		CommentCount     int         `json:"commentCount"`
		Comment          []ldComment `json:"comment,omitempty"`
	}
	// ldComment is one public comment of the discussion page a story page shows.
	ldComment struct {
		Type        string   `json:"@type"`
		ID          string   `json:"@id"`
		URL         string   `json:"url"`
		Author      ldAuthor `json:"author"`
		DateCreated string   `json:"dateCreated"`
		Text        string   `json:"text"`
		ParentItem  *ldRef   `json:"parentItem,omitempty"`
	}
	ldAuthor struct {
		Type string `json:"@type"`
		Name string `json:"name"`
	}
	ldRef struct {
		ID string `json:"@id"`
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

// describeArticle fills the sharing metadata and structured data of a story page,
// with the public comments of the discussion page it shows (disc; nil in a preview).
func (a *App) describeArticle(p *page, art models.Article, disc *discussion) {
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
		p.Share.Image = &shareImage{URL: a.absURL(img.URL(w)), Width: w, Height: img.HeightAt(w), Alt: img.Alt}
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
	if disc != nil {
		ld.CommentCount = disc.Count
		ld.Comment = a.describeComments(disc.Roots, "")
	}
	p.JSONLD = []any{ld, crumbs}
}

// describeComments lists the public comments of nodes and their replies as schema.org
// Comments, each naming the comment it answers (parent: its permalink, "" for none).
// Placeholders of removed comments and comments awaiting moderation are left out.
func (a *App) describeComments(nodes []*commentNode, parent string) []ldComment {
	var out []ldComment
	for _, n := range nodes {
		id := a.absURL("/comments/" + strconv.FormatInt(n.C.ID, 10))
		if !n.C.Removed && !n.C.Pending() {
			lc := ldComment{Type: "Comment", ID: id, URL: a.absURL(n.Href), Author: ldAuthor{Type: "Person", Name: n.C.Name},
				DateCreated: w3cTime(n.C.CreatedAt), Text: a.Store.San.PlainText(string(n.C.BodyHTML))}
			if parent != "" {
				lc.ParentItem = &ldRef{ID: parent}
			}
			out = append(out, lc)
		}
		out = append(out, a.describeComments(n.Replies, id)...)
	}
	return out
}
