package handlers

import (
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// threadsPerPage is how many top-level threads one page of a discussion shows.
// Paging is by thread, so a reply never lands on a different page from its parent.
const threadsPerPage = 50

// discussion is what views/partials/discussion.html needs.
type discussion struct {
	Base      string // "/articles/SLUG"
	Count     int    // approved comments
	Policy    string
	Closed    bool
	User      *models.User
	Guest     bool // anonymous, and the site takes guest comments
	Threads   models.Paged[*models.Comment]
	Pager     pager
	Roots     []*commentNode
	Form      commentForm
	ReplyHere bool // the form sits beneath a comment on this page, not at the end
	Zone      *time.Location
	Tree      template.HTML // the comments already rendered (shared by readers they look the same to), or ""
}

// ShowForm reports whether this reader gets a comment form rather than a prompt to
// log in: while the discussion is open to them, and always to hand back refused text.
func (d *discussion) ShowForm() bool {
	return (d.User != nil || d.Guest) && ((!d.Closed && !d.Blocked()) || d.Form.Errors != nil)
}

// Blocked reports whether the reader's account may not comment.
func (d *discussion) Blocked() bool { return d.User != nil && d.User.Blocked }

// ShowPrompt reports whether to invite a logged-out reader to log in and comment.
func (d *discussion) ShowPrompt() bool { return !d.Closed && d.User == nil && !d.Guest }

// pageURL is the address of page n of the discussion.
func (d *discussion) pageURL(n int) string {
	if n <= 1 {
		return d.Base + "#discussion"
	}
	return d.Base + "?cpage=" + strconv.Itoa(n) + "#discussion"
}

// LoginNext is where logging in from the discussion returns to.
func (d *discussion) LoginNext() string {
	if d.Form.ParentID > 0 {
		return d.Base + "?reply=" + strconv.FormatInt(d.Form.ParentID, 10) + "#reply-form"
	}
	return d.Base + "#reply-form"
}

// commentForm is the state of the one comment form on the page.
type commentForm struct {
	ParentID   int64
	ParentName string
	Body       string
	Name       string // guests only
	Email      string // guests only
	// WatchReplies: "E-mail me replies" is ticked (accounts only).
	WatchReplies bool
	Errors       models.ValidationError
}

// commentNode is a comment as the tree partial renders it. The comment is a named
// field, not embedded: templates reach promoted fields by a slow reflective search,
// which showed up in the 200-comment benchmark.
type commentNode struct {
	C         *models.Comment
	Replies   []*commentNode
	D         *discussion
	Href      string // permalink
	CanReply  bool
	CanEdit   bool
	CanDelete bool
	CanReport bool
	ReplyHere bool          // the reply form goes beneath this comment
	Self      template.HTML // the comment (without replies) already rendered, or ""
}

// commentURL is the permalink of a comment on page n of its discussion.
func commentURL(base string, n int, id int64) string {
	if n > 1 {
		base += "?cpage=" + strconv.Itoa(n)
	}
	return base + "#comment-" + strconv.FormatInt(id, 10)
}

// idParam reads a positive integer id from a path parameter; anything else is a 404.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// buildDiscussion loads the page of the discussion this request asks for: the page
// holding the comment being replied to (?reply=ID), else ?cpage=N. form may carry a
// failed submission to show again.
func (a *App) buildDiscussion(c echo.Context, art models.Article, site models.Settings, zone *time.Location, form commentForm) (*discussion, error) {
	ctx := c.Request().Context()
	u := currentUser(c)
	var viewer int64
	if u != nil {
		viewer = u.ID
	}
	d := &discussion{Base: "/articles/" + art.Slug, Count: art.CommentCount, Policy: site.DiscussionPolicy,
		Closed: models.DiscussionClosed(art, site, a.Now()), User: u, Guest: u == nil && site.GuestComments, Zone: zone}
	if form.ParentID == 0 {
		if id, err := strconv.ParseInt(c.QueryParam("reply"), 10, 64); err == nil && id > 0 {
			form.ParentID = id
		}
	}
	var n int
	var err error
	if form.ParentID > 0 {
		// Reply only to a public comment of this article; otherwise show the plain page.
		if p, err := a.Store.Comments.Get(ctx, form.ParentID); err == nil && p.ArticleID == art.ID && p.Status == models.CommentApproved {
			form.ParentName = p.Name
			if n, err = a.Store.Comments.PageOf(ctx, p, viewer, threadsPerPage); err != nil {
				return nil, err
			}
		} else if err != nil && !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		if form.ParentName == "" {
			form.ParentID = 0 // so a resubmission starts a new thread
		}
	}
	if n == 0 {
		if n, err = pageNumber(c, "cpage"); err != nil {
			return nil, err
		}
	}
	threads, err := a.Store.Comments.Thread(ctx, art.ID, viewer, models.Page{Number: n, Size: threadsPerPage})
	if err != nil {
		return nil, err
	}
	if n > threads.Pages {
		return nil, echo.NewHTTPError(http.StatusNotFound, "The discussion does not have that many pages.")
	}
	d.Threads, d.Form = threads, form
	d.Pager = newPager("Discussion pages", n, threads.Pages, d.pageURL)
	d.Pager.PrevText, d.Pager.NextText = "← Earlier comments", "Later comments →"
	now := a.Now()
	var wrap func([]*models.Comment) []*commentNode
	wrap = func(list []*models.Comment) []*commentNode {
		out := make([]*commentNode, len(list))
		for i, cm := range list {
			live := !cm.Removed && !cm.Pending()
			node := &commentNode{C: cm, D: d, Href: commentURL(d.Base, n, cm.ID), Replies: wrap(cm.Replies),
				CanReply: live && !d.Closed, CanEdit: !d.Closed && cm.EditableBy(u, now), CanDelete: cm.DeletableBy(u),
				CanReport: live && u != nil && cm.UserID != u.ID}
			if form.ParentID == cm.ID && !cm.Removed {
				node.ReplyHere, d.ReplyHere = true, true
			}
			out[i] = node
		}
		return out
	}
	d.Roots = wrap(threads.Items)
	if err := a.reuseComments(c, d, n); err != nil {
		return nil, err
	}
	return d, a.shareTree(c, d, art.ID, n)
}

// reuseComments fills each comment's rendering from the comment cache, rendering and
// keeping the ones it lacks. Template execution was three quarters of a story page's
// miss, spread over every comment; now the first view after a new comment renders that
// comment only. The key names everything the rendering shows, so a changed comment,
// number, page, discussion state or kind of reader never meets an old rendering; names
// and the time zone come with the site snapshot the rendering remembers. A reader's own
// comments (their controls, their pending ones) and a comment holding the reply form
// are rendered for them alone.
func (a *App) reuseComments(c echo.Context, d *discussion, page int) error {
	st, err := a.state(c)
	if err != nil {
		return err
	}
	reader := "anon"
	if d.User != nil {
		reader = "member"
	}
	var walk func([]*commentNode) error
	walk = func(nodes []*commentNode) error {
		for _, n := range nodes {
			if err := walk(n.Replies); err != nil {
				return err
			}
			cm := n.C
			if n.ReplyHere || (d.User != nil && cm.UserID == d.User.ID) {
				continue
			}
			body := fnv.New64a()
			body.Write([]byte(cm.BodyHTML))
			key := fmt.Sprintf("%d|%s|%d|%t|%d|%x|%s|%d|%t|%s", cm.ID, cm.Status, cm.Number, cm.Removed,
				cm.EditedAt.UnixNano(), body.Sum64(), cm.Name, page, d.Closed, reader)
			if f, ok := a.commentHTML.get(key); ok && f.snap == st.snap {
				n.Self = f.html
				continue
			}
			html, err := a.Views.Fragment("article", "comment-self", n)
			if err != nil {
				return err
			}
			a.commentHTML.put(key, fragment{snap: st.snap, html: html}, int64(len(html)+len(key))+64)
			n.Self = html
		}
		return nil
	}
	return walk(d.Roots)
}

// fragment is a piece of a page rendered once and reused: a discussion page's comments
// for logged-in readers, or one comment.
type fragment struct {
	snap *siteSnapshot // the site's zone and names it was rendered with
	html template.HTML
}

// shareTree lets logged-in readers share one rendering of a discussion page's comments.
// Readers who have no comment on the page see exactly the same comments and controls
// (reply and report on each), so the page of the discussion version is rendered once
// for all of them; a reader with comments of their own there (edit, delete, their
// pending ones) or a reply form inside the tree gets their own rendering. Anonymous
// readers have the page cache instead.
func (a *App) shareTree(c echo.Context, d *discussion, articleID int64, n int) error {
	if d.User == nil || d.ReplyHere || ownsAny(d.Roots, d.User.ID) {
		return nil
	}
	st, err := a.state(c)
	if err != nil || st.v.article != articleID {
		return err // not scoped to this discussion's version (a preview): render as usual
	}
	key := fmt.Sprintf("%d/%d/%d/%t", articleID, st.v.discussion, n, d.Closed)
	if f, ok := a.trees.get(key); ok && f.snap == st.snap {
		d.Tree = f.html
		return nil
	}
	html, err := a.Views.Fragment("article", "comment-list", d)
	if err != nil {
		return err
	}
	a.trees.put(key, fragment{snap: st.snap, html: html}, int64(len(html))+128)
	d.Tree = html
	return nil
}

// ownsAny reports whether any comment in the tree is the user's.
func ownsAny(nodes []*commentNode, userID int64) bool {
	for _, n := range nodes {
		if n.C.UserID == userID || ownsAny(n.Replies, userID) {
			return true
		}
	}
	return false
}

// liveArticle returns the story named by :slug, if readers can see it, and the site
// settings, from the caches the story page uses (one statement while they hold: a busy
// story's comment posts spent a quarter of their time reading it afresh). Its comment
// count is not kept current there: pages take it from the discussion's versions.
func (a *App) liveArticle(c echo.Context) (models.Article, models.Settings, error) {
	b, err := a.liveBundle(c, c.Param("slug"))
	if err != nil {
		return models.Article{}, models.Settings{}, err
	}
	st, err := a.state(c)
	if err != nil {
		return models.Article{}, models.Settings{}, err
	}
	return b.art, st.snap.site, nil
}

// commentCreate posts a comment or reply. Success lands the reader on their comment
// (post/redirect/get); a refused comment re-renders the article with the text kept
// and the reason beside the form.
func (a *App) commentCreate(c echo.Context) error {
	ctx := c.Request().Context()
	art, site, err := a.liveArticle(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if u == nil && !site.GuestComments {
		return seeOther(c, "/login?next="+url.QueryEscape("/articles/"+art.Slug+"#reply-form"))
	}
	form := commentForm{Body: c.FormValue("body"), Name: c.FormValue("name"), Email: c.FormValue("email"),
		WatchReplies: c.FormValue("watch") == "1"}
	if raw := c.FormValue("parent"); raw != "" && raw != "0" {
		// An unreadable parent is reported by the model as a missing comment.
		if form.ParentID, err = strconv.ParseInt(raw, 10, 64); err != nil || form.ParentID < 0 {
			form.ParentID = -1
		}
	}
	cm, err := a.Store.Comments.Post(ctx, a.Now(), models.NewComment{ArticleID: art.ID, ParentID: form.ParentID,
		User: u, GuestName: form.Name, GuestEmail: form.Email, Body: form.Body, IP: c.RealIP(),
		WatchReplies: form.WatchReplies})
	var flood *models.FloodError
	if v, ok := models.AsValidation(err); ok {
		form.Errors = v
		return a.renderArticleStatus(c, art, false, http.StatusUnprocessableEntity, form)
	} else if errors.As(err, &flood) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(flood.Seconds()))
		form.Errors = models.ValidationError{"body": flood.Error()}
		return a.renderArticleStatus(c, art, false, http.StatusTooManyRequests, form)
	} else if err != nil {
		return err
	}
	if u == nil {
		return a.flashTo(c, "/articles/"+art.Slug+"#discussion", "Thank you. Your comment will appear once a moderator has approved it.")
	}
	n, err := a.Store.Comments.PageOf(ctx, cm, u.ID, threadsPerPage)
	if err != nil {
		return err
	}
	return seeOther(c, commentURL("/articles/"+art.Slug, n, cm.ID))
}

