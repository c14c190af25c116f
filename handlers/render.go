package handlers

import (
	"context"
	"io"
	"net/http"
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
	Alternates  []alternate // feeds of this page's stories, for <link rel="alternate">
	Share       share       // Open Graph and Twitter card details
	JSONLD      []any       // schema.org structured data, written as application/ld+json
}

// newPage fills the layout's data for this request.
func (a *App) newPage(c echo.Context) (page, error) {
	p, err := a.basePage(c.Request().Context(), currentUser(c))
	p.Flash = a.popFlash(c)
	return p, err
}

// basePage is newPage without the request: the error page uses it too.
func (a *App) basePage(ctx context.Context, u *models.User) (page, error) {
	site, err := a.Store.Settings.Get(ctx)
	if err != nil {
		return page{}, err
	}
	secs, err := a.Store.Sections.All(ctx)
	if err != nil {
		return page{}, err
	}
	zone, err := time.LoadLocation(site.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	return page{Site: site, Sections: secs, User: u, Zone: zone, Year: a.Now().In(zone).Year(),
		Alternates: a.feedLinks(site.SiteName, "")}, nil
}

// Render implements echo.Renderer over our views.
func (a *App) Render(w io.Writer, name string, data any, _ echo.Context) error {
	return a.Views.Render(w, name, data)
}

// absURL makes an absolute URL from a site path using the configured base URL.
func (a *App) absURL(path string) string { return a.Config.BaseURL + path }

// seeOther is the post/redirect/get answer to a successful form.
func seeOther(c echo.Context, to string) error { return c.Redirect(http.StatusSeeOther, to) }
