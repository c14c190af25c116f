package handlers

import (
	"net/http"
	"net/url"
	"strconv"

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
	Searched bool   // a query was given (as opposed to an empty search page)
	PrevURL  string // links to the neighbouring pages of results, "" when none
	NextURL  string
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
		if d.Results.HasPrev() {
			d.PrevURL = d.pageURL(min(n-1, max(d.Results.Pages, 1)))
		}
		if d.Results.HasNext() {
			d.NextURL = d.pageURL(n + 1)
		}
	}
	return c.Render(http.StatusOK, "search", d)
}

// pageURL is the address of page n of the same search.
func (d searchData) pageURL(n int) string {
	v := url.Values{"q": {d.Query}}
	if d.Section != "" {
		v.Set("section", d.Section)
	}
	if d.ByDate {
		v.Set("sort", "date")
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return "/search?" + v.Encode()
}
