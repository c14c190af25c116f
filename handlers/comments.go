package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
	"broadsheet/views"
)

// threadsPerPage is how many top-level threads one page of a discussion shows.
// Paging is by thread, so a reply never lands on a different page from its parent.
const threadsPerPage = 50

// discussion is what views/partials/discussion.html needs.
type discussion struct {
	Base      string // "/articles/SLUG"
	Order     models.Order
	Count     int // approved comments
	Policy    string
	Closed    bool
	User      *models.User
	Guest     bool // anonymous, and the site takes guest comments
	Threads   models.Paged[*models.Comment]
	Pager     pager
	Roots     []*commentNode
	Form      commentForm
	Preview   *commentNode // the form's text as it will appear, when the reader asked to see it
	ReplyHere bool         // the form sits beneath a comment on this page, not at the end
	Zone      *time.Location
	Tree      template.HTML // the comments already rendered (shared by readers they look the same to), or ""
	listKey   string        // the key Tree is kept under, "" when it is not shared
	personal  bool          // it shows the reader's own comments or votes (or their reply form)
}

// ShowForm reports whether this reader gets a comment form rather than a prompt to
// log in: while the discussion is open to them, and always to hand back refused text.
func (d *discussion) ShowForm() bool {
	return (d.User != nil || d.Guest) && ((!d.Closed && !d.Blocked()) || d.Form.Errors != nil)
}

// CountLabel is the discussion's count as its heading shows it ("62 comments"): HTML
// because it is digits and a word, written as it is by the template and by the story
// shell's frame (shell.go).
func (d *discussion) CountLabel() template.HTML {
	return template.HTML(views.Plural(d.Count, "comment", "comments"))
}

// Blocked reports whether the reader's account may not comment.
func (d *discussion) Blocked() bool { return d.User != nil && d.User.Blocked }

// ShowPrompt reports whether to invite a logged-out reader to log in and comment.
func (d *discussion) ShowPrompt() bool { return !d.Closed && d.User == nil && !d.Guest }

// pageURL is the address of page n of the discussion in the reader's order.
func (d *discussion) pageURL(n int) string {
	return discussionURL(d.Base, d.Order, n, 0) + "#discussion"
}

// ReplyURL is the address that draws the comment form beneath comment id, in the
// reader's order (the page is the comment's).
func (d *discussion) ReplyURL(id int64) string {
	return discussionURL(d.Base, d.Order, 0, id) + "#reply-form"
}

// orderChoice is one of the links that reorder a discussion.
type orderChoice struct {
	Label, Href string
	Current     bool
}

var orderLabels = map[models.Order]string{models.OrderOldest: "Oldest first", models.OrderNewest: "Newest first", models.OrderBest: "Best first"}

// OrderChoices are the links to each order, on its first page: plain links with the
// order in the URL, so every ordering of a page is as cacheable as the default.
func (d *discussion) OrderChoices() []orderChoice {
	out := make([]orderChoice, len(models.Orders))
	for i, o := range models.Orders {
		out[i] = orderChoice{Label: orderLabels[o], Href: discussionURL(d.Base, o, 1, 0) + "#discussion", Current: o == d.Order}
	}
	return out
}

// LoginNext is where logging in from the discussion returns to.
func (d *discussion) LoginNext() string {
	if d.Form.ParentID > 0 {
		return d.ReplyURL(d.Form.ParentID)
	}
	return d.Base + "#reply-form"
}

