package handlers

import (
	"errors"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
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

// mediaShow serves uploaded photos, streamed from wherever the files are kept. Their
// names are hashes of their bytes, so they never change and may be cached for good;
// the name is also a strong ETag. They are served here even when -media-url points
// pages elsewhere: stories' HTML keeps /media/ addresses, and a CDN may pull from here.
func (a *App) mediaShow(c echo.Context) error {
	name := c.Param("file")
	if !mediaFile.MatchString(name) {
		return echo.ErrNotFound
	}
	f, err := a.Store.Media.Files.Open(c.Request().Context(), name)
	if errors.Is(err, models.ErrNotFound) {
		return echo.ErrNotFound
	} else if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+strings.TrimSuffix(name, path.Ext(name))+`"`)
	http.ServeContent(c.Response(), c.Request(), name, f.ModTime, f)
	return nil
}