// commentShow resolves a comment id to its place in the discussion, so a permalink
// (and the comment feed) keeps working however long the discussion grows.
func (a *App) commentShow(c echo.Context) error {
	cm, art, err := a.commentAndArticle(c)
	if err != nil {
		return err
	}
	var viewer int64
	if u := currentUser(c); u != nil {
		viewer = u.ID
	}
	n, err := a.Store.Comments.PageOf(c.Request().Context(), cm, viewer, threadsPerPage)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, commentURL("/articles/"+art.Slug, n, cm.ID))
}

type commentEditData struct {
	page
	Comment models.Comment
	Article models.Article
	Body    string
	Error   string
}

// ownComment loads a comment the current user may delete (their own, live) and its article.
func (a *App) ownComment(c echo.Context) (models.Comment, models.Article, error) {
	cm, art, err := a.commentAndArticle(c)
	if err == nil && !cm.DeletableBy(currentUser(c)) {
		err = echo.NewHTTPError(http.StatusForbidden, "You can change only your own comments.")
	}
	return cm, art, err
}

// commentAndArticle loads the comment named by :id and its article. A comment on a
// story readers cannot see (a draft, an unpublished story) is not found.
func (a *App) commentAndArticle(c echo.Context) (models.Comment, models.Article, error) {
	ctx := c.Request().Context()
	id, err := idParam(c)
	if err != nil {
		return models.Comment{}, models.Article{}, err
	}
	cm, err := a.Store.Comments.Get(ctx, id)
	if err != nil {
		return cm, models.Article{}, err
	}
	art, err := a.Store.Articles.Get(ctx, cm.ArticleID)
	if err == nil && !art.LiveAt(a.Now()) {
		err = models.ErrNotFound
	}
	return cm, art, err
}

