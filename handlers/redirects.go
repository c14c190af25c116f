package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// notFound answers every address no route knows. An old WordPress permalink of an
// imported story is sent on (301) to the story's address here; anything else is the 404 page.
func (a *App) notFound(c echo.Context) error {
	if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
		if done, err := a.redirectOld(c, c.Request().URL.Path); done {
			return err
		}
	}
	return echo.ErrNotFound
}

// legacyPostID sends WordPress's plain permalink, /?p=ID, to the imported story;
// the front page is shown for any other ?p.
func (a *App) legacyPostID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if id := c.QueryParam("p"); id != "" {
			if done, err := a.redirectOld(c, "/?p="+id); done {
				return err
			}
		}
		return next(c)
	}
}

// redirectOld answers with a 301 to the visible story that lived at oldPath on the
// old site; done is false when there is none.
func (a *App) redirectOld(c echo.Context, oldPath string) (done bool, err error) {
	slug, err := a.Store.Articles.OldPermalink(c.Request().Context(), a.Now(), oldPath)
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	return true, c.Redirect(http.StatusMovedPermanently, "/articles/"+url.PathEscape(slug))
}