// discussionURL is the address of base's discussion in order o: page n, or the page
// drawing the reply form under comment reply when reply is not 0. The default order
// and the first page add nothing, so each page has one address.
func discussionURL(base string, o models.Order, n int, reply int64) string {
	q := url.Values{}
	if o != models.OrderOldest && o != "" {
		q.Set("sort", string(o))
	}
	if n > 1 {
		q.Set("cpage", strconv.Itoa(n))
	}
	if reply > 0 {
		q.Set("reply", strconv.FormatInt(reply, 10))
	}
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

// orderParam reads the reader's order from ?sort=; an unknown one is a 400 that says so.
func orderParam(c echo.Context, name string) (models.Order, error) {
	o, ok := models.ParseOrder(c.QueryParam(name))
	if !ok {
		return "", echo.NewHTTPError(http.StatusBadRequest, "Comments can be sorted oldest, newest or best first.")
	}
	return o, nil
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
	Preview      *models.Comment // Body as it will appear, when the reader pressed "Preview"
}

// postedComment reads the comment form posted to the article :slug. A reader who may
// not comment there (logged out, on a site without guest comments) is sent to log in,
// and the article is nil.
func (a *App) postedComment(c echo.Context) (*models.Article, commentForm, error) {
	art, site, err := a.liveArticle(c)
	if err != nil {
		return nil, commentForm{}, err
	}
	if currentUser(c) == nil && !site.GuestComments {
		return nil, commentForm{}, seeOther(c, "/login?next="+url.QueryEscape("/articles/"+art.Slug+"#reply-form"))
	}
	return &art, readCommentForm(c), nil
}

// readCommentForm reads the comment form as posted.
func readCommentForm(c echo.Context) commentForm {
	form := commentForm{Body: c.FormValue("body"), Name: c.FormValue("name"), Email: c.FormValue("email"),
		WatchReplies: c.FormValue("watch") == "1"}
	if raw := c.FormValue("parent"); raw != "" && raw != "0" {
		// An unreadable parent is reported by the model as a missing comment.
		if id, err := strconv.ParseInt(raw, 10, 64); err != nil || id < 0 {
			form.ParentID = -1
		} else {
			form.ParentID = id
		}
	}
	return form
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
	CanVote   bool
	Staff     bool          // the reader may see who voted
	ReplyHere bool          // the reply form goes beneath this comment
	Self      template.HTML // the comment (without replies) already rendered, or ""
}

// commentURL is the permalink of a comment on page n of its discussion in order o.
func commentURL(base string, o models.Order, n int, id int64) string {
	return discussionURL(base, o, n, 0) + "#comment-" + strconv.FormatInt(id, 10)
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
	order, err := orderParam(c, "sort")
	if err != nil {
		return nil, err
	}
	d := &discussion{Base: "/articles/" + art.Slug, Order: order, Count: art.CommentCount, Policy: site.DiscussionPolicy,
		Closed: models.DiscussionClosed(art, site, a.Now()), User: u, Guest: u == nil && site.GuestComments, Zone: zone}
	if form.ParentID == 0 {
		if id, err := strconv.ParseInt(c.QueryParam("reply"), 10, 64); err == nil && id > 0 {
			form.ParentID = id
		}
	}
	var n int
	if form.ParentID > 0 {
		// Reply only to a public comment of this article; otherwise show the plain page.
		if p, err := a.Store.Comments.Get(ctx, form.ParentID); err == nil && p.ArticleID == art.ID && p.Status == models.CommentApproved {
			form.ParentName = p.Name
			if n, err = a.Store.Comments.PageIn(ctx, p, viewer, threadsPerPage, order); err != nil {
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
	threads, err := a.readThreads(c, art.ID, viewer, models.Page{Number: n, Size: threadsPerPage}, order)
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
			node := &commentNode{C: cm, D: d, Href: commentURL(d.Base, order, n, cm.ID), Replies: wrap(cm.Replies),
				CanReply: live && !d.Closed, CanEdit: !d.Closed && cm.EditableBy(u, now), CanDelete: cm.DeletableBy(u),
				CanReport: live && u != nil && cm.UserID != u.ID, Staff: u != nil && u.IsStaff()}
			node.CanVote = node.CanReport && !cm.Pending() && !d.Closed && !d.Blocked()
			if form.ParentID == cm.ID && !cm.Removed {
				node.ReplyHere, d.ReplyHere = true, true
			}
			out[i] = node
		}
		return out
	}
	d.Roots = wrap(threads.Items)
	if form.Preview != nil {
		d.Preview = &commentNode{C: form.Preview, D: d, Href: "#comment-preview"}
	}
	if err := a.reuseComments(d, n); err != nil {
		return nil, err
	}
	return d, nil
}

// readThreads reads page p of a story's discussion for viewer. An anonymous reader's
// page is read again from the last reading of it (ThreadAgain): after a comment, only
// the threads it changed are read whole. The readings are kept per site version, which
// moves with everything a comment's row shows besides the comment itself (its author's
// name).
func (a *App) readThreads(c echo.Context, articleID, viewer int64, p models.Page, order models.Order) (models.Paged[*models.Comment], error) {
	ctx := c.Request().Context()
	if viewer != 0 {
		return a.Store.Comments.ThreadIn(ctx, articleID, viewer, p, order)
	}
	st, err := a.state(c)
	if err != nil {
		return models.Paged[*models.Comment]{}, err
	}
	key := fmt.Sprintf("%d|%s|%d|%d", articleID, order, p.Number, st.v.site)
	last, _ := a.threadReads.get(key)
	threads, read, err := a.Store.Comments.ThreadAgain(ctx, articleID, p, order, last)
	if err == nil {
		a.threadReads.put(key, read, read.Size())
	}
	return threads, err
}

// reuseComments fills each comment's rendering from the comment cache, rendering and
// keeping the ones it lacks. Template execution was three quarters of a story page's
// miss, spread over every comment; now the first view after a new comment renders that
// comment only. The key names everything the rendering shows, so a changed comment,
// number, page, story address, time zone, discussion state or kind of reader never
// meets an old rendering. Nothing else of the site goes into a comment, so renderings
// outlive changes to the site: an edited story elsewhere does not make every
// discussion render its comments again. A reader's own comments (their controls,
// their pending ones) and a comment holding the reply form are rendered for them alone.
//
// The page's whole list of comments is kept the same way, under the keys of all its
// comments in their places (reuseList), so a page whose comments did not change (a
// comment landed on another page of the discussion, a story elsewhere was edited)
// renders none of it again.
func (a *App) reuseComments(d *discussion, page int) error {
	reader := "anon"
	switch {
	case d.Blocked():
		reader = "blocked" // who may not vote
	case d.User != nil && d.User.IsStaff():
		reader = "staff" // who voted is a link for staff only
	case d.User != nil:
		reader = "member"
	}
	list := sha256.New()
	personal := false
	var buf []byte // one comment's key, built without fmt: Sprintf was half of this walk
	var walk func([]*commentNode) error
	walk = func(nodes []*commentNode) error {
		for _, n := range nodes {
			cm := n.C
			own := n.ReplyHere || (d.User != nil && cm.UserID == d.User.ID)
			personal = personal || own || cm.MyVote != models.VoteNone
			var key string
			if !own {
				// maphash reads the string where it is: fnv's Write took a copy of every body.
				buf = commentKey(buf[:0], cm, maphash.String(a.seeds[0], string(cm.BodyHTML)), page, d, reader)
				key = string(buf)
			}
			// The tree's shape and every comment in it, each key prefixed by its length.
			buf = strconv.AppendInt(append(buf[:0], '('), int64(len(key)), 10)
			list.Write(append(append(buf, ':'), key...))
			if err := walk(n.Replies); err != nil {
				return err
			}
			list.Write([]byte(")"))
			if own {
				continue
			}
			if html, ok := a.commentHTML.get(key); ok {
				n.Self = html
				continue
			}
			html, err := a.Views.Fragment("article", "comment-self", n)
			if err != nil {
				return err
			}
			a.commentHTML.put(key, html, int64(len(html)+len(key))+64)
			n.Self = html
		}
		return nil
	}
	if err := walk(d.Roots); err != nil {
		return err
	}
	d.personal = personal
	if personal || len(d.Roots) == 0 {
		return nil // a page with the reader's own comments or votes is theirs alone
	}
	d.listKey = "list|" + hex.EncodeToString(list.Sum(nil))
	return a.reuseList(d, d.listKey)
}

// commentKey appends to b the key of comment cm's rendering (see reuseComments):
// every field the "comment-self" template shows and what decides its controls and
// links, bodySum standing for its text. Fields are separated by '|'; the one a reader
// writes, the name, comes after every field of fixed form and before the two that
// cannot hold a '|' (the story's address and the zone's name), so no name can pass
// for other fields.
func commentKey(b []byte, cm *models.Comment, bodySum uint64, page int, d *discussion, reader string) []byte {
	b = strconv.AppendInt(b, cm.ID, 10)
	b = append(append(b, '|'), cm.Status...)
	b = strconv.AppendInt(append(b, '|'), int64(cm.Number), 10)
	b = strconv.AppendBool(append(b, '|'), cm.Removed)
	b = strconv.AppendInt(append(b, '|'), cm.EditedAt.UnixNano(), 10)
	b = strconv.AppendUint(append(b, '|'), bodySum, 16)
	b = strconv.AppendInt(append(b, '|'), int64(page), 10)
	b = append(append(b, '|'), d.Order...)
	b = strconv.AppendBool(append(b, '|'), d.Closed)
	b = append(append(b, '|'), reader...)
	b = strconv.AppendInt(append(b, '|'), int64(cm.Score), 10)
	b = strconv.AppendInt(append(b, '|'), int64(cm.MyVote), 10)
	b = append(append(b, '|'), cm.Name...)
	b = append(append(b, '|'), d.Base...)
	return append(append(b, '|'), d.Zone.String()...)
}

// reuseList sets the discussion's rendered list of comments (d.Tree) from the cache
// under key, rendering and keeping it if it is not there.
func (a *App) reuseList(d *discussion, key string) error {
	if html, ok := a.commentHTML.get(key); ok {
		d.Tree = html
		return nil
	}
	html, err := a.Views.Fragment("article", "comment-list", d)
	if err != nil {
		return err
	}
	a.commentHTML.put(key, html, int64(len(html)+len(key))+64)
	d.Tree = html
	return nil
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
	art, form, err := a.postedComment(c)
	if art == nil || err != nil {
		return err
	}
	u := currentUser(c)
	st, err := a.state(c) // read with the story, by postedComment
	if err != nil {
		return err
	}
	cm, err := a.Store.Comments.Post(ctx, a.Now(), models.NewComment{ArticleID: art.ID, ParentID: form.ParentID,
		User: u, GuestName: form.Name, GuestEmail: form.Email, Body: form.Body, IP: c.RealIP(),
		WatchReplies: form.WatchReplies, Settings: &st.snap.site})
	var flood *models.FloodError
	if v, ok := models.AsValidation(err); ok {
		form.Errors = v
		return a.renderArticleStatus(c, *art, false, http.StatusUnprocessableEntity, form)
	} else if errors.As(err, &flood) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(flood.Seconds()))
		form.Errors = models.ValidationError{"body": flood.Error()}
		return a.renderArticleStatus(c, *art, false, http.StatusTooManyRequests, form)
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
	return seeOther(c, commentURL("/articles/"+art.Slug, models.OrderOldest, n, cm.ID))
}

// commentShow resolves a comment id to its place in the discussion, in the order
// ?sort= names, so a permalink (and the comment feed) keeps working however long
// the discussion grows.
func (a *App) commentShow(c echo.Context) error {
	order, err := orderParam(c, "sort")
	if err != nil {
		return err
	}
	cm, art, err := a.commentAndArticle(c)
	if err != nil {
		return err
	}
	return a.toComment(c, http.StatusFound, cm, art, order)
}

// toComment redirects to comment cm on its page of art's discussion in order o, as
// the current reader sees it.
func (a *App) toComment(c echo.Context, status int, cm models.Comment, art models.Article, o models.Order) error {
	var viewer int64
	if u := currentUser(c); u != nil {
		viewer = u.ID
	}
	n, err := a.Store.Comments.PageIn(c.Request().Context(), cm, viewer, threadsPerPage, o)
	if err != nil {
		return err
	}
	return c.Redirect(status, commentURL("/articles/"+art.Slug, o, n, cm.ID))
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
	return a.render(c, status, "comment_edit", d)
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
	return seeOther(c, commentURL("/articles/"+art.Slug, models.OrderOldest, n, cm2.ID))
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
	return a.flashTo(c, commentURL("/articles/"+art.Slug, models.OrderOldest, n, cm.ID), "Thank you. A moderator will look at that comment.")
}