func (a *App) renderCommentEdit(c echo.Context, status int, d commentEditData) error {
	p, err := a.newPage(c)
	if err != nil {
		return err
	}
	p.NoIndex = true
	d.page = p
	return c.Render(status, "comment_edit", d)
}

// commentEditForm shows an author their comment to edit, within the edit window.
func (a *App) commentEditForm(c echo.Context) error {
	cm, art, err := a.ownComment(c)
	if err != nil {
		return err
	}
	d := commentEditData{Comment: cm, Article: art, Body: cm.BodySrc}
	if !cm.EditableBy(currentUser(c), a.Now()) {
		d.Error = "Comments can be edited for 15 minutes after posting; this one can no longer be changed."
	}
	return a.renderCommentEdit(c, http.StatusOK, d)
}

// commentEditSubmit saves an author's edit and takes them back to the comment.
func (a *App) commentEditSubmit(c echo.Context) error {
	cm, art, err := a.ownComment(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	body := c.FormValue("body")
	cm2, err := a.Store.Comments.Edit(c.Request().Context(), a.Now(), cm.ID, *u, body)
	if v, ok := models.AsValidation(err); ok {
		return a.renderCommentEdit(c, http.StatusUnprocessableEntity, commentEditData{Comment: cm, Article: art, Body: body, Error: v["body"]})
	} else if err != nil {
		return err
	}
	n, err := a.Store.Comments.PageOf(c.Request().Context(), cm2, u.ID, threadsPerPage)
	if err != nil {
		return err
	}
	return seeOther(c, commentURL("/articles/"+art.Slug, n, cm2.ID))
}

// commentDelete lets an author delete their comment; replies stay in place.
func (a *App) commentDelete(c echo.Context) error {
	cm, art, err := a.ownComment(c)
	if err != nil {
		return err
	}
	if err := a.Store.Comments.DeleteOwn(c.Request().Context(), cm.ID, currentUser(c).ID); err != nil {
		return err
	}
	return a.flashTo(c, "/articles/"+art.Slug+"#discussion", "Your comment was deleted.")
}

// commentReport flags a comment for the moderators.
func (a *App) commentReport(c echo.Context) error {
	ctx := c.Request().Context()
	cm, art, err := a.commentAndArticle(c)
	if err != nil {
		return err
	}
	err = a.Store.Comments.Report(ctx, a.Now(), cm.ID, currentUser(c).ID, c.FormValue("reason"))
	if v, ok := models.AsValidation(err); ok {
		return echo.NewHTTPError(http.StatusBadRequest, v["reason"])
	} else if err != nil {
		return err
	}
	n, err := a.Store.Comments.PageOf(ctx, cm, currentUser(c).ID, threadsPerPage)
	if err != nil {
		return err
	}
	return a.flashTo(c, commentURL("/articles/"+art.Slug, n, cm.ID), "Thank you. A moderator will look at that comment.")
}
