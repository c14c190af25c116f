package handlers

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// page is what the base layout needs; every page's data embeds it.
type page struct {
	Title       string
	Description string
	Canonical   string
	Site        models.Settings
	Sections    []models.Section
	User        *models.User
	Zone        *time.Location
	Current     string // slug of the section to mark in the navigation, or "home"
	Flash       string
	Year        int
	NoIndex     bool
	Alternates  []alternate   // feeds of this page's stories, for <link rel="alternate">
	Share       share         // Open Graph and Twitter card details
	JSONLD      []template.JS // schema.org structured data (ldJSON), written as application/ld+json
	Now         time.Time     // the newsroom's clock, for "goes live … in 3 h"; zero on readers' pages

	// Parts of the layout already rendered ("" renders them): see readerChrome and renderStory.
	Masthead, Footer, Social template.HTML
	// Cut is rendered where the page cache may cut the page into parts, "" when it does
	// not (cut.go).
	Cut  string
	snap *siteSnapshot // the site as this page shows it
}

// pager is the navigation under any paged list: links to the neighbouring pages
// ("" where there is none), made by the handler so that filters, queries and anchors
// survive paging. Every list renders it through the one "pager" partial.
type pager struct {
	Label              string // names the navigation for screen readers
	Number, Pages      int
	Prev, Next         string
	PrevText, NextText string
}

// newPager is the pager of page number of pages; link makes the address of a page.
// A page past the end links back to the last page there is.
func newPager(label string, number, pages int, link func(n int) string) pager {
	p := pager{Label: label, Number: number, Pages: pages, PrevText: "← Previous", NextText: "Next →"}
	if number > 1 {
		p.Prev = link(min(number-1, max(pages, 1)))
	}
	if number < pages {
		p.Next = link(number + 1)
	}
	return p
}

// pageLink makes the addresses of base's pages: page 1 is base itself (its canonical
// address), others add page=N to the query q (which may be "").
func pageLink(base, q string) func(int) string {
	return func(n int) string {
		v := q
		if n > 1 {
			if v != "" {
				v += "&"
			}
			v += "page=" + strconv.Itoa(n)
		}
		if v == "" {
			return base
		}
		return base + "?" + v
	}
}

// newPage fills the layout's data for this request.
func (a *App) newPage(c echo.Context) (page, error) {
	st, err := a.state(c)
	if err != nil {
		return page{}, err
	}
	p := a.pageFrom(st.snap, currentUser(c))
	p.Flash = a.popFlash(c)
	if c.Get(cutKey) != nil {
		p.Cut = a.cutMark
	}
	// The footer shows the year, so a page kept in the cache changes by itself when it turns.
	a.changesAt(c, time.Date(p.Year+1, time.January, 1, 0, 0, 0, 0, p.Zone))
	return p, nil
}

// basePage is newPage without an Echo request: the error page uses it too.
func (a *App) basePage(ctx context.Context, u *models.User) (page, error) {
	g, err := a.siteReads.get(ctx, a.Store.SiteVersions)
	if err != nil {
		return page{}, err
	}
	snap, err := a.snapshot(ctx, g.Site)
	if err != nil {
		return page{}, err
	}
	return a.pageFrom(snap, u), nil
}

func (a *App) pageFrom(snap *siteSnapshot, u *models.User) page {
	zone := snap.site.Location()
	return page{Site: snap.site, Sections: snap.sections, User: u, Zone: zone, Year: a.Now().In(zone).Year(),
		Alternates: a.feedLinks(snap.site.SiteName, ""), snap: snap}
}

// readerChrome sets a reader's page's masthead and footer from those kept on its site
// snapshot, rendering them the first time a page of that section (p.Current) asks in
// that year: they show nothing but the site, the section and the year, so they hold
// while the snapshot does. The masthead of a logged-in reader names them and is left
// to render with their page. Call it once p.Current is set; view is the page being
// rendered (every page's templates include the layout's).
//
// The layout's template work was a third of a story page's miss; these two parts were
// half of it.
func (a *App) readerChrome(p *page, view string) error {
	key := strconv.Itoa(p.Year) + "|" + p.Current
	v, ok := p.snap.chrome.Load(key)
	if !ok {
		var ch chrome
		var err error
		anon := *p
		anon.User = nil
		if ch.masthead, err = a.Views.Fragment(view, "masthead", anon); err != nil {
			return err
		}
		if ch.footer, err = a.Views.Fragment(view, "footer", anon); err != nil {
			return err
		}
		v, _ = p.snap.chrome.LoadOrStore(key, ch)
	}
	ch := v.(chrome)
	if p.User == nil {
		p.Masthead = ch.masthead
	}
	p.Footer = ch.footer
	return nil
}

// chrome is the masthead and footer of readers' pages of one section, as anonymous
// readers see them.
type chrome struct{ masthead, footer template.HTML }

// render answers with page name rendered with data, under status. Views.Render builds
// the whole page before it writes a byte, so a template that fails leaves the answer
// unwritten for the error handler; the status goes out with that first byte. It
// replaces Echo's c.Render, which built the page into a buffer of its own and then
// copied it out: a story page's 70 KB allocated and copied once more for nothing.
func (a *App) render(c echo.Context, status int, name string, data any) error {
	return a.Views.Render(htmlAnswer(c, status), name, data)
}

// htmlAnswer readies the answer for a page under status, which goes out with its
// first byte.
func htmlAnswer(c echo.Context, status int) *echo.Response {
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	res.Status = status
	return res
}

// absURL makes an absolute URL from a site path using the configured base URL.
func (a *App) absURL(path string) string { return a.Config.BaseURL + path }

// photoURL is the absolute address of photo m at width w, on this site or on the
// public bucket or CDN that serves the photos.
func (a *App) photoURL(m photoFiles, w int) string {
	if a.mediaBase == models.MediaPath {
		return a.absURL(m.URLAt(models.MediaPath, w))
	}
	return m.URLAt(a.mediaBase, w)
}

// seeOther is the post/redirect/get answer to a successful form.
func seeOther(c echo.Context, to string) error { return c.Redirect(http.StatusSeeOther, to) }
