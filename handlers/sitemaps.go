package handlers

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// sitemapSize is how many story URLs one paged sitemap holds (the protocol allows 50,000;
// smaller pages stay quick to build and to fetch).
const sitemapSize = 1000

// newsWindow is how far back the Google News sitemap reaches, as Google asks.
const newsWindow = 48 * time.Hour

const (
	sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
	newsNS    = "http://www.google.com/schemas/sitemap-news/0.9"
)

// urlSet is the Google News sitemap's document, written by encoding/xml: its entries
// nest the news extension, and there are few of them (two days of stories).
type urlSet struct {
	XMLName   xml.Name     `xml:"urlset"`
	Xmlns     string       `xml:"xmlns,attr"`
	XmlnsNews string       `xml:"xmlns:news,attr,omitempty"`
	URLs      []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc  string    `xml:"loc"`
	News *newsInfo `xml:"news:news,omitempty"`
}

// newsInfo is the Google News extension; encoding/xml writes the prefixed names as given.
type newsInfo struct {
	Name     string `xml:"news:publication>news:name"`
	Language string `xml:"news:publication>news:language"`
	Date     string `xml:"news:publication_date"`
	Title    string `xml:"news:title"`
}

func w3cTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// sendXML writes v as an XML document with conditional-GET validators.
func sendXML(c echo.Context, v any, modified time.Time) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	return serveConditional(c, "application/xml; charset=utf-8", xmlChars(buf.Bytes()), modified)
}

// sitemapWriter writes a sitemap or a sitemap index (a list of locations, each with
// an optional last modification) straight into one buffer. A story sitemap lists a
// thousand stories, and so does the index of a million-story archive: encoding/xml's
// reflection over them cost as much as reading them from the database, and a dozen
// allocations each.
type sitemapWriter struct {
	buf        bytes.Buffer
	root, item string
}

// newSitemap starts a document whose root element is root ("urlset" or
// "sitemapindex") holding about n elements named item ("url" or "sitemap").
func newSitemap(root, item string, n int) *sitemapWriter {
	w := &sitemapWriter{root: root, item: item}
	w.buf.Grow(128 + n*128) // a story's entry is about 110 bytes
	w.buf.WriteString(xml.Header + "<" + root + ` xmlns="` + sitemapNS + `">`)
	return w
}

// add lists loc, escaped as XML text (EscapeText also replaces characters XML does
// not allow), and its last modification unless it is zero.
func (w *sitemapWriter) add(loc string, lastMod time.Time) {
	w.buf.WriteString("<" + w.item + "><loc>")
	xml.EscapeText(&w.buf, []byte(loc)) // writes to a bytes.Buffer never fail
	w.buf.WriteString("</loc>")
	if !lastMod.IsZero() {
		w.buf.WriteString("<lastmod>")
		w.buf.Write(lastMod.UTC().AppendFormat(w.buf.AvailableBuffer(), time.RFC3339))
		w.buf.WriteString("</lastmod>")
	}
	w.buf.WriteString("</" + w.item + ">")
}

// doc ends the document and returns it.
func (w *sitemapWriter) doc() []byte {
	w.buf.WriteString("</" + w.root + ">")
	return w.buf.Bytes()
}

// send answers with the document, with conditional-GET validators.
func (w *sitemapWriter) send(c echo.Context, modified time.Time) error {
	return serveConditional(c, "application/xml; charset=utf-8", w.doc(), modified)
}

// sitemapIndexShow is /sitemap.xml: the paged story sitemaps plus one for the list pages.
func (a *App) sitemapIndexShow(c echo.Context) error {
	ctx := c.Request().Context()
	pages, err := a.Store.Articles.SitemapPages(ctx, sitemapSize)
	if err != nil {
		return err
	}
	mod, err := a.Store.Articles.LastModified(ctx)
	if err != nil {
		return err
	}
	idx := newSitemap("sitemapindex", "sitemap", pages+1)
	idx.add(a.absURL("/sitemaps/pages.xml"), time.Time{})
	for n := 1; n <= pages; n++ {
		idx.add(a.absURL("/sitemaps/articles-"+strconv.Itoa(n)+".xml"), time.Time{})
	}
	return idx.send(c, mod)
}

