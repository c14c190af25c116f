package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// The live desk: where editors mark a story live, post its entries (several editors at
// once, each with a plain form), edit or delete them, and close the coverage. Readers
// see the entries on the story's own page (articles.go) and, where JavaScript runs,
// are told of new ones by the stream in live_stream.go.

type liveDeskData struct {
	page
	Article  models.Article
	Coverage *models.Coverage // nil: the story was never live
	Form     models.LiveEntryInput
	Errors   models.ValidationError
	Editing  *models.LiveEntry // the entry the form edits (nil: a new entry)
	Visible  bool              // readers can see the story now
}

// liveDesk renders the desk of the story in the :id parameter, with d's form state.
func (a *App) liveDesk(c echo.Context, status int, d liveDeskData) error {
	ctx := c.Request().Context()
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if d.Article, err = a.Store.Articles.Get(ctx, id); err != nil {
		return err
	}
	d.Coverage, err = a.Store.Live.Coverage(ctx, id)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if d.page, err = a.adminPage(c); err != nil {
		return err
	}
	d.Visible = d.Article.LiveAt(a.Now())
	return a.render(c, status, "admin/live", d)
}

func (a *App) adminLiveDesk(c echo.Context) error {
	return a.liveDesk(c, http.StatusOK, liveDeskData{})
}

// deskPath is the desk's address for the story in the :id parameter.
func deskPath(c echo.Context) string { return "/admin/articles/" + c.Param("id") + "/live" }

// adminLiveStart marks the story live (or live again after closing).
func (a *App) adminLiveStart(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := a.Store.Articles.Get(ctx, id); err != nil {
		return err
	}
	if err := a.Store.Live.Start(ctx, a.Now(), id, staff(c).ID); err != nil {
		return err
	}
	return a.flashTo(c, deskPath(c), "The story is live: entries you post appear on it at once.")
}

// adminLiveClose ends the coverage; the story reads as a normal article with its timeline.
func (a *App) adminLiveClose(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = a.Store.Live.Close(c.Request().Context(), a.Now(), id, staff(c).ID)
	if errors.Is(err, models.ErrNotFound) {
		return a.flashTo(c, deskPath(c), "The coverage was already closed.")
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, deskPath(c), "Live coverage closed: the story now reads as an article, its entries as a timeline.")
}

// liveEntryForm reads the entry form.
func liveEntryForm(c echo.Context) models.LiveEntryInput {
	return models.LiveEntryInput{Title: c.FormValue("title"), Body: c.FormValue("body"),
		KeyEvent: c.FormValue("key_event") != "", Pinned: c.FormValue("pinned") != ""}
}

// adminLiveEntryCreate posts an entry. A refused entry comes back in the form with the
// reason; a story closed meanwhile by a colleague says so and keeps the text.
func (a *App) adminLiveEntryCreate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	in := liveEntryForm(c)
	_, err = a.Store.Live.Post(c.Request().Context(), a.Now(), id, staff(c).ID, in)
	if errors.Is(err, models.ErrConflict) {
		err = models.ValidationError{"body": "The story is not live (a colleague may have closed it): mark it live again to post this entry."}
	}
	if v, ok := models.AsValidation(err); ok {
		return a.liveDesk(c, http.StatusUnprocessableEntity, liveDeskData{Form: in, Errors: v})
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, deskPath(c), "Entry posted.")
}

// liveEntry reads the entry in the :entry parameter of the story in :id.
func (a *App) liveEntry(c echo.Context) (models.LiveEntry, error) {
	id, err := idParam(c)
	if err != nil {
		return models.LiveEntry{}, err
	}
	eid, err := strconv.ParseInt(c.Param("entry"), 10, 64)
	if err != nil || eid < 1 {
		return models.LiveEntry{}, models.ErrNotFound
	}
	return a.Store.Live.Entry(c.Request().Context(), id, eid)
}

// adminLiveEntryEdit is the desk with the form filled with one entry.
func (a *App) adminLiveEntryEdit(c echo.Context) error {
	e, err := a.liveEntry(c)
	if err != nil {
		return err
	}
	in := models.LiveEntryInput{Title: e.Title, Body: e.BodySrc, KeyEvent: e.KeyEvent, Pinned: e.Pinned}
	return a.liveDesk(c, http.StatusOK, liveDeskData{Form: in, Editing: &e})
}

func (a *App) adminLiveEntryUpdate(c echo.Context) error {
	e, err := a.liveEntry(c)
	if err != nil {
		return err
	}
	in := liveEntryForm(c)
	err = a.Store.Live.Update(c.Request().Context(), a.Now(), e.ArticleID, e.ID, staff(c).ID, in)
	if v, ok := models.AsValidation(err); ok {
		return a.liveDesk(c, http.StatusUnprocessableEntity, liveDeskData{Form: in, Errors: v, Editing: &e})
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, deskPath(c), "Entry saved.")
}

func (a *App) adminLiveEntryDelete(c echo.Context) error {
	e, err := a.liveEntry(c)
	if err != nil {
		return err
	}
	if err := a.Store.Live.Delete(c.Request().Context(), a.Now(), e.ArticleID, e.ID, staff(c).ID); err != nil {
		return err
	}
	return a.flashTo(c, deskPath(c), "Entry deleted.")
}
