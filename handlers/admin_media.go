package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

type mediaData struct {
	page
	Media    models.Paged[models.Media]
	Query    string // the library search (alt text, caption and credit), kept in the pager
	Pager    pager
	Errors   models.ValidationError
	ErrorFor int64 // the photo the errors belong to; 0 = the upload form
	Upload   models.Media
	For      *models.Article // the story a photo is being chosen for (?for=ID), or nil
	// Insert is the story form a photo is being chosen to go into the body of
	// (?insert=ID, or ?insert=new): its address, and what to call the story.
	Insert, InsertTitle, InsertParam string
	// AllPhotos is the library without the search, still choosing for the same story.
	AllPhotos string
}

func (a *App) mediaPage(c echo.Context, status int, d mediaData) error {
	n, err := pageParam(c)
	if err != nil {
		return err
	}
	if d.page, err = a.adminPage(c); err != nil {
		return err
	}
	d.Query = strings.TrimSpace(c.QueryParam("q"))
	if d.Media, err = a.Store.Media.List(c.Request().Context(), d.Query, models.Page{Number: n, Size: adminPerPage}); err != nil {
		return err
	}
	if raw := c.QueryParam("for"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "That is not a story.")
		}
		art, err := a.editableID(c, id)
		if err != nil {
			return err
		}
		d.For = &art
	}
	if raw := c.QueryParam("insert"); raw != "" {
		if d.Insert, d.InsertTitle, err = a.insertTarget(c, raw); err != nil {
			return err
		}
		d.InsertParam = raw
	}
	d.AllPhotos = pageLink("/admin/media", query("for", c.QueryParam("for"), "insert", d.InsertParam))(1)
	d.Pager = newPager("Pages", n, d.Media.Pages, pageLink("/admin/media", query("q", d.Query, "for", c.QueryParam("for"), "insert", d.InsertParam)))
	return a.render(c, status, "admin/media", d)
}

// insertTarget names the story form a library photo is chosen for (?insert=ID):
// the form's address and what to call the story.
func (a *App) insertTarget(c echo.Context, raw string) (string, string, error) {
	if raw == "new" {
		return "/admin/articles/new", "a new story", nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return "", "", echo.NewHTTPError(http.StatusBadRequest, "That is not a story.")
	}
	art, err := a.editableID(c, id)
	if err != nil {
		return "", "", err
	}
	return "/admin/articles/" + strconv.FormatInt(art.ID, 10), "‘" + art.Title + "’", nil
}

// adminMediaList is the photo library: every upload, newest first, with its words.
func (a *App) adminMediaList(c echo.Context) error {
	return a.mediaPage(c, http.StatusOK, mediaData{})
}

// adminMediaUpload stores a photo from the library's upload form. Anything that is not
// a photo we accept comes back as a message beside the file field; nothing is stored.
func (a *App) adminMediaUpload(c echo.Context) error {
	meta := models.Media{Alt: strings.TrimSpace(c.FormValue("alt")), Caption: strings.TrimSpace(c.FormValue("caption")),
		Credit: strings.TrimSpace(c.FormValue("credit"))}
	errs := models.ValidationError{}
	if meta.Alt == "" {
		errs["alt"] = "Describe the photo for readers who cannot see it."
	}
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		errs["file"] = "Choose a photo to upload."
	}
	if len(errs) == 0 {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = a.Store.Media.TrySave(c.Request().Context(), a.Now(), f, meta, staff(c).ID)
		var me models.MediaError
		switch {
		case errors.Is(err, models.ErrMediaBusy):
			errs["file"] = mediaBusy(c)
			return a.mediaPage(c, http.StatusServiceUnavailable, mediaData{Errors: errs, Upload: meta})
		case errors.As(err, &me):
			errs["file"] = me.Error()
		case err != nil:
			return err
		default:
			return a.flashTo(c, "/admin/media", "The photo was added to the library.")
		}
	}
	return a.mediaPage(c, http.StatusUnprocessableEntity, mediaData{Errors: errs, Upload: meta})
}

// mediaRetrySeconds is how long an upload refused while another photo is processed
// is asked to wait: processing the largest photo we accept takes a few seconds.
const mediaRetrySeconds = 10

// mediaBusy sets Retry-After on an upload refused because the server processes one
// photo at a time, and returns the message for the file field.
func mediaBusy(c echo.Context) string {
	c.Response().Header().Set("Retry-After", strconv.Itoa(mediaRetrySeconds))
	return "The server is processing another photo. Send this one again in " + strconv.Itoa(mediaRetrySeconds) + " seconds; what you typed is kept."
}

// adminMediaUpdate changes a photo's alt text, caption and credit.
func (a *App) adminMediaUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = a.Store.Media.UpdateMeta(c.Request().Context(), id, c.FormValue("alt"), c.FormValue("caption"), c.FormValue("credit"))
	if v, ok := models.AsValidation(err); ok {
		return a.mediaPage(c, http.StatusUnprocessableEntity, mediaData{Errors: v, ErrorFor: id})
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, "/admin/media", "The photo's details were saved.")
}

// adminMediaDelete removes a photo and its files; stories that led with it lose it.
func (a *App) adminMediaDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.Store.Media.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return a.flashTo(c, "/admin/media", "The photo was deleted.")
}
