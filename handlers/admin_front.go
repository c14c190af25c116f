package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// frontCandidates is how many of the latest stories the newsroom's "add to the front
// page" menu offers.
const frontCandidates = 60

// pickRow is what the newsroom's row for one pick needs.
type pickRow struct {
	P    models.Pick
	Zone *time.Location
	Now  time.Time // a pick of a story not yet live says so
}

type frontData struct {
	page
	Now        time.Time
	Picks      models.FrontPicks
	Candidates []models.Article
	MaxTop     int
	BlockSize  int
	Errors     models.ValidationError
	// What the editor typed, kept when the form comes back with a reason.
	ArticleID   int64
	Slot        string
	PinnedUntil string
}

// frontPage shows the newsroom's front-page desk: the picks in force, with buttons to
// order and remove them, and the form that adds one.
func (a *App) frontPage(c echo.Context, status int, d frontData) error {
	var err error
	if d.page, err = a.adminPage(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if d.Picks, err = a.Store.Front.Picks(ctx, a.Now(), false); err != nil {
		return err
	}
	latest, err := a.Store.Articles.Published(ctx, a.Now(), models.Filter{}, models.Page{Number: 1, Size: frontCandidates})
	if err != nil {
		return err
	}
	d.Candidates, d.MaxTop, d.BlockSize, d.Now = latest.Items, models.MaxTopStories, models.SectionBlockSize, a.Now()
	if d.Slot == "" {
		d.Slot = models.SlotTop
	}
	return a.render(c, status, "admin/front", d)
}

func (a *App) adminFrontShow(c echo.Context) error {
	return a.frontPage(c, http.StatusOK, frontData{})
}

// adminFrontPick places a story; a refused pick comes back with the choices kept.
func (a *App) adminFrontPick(c echo.Context) error {
	d := frontData{Slot: c.FormValue("slot"), PinnedUntil: strings.TrimSpace(c.FormValue("pinned_until")), Errors: models.ValidationError{}}
	d.ArticleID, _ = strconv.ParseInt(c.FormValue("article"), 10, 64)
	in := models.PickInput{ArticleID: d.ArticleID, Slot: d.Slot, UserID: staff(c).ID}
	if d.PinnedUntil != "" {
		site, err := a.Store.Settings.Get(c.Request().Context())
		if err != nil {
			return err
		}
		t, err := time.ParseInLocation(datetimeLocal, d.PinnedUntil, site.Location())
		if err != nil {
			d.Errors["pinned_until"] = "Give the date and time as YYYY-MM-DDTHH:MM, or leave it empty to pin until removed."
			return a.frontPage(c, http.StatusUnprocessableEntity, d)
		}
		in.PinnedUntil = t
	}
	err := a.Store.Front.Pick(c.Request().Context(), a.Now(), in)
	if ve, ok := models.AsValidation(err); ok {
		d.Errors = ve
		return a.frontPage(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, "/admin/front", "The front page is updated.")
}

// adminFrontMove moves a pick up or down within its slot.
func (a *App) adminFrontMove(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.Store.Front.Move(c.Request().Context(), a.Now(), id, staff(c).ID, c.FormValue("dir") == "up"); err != nil {
		return err
	}
	return seeOther(c, "/admin/front#pick-"+strconv.FormatInt(id, 10))
}

// adminFrontRemove takes a story off the front page's picks.
func (a *App) adminFrontRemove(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.Store.Front.Unpick(c.Request().Context(), a.Now(), id, staff(c).ID); err != nil {
		return err
	}
	return a.flashTo(c, "/admin/front", "The story is off the front page's picks.")
}
