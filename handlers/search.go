package handlers

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// searchPerPage is how many results a search page shows.
const searchPerPage = 10

type searchData struct {
	page
	Query    string
	Section  string // slug, "" = all sections
	ByDate   bool
	Results  models.Paged[models.SearchHit]
	Searched bool // a query was given (as opposed to an empty search page)
	Pager    pager
}

// searchShow answers GET /search?q=&section=&sort=date&page=. Whatever a reader types
// gives results or "nothing found"; models.SearchQuery makes it safe for FTS5. An
// unknown section is ignored rather than refused, so an old link still searches.
func (a *App) searchShow(c echo.Context) error {
	p, err := a.newPage(c)
	if err != nil {
		return err
	}
	n, err := pageParam(c)
	if err != nil {
		return err
	}
	// Result pages are endless variations of the archive: keep them out of search engines.
	p.NoIndex = true
	d := searchData{page: p, Query: c.QueryParam("q"), ByDate: c.QueryParam("sort") == "date"}
	in := models.SearchInput{Query: d.Query, ByDate: d.ByDate}
	for _, sec := range p.Sections {
		if sec.Slug == c.QueryParam("section") {
			d.Section, in.SectionID = sec.Slug, sec.ID
		}
	}
	if d.Query != "" {
		d.Searched = true
		d.Results, err = a.Store.Articles.Search(c.Request().Context(), a.Now(), in, models.Page{Number: n, Size: searchPerPage})
		if err != nil {
			return err
		}
		d.Pager = newPager("Result pages", n, d.Results.Pages, pageLink("/search", d.query()))
	}
	if err := a.readerChrome(&d.page, "search"); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "search", d)
}

// query is this search as a query string, which every page of its results shares.
func (d searchData) query() string {
	v := url.Values{"q": {d.Query}}
	if d.Section != "" {
		v.Set("section", d.Section)
	}
	if d.ByDate {
		v.Set("sort", "date")
	}
	return v.Encode()
}
