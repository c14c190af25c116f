package handlers

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"

	"github.com/labstack/echo/v4"
)

// staticShow serves embedded assets under fingerprinted names. The name changes
// whenever the bytes do, so browsers and CDNs may keep each file for a year.
func (a *App) staticShow(c echo.Context) error {
	name, ok := a.Assets.Lookup(c.Param("*"))
	if !ok {
		return echo.ErrNotFound
	}
	b, err := a.Assets.Read(name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, mime.TypeByExtension(path.Ext(name)), b)
}

// mediaFile matches the content-addressed names models.MediaStore writes.
var mediaFile = regexp.MustCompile(`^[0-9a-f]{32}(-[0-9]{2,5})?\.(jpg|png)$`)

// mediaShow serves uploaded photos. Their names are hashes of their bytes, so they
// never change and may be cached for good.
func (a *App) mediaShow(c echo.Context) error {
	name := c.Param("file")
	if !mediaFile.MatchString(name) {
		return echo.ErrNotFound
	}
	p := filepath.Join(a.Store.Media.Dir, name)
	if _, err := os.Stat(p); err != nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.File(p)
}
