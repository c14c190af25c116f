package handlers

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
	"broadsheet/views"
)

// modQueueSize is how many pending and how many reported comments one page of the queue shows.
const modQueueSize = 50

type queueItem struct {
	models.Comment
	Commenter *models.User     // nil for guests
	History   []models.Comment // the commenter's recent comments, this one included
}

type moderationData struct {
	page
	Counts   models.ModCounts
	Items    []queueItem
	Pager    pager
	Errors   models.ValidationError
	ErrorFor int64  // the comment whose edit failed
	Edited   string // the text that failed, kept for another try
	// SelectAll ticks every box (?select=all): select-all without JavaScript.
	SelectAll bool
}

// moderationPage builds the queue: pending and reported comments together, newest
// first, each with why it is here and who wrote it.
func (a *App) moderationPage(c echo.Context, status int, d moderationData) error {
	ctx := c.Request().Context()
	n, err := pageParam(c)
	if err != nil {
		return err
	}
	if d.page, err = a.adminPage(c); err != nil {
		return err
	}
	d.SelectAll = c.QueryParam("select") == "all"
	if d.Counts, err = a.Store.Comments.Counts(ctx); err != nil {
		return err
	}
	p := models.Page{Number: n, Size: modQueueSize}
	pending, err := a.Store.Comments.Pending(ctx, p)
	if err != nil {
		return err
	}
	reported, err := a.Store.Comments.Reported(ctx, p)
	if err != nil {
		return err
	}
	d.Pager = newPager("Pages", n, max(pending.Pages, reported.Pages), pageLink("/admin/comments", ""))
	all := append(pending.Items, reported.Items...)
	slices.SortFunc(all, func(x, y models.Comment) int {
		return cmp.Or(y.CreatedAt.Compare(x.CreatedAt), cmp.Compare(y.ID, x.ID))
	})
	histories := map[int64][]models.Comment{}
	users := map[int64]*models.User{}
	for _, cm := range all {
		it := queueItem{Comment: cm}
		if cm.UserID != 0 {
			if _, ok := users[cm.UserID]; !ok {
				u, err := a.Store.Users.Get(ctx, cm.UserID)
				if err != nil {
					return err
				}
				users[cm.UserID] = &u
				if histories[cm.UserID], err = a.Store.Comments.CommenterHistory(ctx, cm.UserID, 5); err != nil {
					return err
				}
			}
			it.Commenter, it.History = users[cm.UserID], histories[cm.UserID]
		}
		d.Items = append(d.Items, it)
	}
	return a.render(c, status, "admin/moderation", d)
}

func (a *App) adminModerationQueue(c echo.Context) error {
	return a.moderationPage(c, http.StatusOK, moderationData{})
}

// moderate applies one moderator's verb to one comment and logs it.
func (a *App) moderate(c echo.Context, id int64, action string) error {
	ctx := c.Request().Context()
	cm, err := a.Store.Comments.Get(ctx, id)
	if err != nil {
		return err
	}
	switch action {
	case "approve":
		err = a.Store.Comments.Approve(ctx, a.Now(), id)
	case "spam":
		err = a.Store.Comments.MarkSpam(ctx, a.Now(), id)
	case "delete":
		err = a.Store.Comments.Delete(ctx, a.Now(), id)
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "Choose approve, spam or delete.")
	}
	if err != nil {
		return err
	}
	return a.Store.Audit.Log(ctx, a.Now(), staff(c).ID, "comment."+action, "comment #"+strconv.FormatInt(id, 10)+" by "+cm.Name)
}

// modDone says each moderation verb done, for the flash after it.
var modDone = map[string]string{"approve": "Approved", "spam": "Marked as spam:", "delete": "Deleted"}

// adminCommentAction is one button on one comment: approve, spam or delete.
func (a *App) adminCommentAction(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if c.Param("action") == "delete" {
		cm, err := a.Store.Comments.Get(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if ok, err := a.confirmed(c, "Delete this comment by "+cm.Name+"?", "“"+a.Store.San.Excerpt(cm.BodyHTML, 160)+"” Replies stay, under “[comment deleted]”.",
			"Delete the comment", "/admin/comments#comment-"+strconv.FormatInt(id, 10)); !ok {
			return err
		}
	}
	if err := a.moderate(c, id, c.Param("action")); err != nil {
		return err
	}
	return a.flashTo(c, "/admin/comments", modDone[c.Param("action")]+" the comment.")
}

// adminCommentBulk applies one verb to every ticked comment.
func (a *App) adminCommentBulk(c echo.Context) error {
	b, answered, err := a.readBulk(c, modDone, "comment", "comments", "/admin/comments", "Replies stay, under “[comment deleted]”.")
	if answered || err != nil {
		return err
	}
	ids, action, done := b.ids, b.action, b.done
	for _, id := range ids {
		if err := a.moderate(c, id, action); err != nil {
			return err
		}
	}
	return a.flashTo(c, "/admin/comments", done+" "+views.Plural(len(ids), "comment", "comments")+".")
}

// adminCommentEdit lets a moderator trim a comment without changing its status.
func (a *App) adminCommentEdit(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	_, err = a.Store.Comments.ModEdit(c.Request().Context(), a.Now(), id, body)
	if v, ok := models.AsValidation(err); ok {
		return a.moderationPage(c, http.StatusUnprocessableEntity, moderationData{Errors: v, ErrorFor: id, Edited: body})
	}
	if err != nil {
		return err
	}
	if err := a.Store.Audit.Log(c.Request().Context(), a.Now(), staff(c).ID, "comment.edit", "comment #"+strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	return a.flashTo(c, "/admin/comments", "The comment was edited.")
}

// adminUserBlock blocks (or unblocks) a commenter. Blocking ends their sessions at once.
// Staff accounts are managed on the people page, not blocked from the queue.
func (a *App) adminUserBlock(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := a.targetUser(c)
	if err != nil {
		return err
	}
	if u.CanWrite() {
		return forbidden("Staff accounts cannot be blocked here; an administrator can deactivate them on the people page.")
	}
	block := c.FormValue("blocked") != "0"
	action, msg := "user.block", u.Name+" is blocked and logged out."
	back := "/admin/comments"
	if b := c.FormValue("back"); b != "" {
		back = localPath(b)
	}
	if block {
		if ok, err := a.confirmed(c, "Block "+u.Name+"?", u.Name+" is logged out everywhere and can no longer comment, until someone unblocks them.",
			"Block "+u.Name, back); !ok {
			return err
		}
		err = a.Store.Users.Block(ctx, u.ID)
	} else {
		action, msg = "user.unblock", u.Name+" may comment again."
		err = a.Store.Users.Unblock(ctx, u.ID)
	}
	if err != nil {
		return err
	}
	if err := a.Store.Audit.Log(ctx, a.Now(), staff(c).ID, action, u.Name); err != nil {
		return err
	}
	return a.flashTo(c, back, msg)
}
