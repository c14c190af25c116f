package handlers

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
	"broadsheet/views"
)

// A destructive post (delete, block) is confirmed on a page of its own, with no
// JavaScript: the first post shows the question and a form that posts the same fields
// again with confirm=yes; only that second post acts.

type confirmData struct {
	page
	Question string
	Detail   string
	Action   string // where the confirmed post goes: the path first posted to
	Fields   []hiddenField
	Button   string
	Back     string
}

type hiddenField struct{ Name, Value string }

// confirmed reports whether this post is the confirmation. When it is not, it renders
// the question (err is the render's) and the caller returns err.
func (a *App) confirmed(c echo.Context, question, detail, button, back string) (ok bool, err error) {
	form, err := c.FormParams()
	if err != nil {
		return false, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	if form.Get("confirm") == "yes" {
		return true, nil
	}
	p, err := a.adminPage(c)
	if err != nil {
		return false, err
	}
	d := confirmData{page: p, Question: question, Detail: detail, Action: c.Request().URL.Path, Button: button, Back: back}
	for _, k := range slices.Sorted(maps.Keys(form)) {
		for _, v := range form[k] {
			d.Fields = append(d.Fields, hiddenField{k, v})
		}
	}
	return false, a.render(c, http.StatusOK, "admin/confirm", d)
}

// ticked reads the ids of a bulk form's ticked boxes.
func ticked(form url.Values) ([]int64, error) {
	var ids []int64
	for _, s := range form["ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, echo.NewHTTPError(http.StatusBadRequest, "The form names something that is not there. Reload the page and try again.")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// bulkVerbs are the article list's bulk actions, as their buttons and the flash say them.
var bulkVerbs = map[string]string{"draft": "moved to drafts", "unpublish": "unpublished", "delete": "deleted"}

// bulkForm is a bulk action's post, read and checked: the ticked ids and a known verb.
type bulkForm struct {
	ids          []int64
	action, done string // the verb, and what the flash says was done
}

// readBulk reads the bulk form of a list of things (one, many) at back, whose verbs
// map each action to what it did. It answers by itself (answered true) when nothing is
// ticked, and when a delete is not yet confirmed (the question, saying detail).
func (a *App) readBulk(c echo.Context, verbs map[string]string, one, many, back, detail string) (b bulkForm, answered bool, err error) {
	form, err := c.FormParams()
	if err != nil {
		return b, false, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	if b.ids, err = ticked(form); err != nil {
		return b, false, err
	}
	b.action = form.Get("action")
	done, known := verbs[b.action]
	b.done = done
	switch {
	case !known:
		return b, false, echo.NewHTTPError(http.StatusBadRequest, "Choose one of the actions the list offers.")
	case len(b.ids) == 0:
		return b, true, a.flashTo(c, back, "Tick at least one "+one+" first.")
	}
	if b.action == "delete" {
		n := views.Plural(len(b.ids), one, many)
		if ok, err := a.confirmed(c, "Delete "+n+"?", detail, "Delete "+n, back); !ok {
			return b, true, err
		}
	}
	return b, false, nil
}

// adminArticleBulk applies one action to every ticked story. Deleting asks first.
func (a *App) adminArticleBulk(c echo.Context) error {
	ctx := c.Request().Context()
	b, answered, err := a.readBulk(c, bulkVerbs, "story", "stories", "/admin/articles",
		"Their revisions and comments are deleted with them. This cannot be undone.")
	if answered || err != nil {
		return err
	}
	ids, action, done := b.ids, b.action, b.done
	by := staff(c).ID
	for _, id := range ids {
		switch action {
		case "delete":
			err = a.Store.Articles.Delete(ctx, a.Now(), id, by)
		default:
			status := models.StatusDraft
			if action == "unpublish" {
				status = models.StatusUnpublished
			}
			err = a.Store.Articles.SetStatus(ctx, a.Now(), id, status, by)
		}
		if err != nil {
			return err
		}
	}
	return a.flashTo(c, "/admin/articles", views.Plural(len(ids), "story", "stories")+" "+done+".")
}