var articleSitemap = regexp.MustCompile(`^articles-([1-9][0-9]{0,5})\.xml$`)

// sitemapShow is /sitemaps/pages.xml (front page, sections, topics, writers) and
// /sitemaps/articles-N.xml (the visible stories among ids (N-1)*1000+1 to N*1000, oldest first).
func (a *App) sitemapShow(c echo.Context) error {
	ctx := c.Request().Context()
	mod, err := a.Store.Articles.LastModified(ctx)
	if err != nil {
		return err
	}
	name := c.Param("file")
	if name == "pages.xml" {
		set := newSitemap("urlset", "url", 0)
		set.add(a.absURL("/"), time.Time{})
		secs, err := a.Store.Sections.All(ctx)
		if err != nil {
			return err
		}
		for _, s := range secs {
			set.add(a.absURL("/section/"+url.PathEscape(s.Slug)), time.Time{})
		}
		tags, err := a.Store.Tags.InUse(ctx, a.Now())
		if err != nil {
			return err
		}
		for _, t := range tags {
			set.add(a.absURL("/tag/"+url.PathEscape(t.Slug)), time.Time{})
		}
		authors, err := a.Store.Users.Bylined(ctx, a.Now())
		if err != nil {
			return err
		}
		for _, au := range authors {
			set.add(a.absURL("/author/"+url.PathEscape(au.Slug)), time.Time{})
		}
		return set.send(c, mod)
	}
	m := articleSitemap.FindStringSubmatch(name)
	if m == nil {
		return models.ErrNotFound
	}
	n, _ := strconv.Atoi(m[1]) // the pattern admits only small whole numbers
	pages, err := a.Store.Articles.SitemapPages(ctx, sitemapSize)
	if err != nil {
		return err
	}
	if n > pages {
		return models.ErrNotFound
	}
	// A sitemap the index lists answers even when it holds no story now (all of its
	// stories were taken down): crawlers report a listed sitemap that is missing.
	got, err := a.Store.Articles.SitemapPage(ctx, a.Now(), n, sitemapSize)
	if err != nil {
		return err
	}
	set := newSitemap("urlset", "url", len(got))
	for _, e := range got {
		set.add(a.absURL("/articles/"+url.PathEscape(e.Slug)), e.LastMod())
	}
	return set.send(c, mod)
}

// newsSitemapShow is /sitemap-news.xml: stories of the last 48 hours in Google's News format.
func (a *App) newsSitemapShow(c echo.Context) error {
	ctx := c.Request().Context()
	site, err := a.Store.Settings.Get(ctx)
	if err != nil {
		return err
	}
	recent, err := a.Store.Articles.PublishedSince(ctx, a.Now(), a.Now().Add(-newsWindow), sitemapSize)
	if err != nil {
		return err
	}
	mod, err := a.Store.Articles.LastModified(ctx)
	if err != nil {
		return err
	}
	set := urlSet{Xmlns: sitemapNS, XmlnsNews: newsNS}
	for _, e := range recent {
		set.URLs = append(set.URLs, sitemapURL{Loc: a.absURL("/articles/" + url.PathEscape(e.Slug)),
			News: &newsInfo{Name: site.SiteName, Language: "en", Date: w3cTime(e.PublishedAt), Title: e.Title}})
	}
	return sendXML(c, set, mod)
}

// robotsShow keeps crawlers out of the newsroom and search results and points them at the sitemaps.
func (a *App) robotsShow(c echo.Context) error {
	var b strings.Builder
	b.WriteString("User-agent: *\nDisallow: /admin\nDisallow: /search\n\n")
	b.WriteString("Sitemap: " + a.absURL("/sitemap.xml") + "\n")
	b.WriteString("Sitemap: " + a.absURL("/sitemap-news.xml") + "\n")
	return serveConditional(c, "text/plain; charset=utf-8", []byte(b.String()), time.Time{})
}
