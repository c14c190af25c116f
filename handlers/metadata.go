package handlers

import (
	"encoding/json"
	"html/template"
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
		Correction       []ldNote   `json:"correction,omitempty"`
		// The discussion's count and comments ([]ldComment) are appended as
		// "commentCount" and "comment" by ldJSONWith.
	}
	// ldNote is a schema.org CorrectionComment: a correction or clarification.
	ldNote struct {
		Type          string `json:"@type"`
		Text          string `json:"text"`
		DatePublished string `json:"datePublished"`
		URL           string `json:"url"`
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
	// ldLiveBlog is a live story: the article with its coverage times and newest entries.
	ldLiveBlog struct {
		ldNewsArticle
		CoverageStartTime string         `json:"coverageStartTime"`
		CoverageEndTime   string         `json:"coverageEndTime,omitempty"`
		LiveBlogUpdate    []ldBlogUpdate `json:"liveBlogUpdate"`
	}
	ldBlogUpdate struct {
		Type          string     `json:"@type"`
		Headline      string     `json:"headline"`
		URL           string     `json:"url"`
		DatePublished string     `json:"datePublished"`
		DateModified  string     `json:"dateModified"`
		ArticleBody   string     `json:"articleBody"`
		Author        []ldPerson `json:"author,omitempty"`
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

// ldJSON is structured data as the script element holds it. encoding/json writes <, >
// and & as \u escapes, so no text in it can close the element; handing html/template
// the finished JSON spares it escaping a long discussion's text character by
// character on every render. The ld types hold only strings, numbers and slices of
// them, which always marshal.
func ldJSON(v any) template.JS {
	b, err := json.Marshal(v)
	if err != nil {
		panic("structured data that cannot be marshalled: " + err.Error())
	}
	return template.JS(b)
}

// ldJSONWith is ldJSON(v) with the discussion's count and its JSON list of comments
// (made by ldComments; nil for none) added as the "commentCount" and "comment"
// properties, each between cuts (the page's Cut, cut.go): after a comment the count is
// the one part of the structured data that changed, and the list is a part the cache
// keeps compressed. They are spliced in rather than marshalled with v because
// encoding/json re-validates a json.RawMessage byte by byte, which cost more than
// marshalling the comments again; a marshalled struct always ends in '}'.
func ldJSONWith(v any, count int, comments []byte, cut string) template.JS {
	js, n, c := ldJSON(v), template.JS(strconv.Itoa(count)), template.JS(cut)
	if len(comments) == 0 {
		return js[:len(js)-1] + `,"commentCount":` + c + n + c + "}"
	}
	// One expression, one copy of the list.
	return js[:len(js)-1] + `,"commentCount":` + c + n + c + `,"comment":` + template.JS(comments) + c + "}"
}

// ldLiveUpdates is how many of a live story's newest entries its structured data lists:
// enough for search engines' live badges, while the page's size stays bounded.
const ldLiveUpdates = 50

// describeArticle fills the sharing metadata and structured data of a story page; a
// story with live coverage (cov, nil if none) is a LiveBlogPosting. Filing or
// amending a note modifies the story; corrections and clarifications are its
// schema.org `correction` (updates are news, not corrections). The public comments of
// the discussion page it shows are listed (disc; nil in a preview).
func (a *App) describeArticle(p *page, art models.Article, cov *models.Coverage, notes []models.Correction, disc *discussion) {
	modified := art.PublishedAt
	if art.UpdatedAt.After(modified) {
		modified = art.UpdatedAt
	}
	if cov != nil && cov.LastUpdate().After(modified) {
		modified = cov.LastUpdate()
	}
	var corrections []ldNote
	for _, n := range notes {
		for _, t := range []time.Time{n.CreatedAt, n.AmendedAt} {
			if t.After(modified) {
				modified = t
			}
		}
		if n.Kind != models.KindUpdate {
			corrections = append(corrections, ldNote{Type: "CorrectionComment", Text: n.Body, DatePublished: w3cTime(n.CreatedAt),
				URL: p.Canonical + "#note-" + strconv.FormatInt(n.ID, 10)})
		}
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
		MainEntityOfPage: p.Canonical, ArticleSection: art.Section.Name, Keywords: p.Share.Tags, Correction: corrections,
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
	var count int
	var comments []byte
	if disc != nil {
		count, comments = disc.Count, a.ldComments(disc)
	}
	if cov == nil {
		p.JSONLD = []template.JS{ldJSONWith(ld, count, comments, p.Cut), ldJSON(crumbs)}
		return
	}
	// Schema.org's live blog keeps its type once coverage ends: coverageEndTime says it ended.
	ld.Type = "LiveBlogPosting"
	live := ldLiveBlog{ldNewsArticle: ld, CoverageStartTime: w3cTime(cov.StartedAt), LiveBlogUpdate: []ldBlogUpdate{}}
	if !cov.Live() {
		live.CoverageEndTime = w3cTime(cov.EndedAt)
	}
	for _, e := range cov.Entries[:min(len(cov.Entries), ldLiveUpdates)] {
		body := a.plainText(string(e.BodyHTML))
		u := ldBlogUpdate{Type: "BlogPosting", Headline: e.Title, URL: p.Canonical + "#" + e.Anchor(),
			DatePublished: w3cTime(e.CreatedAt), DateModified: w3cTime(e.UpdatedAt), ArticleBody: body}
		if u.Headline == "" {
			u.Headline = models.CutText(body, 110)
		}
		if e.AuthorName != "" {
			u.Author = []ldPerson{{Type: "Person", Name: e.AuthorName, URL: a.absURL("/author/" + url.PathEscape(e.AuthorSlug))}}
		}
		live.LiveBlogUpdate = append(live.LiveBlogUpdate, u)
	}
	p.JSONLD = []template.JS{ldJSONWith(live, count, comments, p.Cut), ldJSON(crumbs)}
}

// plainText is stored HTML (a comment, a live entry, a story's body) as plain text for
// the structured data and descriptions, kept by the HTML itself: the sanitiser's pass
// was an eighth of a story page's miss, repeated for every comment shown whenever one
// of them changed.
func (a *App) plainText(html string) string {
	if t, ok := a.plainTexts.get(html); ok {
		return t
	}
	t := a.Store.San.PlainText(html)
	a.plainTexts.put(html, t, int64(len(html)+len(t))+64)
	return t
}

// ldComments is the structured data of the comments disc shows (nil when it shows
// none), kept under the key of their rendering while they are shared (reuseComments):
// that key names everything the list says. Marshalling fifty comments took a twentieth
// of a story page's miss.
func (a *App) ldComments(disc *discussion) []byte {
	if disc.listKey != "" {
		if j, ok := a.ldLists.get(disc.listKey); ok {
			return j
		}
	}
	list := a.describeComments(disc.Roots, "")
	if len(list) == 0 {
		return nil
	}
	j, err := json.Marshal(list)
	if err != nil {
		panic("structured data that cannot be marshalled: " + err.Error()) // as ldJSON
	}
	if disc.listKey != "" {
		a.ldLists.put(disc.listKey, j, int64(len(j)+len(disc.listKey))+64)
	}
	return j
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
				DateCreated: w3cTime(n.C.CreatedAt), Text: a.plainText(string(n.C.BodyHTML))}
			if parent != "" {
				lc.ParentItem = &ldRef{ID: parent}
			}
			out = append(out, lc)
		}
		out = append(out, a.describeComments(n.Replies, id)...)
	}
	return out
}
