package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// voteDirections are the directions a vote form sends.
var voteDirections = map[string]int{"up": models.VoteUp, "down": models.VoteDown, "none": models.VoteNone}

// voteAnswer is what the vote script reads instead of the page: the new score and
// the reader's vote, so it can update the comment without a reload.
type voteAnswer struct {
	Score int    `json:"score"`
	Vote  string `json:"vote"` // "up", "down" or "none"
}

// commentVote records the reader's up, down or withdrawn vote on a comment and takes
// them back to it (post/redirect/get), in the order they were reading. The vote
// script asks for JSON instead and gets the new score; any refusal is the same error
// page for both, which the script then lets the browser show.
func (a *App) commentVote(c echo.Context) error {
	dir, ok := voteDirections[c.FormValue("dir")]
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest, "A vote is up, down or none.")
	}
	order, ok := models.ParseOrder(c.FormValue("sort"))
	if !ok {
		order = models.OrderOldest // the order only picks where to land
	}
	cm, art, err := a.commentAndArticle(c)
	if err != nil {
		return err
	}
	score, err := a.Store.Comments.Vote(c.Request().Context(), a.Now(), cm.ID, *currentUser(c), dir)
	var refused *models.VoteRefused
	if errors.As(err, &refused) {
		return echo.NewHTTPError(http.StatusForbidden, refused.Reason)
	} else if err != nil {
		return err
	}
	if strings.Contains(c.Request().Header.Get("Accept"), "application/json") {
		return c.JSON(http.StatusOK, voteAnswer{Score: score, Vote: c.FormValue("dir")})
	}
	return a.toComment(c, http.StatusSeeOther, cm, art, order)
}

type votersData struct {
	page
	Comment models.Comment
	Article models.Article
	Voters  []models.Voter
	Href    string // the comment in its discussion
}

// adminCommentVoters shows staff who voted on a comment and how.
func (a *App) adminCommentVoters(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c)
	if err != nil {
		return err
	}
	cm, err := a.Store.Comments.Get(ctx, id)
	if err != nil {
		return err
	}
	d := votersData{Comment: cm, Href: "/comments/" + c.Param("id")}
	if d.Article, err = a.Store.Articles.Get(ctx, cm.ArticleID); err != nil {
		return err
	}
	if d.Voters, err = a.Store.Comments.Voters(ctx, id); err != nil {
		return err
	}
	if d.page, err = a.adminPage(c); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "admin/votes", d)
}

// commentPreview shows the comment form's text as it will appear, through the same
// sanitiser and the same template as a posted comment, with the text still in the
// form; nothing is stored. A text posting would refuse comes back with the reason.
func (a *App) commentPreview(c echo.Context) error {
	art, form, err := a.postedComment(c)
	if art == nil || err != nil {
		return err
	}
	_, html, err := a.Store.Comments.Preview(form.Body)
	if v, ok := models.AsValidation(err); ok {
		form.Errors = v
		return a.renderArticleStatus(c, *art, false, http.StatusUnprocessableEntity, form)
	}
	form.Preview = &models.Comment{Name: form.Name, BodyHTML: html, Status: models.CommentApproved, CreatedAt: a.Now()}
	if u := currentUser(c); u != nil {
		form.Preview.Name, form.Preview.UserID = u.Name, u.ID
	}
	return a.renderArticleStatus(c, *art, false, http.StatusOK, form)
}
