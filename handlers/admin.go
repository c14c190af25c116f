package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// The newsroom's shared helpers and its dashboard. Route guards live in routes.go;
// the checks here are the finer ones (an author and their own drafts).

// formInt reads a whole number from a form; bad ok is false when the field held something else.
func formInt(c echo.Context, name string) (n int, ok bool) {
	raw := c.FormValue(name)
	if raw == "" {
		return 0, true
	}
	n, err := strconv.Atoi(raw)
	return n, err == nil
}

func formID(c echo.Context, name string) int64 {
	id, _ := strconv.ParseInt(c.FormValue(name), 10, 64)
	return id
}

// forbidden is the answer to a logged-in user acting outside their role.
func forbidden(msg string) error { return echo.NewHTTPError(http.StatusForbidden, msg) }

// staff returns the logged-in user; the route guards guarantee there is one.
func staff(c echo.Context) models.User { return *currentUser(c) }

// adminPage is newPage for the newsroom: never indexed.
func (a *App) adminPage(c echo.Context) (page, error) {
	p, err := a.newPage(c)
	p.NoIndex = true
	p.Current = "admin"
	p.Now = a.Now()
	return p, err
}

type dashboardData struct {
	page
	Counts    map[string]int
	Review    []models.Article
	Scheduled []models.Article
	Drafts    []models.Article
	Activity  []models.AuditEntry
	// Moderation is the comment queue's size, for the editors who work it (nil for authors).
	Moderation *models.ModCounts
}

// dashboardShow is the newsroom's front page: what is waiting, and what happened lately.
// Authors see their own stories; editors see everyone's.
func (a *App) dashboardShow(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := a.adminPage(c)
	if err != nil {
		return err
	}
	u := staff(c)
	d := dashboardData{page: p}
	if d.Counts, err = a.Store.Articles.StatusCounts(ctx, a.Now()); err != nil {
		return err
	}
	var mine int64
	if !u.IsStaff() {
		mine = u.ID
	}
	for _, l := range []struct {
		status string
		into   *[]models.Article
	}{{models.StatusReview, &d.Review}, {models.StatusScheduled, &d.Scheduled}, {models.StatusDraft, &d.Drafts}} {
		got, err := a.Store.Articles.AdminList(ctx, models.AdminFilter{Status: l.status, AuthorID: mine, Now: a.Now()}, models.Page{Number: 1, Size: 5})
		if err != nil {
			return err
		}
		*l.into = got.Items
	}
	if d.Activity, err = a.Store.Audit.Recent(ctx, 10); err != nil {
		return err
	}
	if u.IsStaff() {
		m, err := a.Store.Comments.Counts(ctx)
		if err != nil {
			return err
		}
		d.Moderation = &m
	}
	return a.render(c, http.StatusOK, "admin/dashboard", d)
}

// query keeps non-empty filter values for pager links.
func query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" && kv[i+1] != "0" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v.Encode()
}

// fieldErr is what the field-error partial needs: the form's errors and one field name.
type fieldErr struct {
	E models.ValidationError
	F string
}
