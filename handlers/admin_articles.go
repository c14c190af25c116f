package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// adminPerPage is the length of the newsroom's article list.
const adminPerPage = 25

type articleListData struct {
	page
	Articles models.Paged[models.Article]
	Filter   models.AdminFilter
	Writers  []models.User
	Statuses []string
	Pager    pager
}

func (a *App) adminArticleList(c echo.Context) error {
	ctx := c.Request().Context()
	n, err := pageParam(c)
	if err != nil {
		return err
	}
	u := staff(c)
	f := models.AdminFilter{Status: c.QueryParam("status"), Query: c.QueryParam("q")}
	f.SectionID, _ = strconv.ParseInt(c.QueryParam("section"), 10, 64)
	f.AuthorID, _ = strconv.ParseInt(c.QueryParam("author"), 10, 64)
	if !u.IsStaff() {
		f.AuthorID = u.ID // authors work on their own stories only
	}
	p, err := a.adminPage(c)
	if err != nil {
		return err
	}
	d := articleListData{page: p, Filter: f, Statuses: models.StatusesFor(models.User{Role: models.RoleEditor})}
	if d.Articles, err = a.Store.Articles.AdminList(ctx, f, models.Page{Number: n, Size: adminPerPage}); err != nil {
		return err
	}
	if d.Writers, err = a.Store.Users.Writers(ctx); err != nil {
		return err
	}
	d.Pager = newPager("Pages", n, d.Articles.Pages, pageLink("/admin/articles", query("status", f.Status, "section", strconv.FormatInt(f.SectionID, 10),
		"author", strconv.FormatInt(f.AuthorID, 10), "q", f.Query)))
	return c.Render(http.StatusOK, "admin/articles", d)
}

type articleFormData struct {
	page
	Article     *models.Article // nil for a new story
	In          models.ArticleInput
	Version     int
	Tags        string
	PublishedAt string // as typed, in the site's zone
	MarkUpdated bool
	Photo       *models.Media
	Errors      models.ValidationError
	Sections    []models.Section
	Writers     []models.User
	AuthorSel   map[int64]bool
	Statuses    []string
	Conflict    *models.Article // the version someone else saved meanwhile
	// Corrections, clarifications and updates on the story, with their earlier texts;
	// editors file and amend them here.
	Notes         []models.Correction
	Kinds         []string
	NewNote       noteForm                         // the new-note form as typed
	NewNoteErrors models.ValidationError           // why it was refused
	NoteErrors    map[int64]models.ValidationError // why a note's amend form was refused, by note id
}

// datetimeLocal is the layout of <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// articleForm fills the form's data: the fixed parts (menus) plus what is being edited.
func (a *App) articleForm(c echo.Context, art *models.Article, in models.ArticleInput, errs models.ValidationError) (articleFormData, error) {
	ctx := c.Request().Context()
	p, err := a.adminPage(c)
	if err != nil {
		return articleFormData{}, err
	}
	d := articleFormData{page: p, Article: art, In: in, Errors: errs, Tags: strings.Join(in.Tags, ", "),
		Statuses: models.StatusesFor(staff(c)), AuthorSel: map[int64]bool{}}
	if art != nil {
		d.Version = art.Version
	}
	if !in.PublishedAt.IsZero() {
		d.PublishedAt = in.PublishedAt.In(p.Zone).Format(datetimeLocal)
	}
	for _, id := range in.AuthorIDs {
		d.AuthorSel[id] = true
	}
	if in.MediaID != 0 {
		m, err := a.Store.Media.Get(ctx, in.MediaID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return d, err
		}
		if err == nil {
			d.Photo = &m
		}
	}
	d.Sections = p.Sections
	if art != nil && staff(c).IsStaff() {
		if d.Notes, err = a.Store.Corrections.ForArticle(ctx, art.ID, true); err != nil {
			return d, err
		}
		d.Kinds, d.NewNote.Kind = models.CorrectionKinds, models.KindCorrection
	}
	d.Writers, err = a.Store.Users.Writers(ctx)
	return d, err
}

func (a *App) adminArticleNew(c echo.Context) error {
	in := models.ArticleInput{Status: models.StatusDraft, CommentsOpen: true, AuthorIDs: []int64{staff(c).ID}}
	in.MediaID, _ = strconv.ParseInt(c.QueryParam("media"), 10, 64) // "use in a new story" from the library
	if in.MediaID != 0 {
		m, err := a.Store.Media.Get(c.Request().Context(), in.MediaID)
		if err != nil {
			return err
		}
		in.ImageAlt, in.ImageCaption, in.ImageCredit = m.Alt, m.Caption, m.Credit
	}
	d, err := a.articleForm(c, nil, in, nil)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "admin/article_form", d)
}

// readArticleForm reads the submitted form. A photo in the post is stored first, so
// that a form re-shown for another mistake keeps it without a second upload.
func (a *App) readArticleForm(c echo.Context) (in models.ArticleInput, d articleFormData, errs models.ValidationError, err error) {
	u := staff(c)
	errs = models.ValidationError{}
	site, err := a.Store.Settings.Get(c.Request().Context())
	if err != nil {
		return in, d, nil, err
	}
	zone := site.Location() // the form's times are typed in the site's zone
	form, err := c.FormParams()
	if err != nil {
		return in, d, nil, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	in = models.ArticleInput{
		Title: form.Get("title"), Slug: strings.TrimSpace(form.Get("slug")), Dek: strings.TrimSpace(form.Get("dek")),
		Body: form.Get("body"), Dateline: strings.TrimSpace(form.Get("dateline")), Wire: strings.TrimSpace(form.Get("wire")),
		ImageAlt: strings.TrimSpace(form.Get("image_alt")), ImageCaption: strings.TrimSpace(form.Get("image_caption")),
		ImageCredit: strings.TrimSpace(form.Get("image_credit")), Status: form.Get("status"),
		Correction: strings.TrimSpace(form.Get("correction")), CommentsOpen: form.Get("comments_open") == "1", EditorID: u.ID,
	}
	in.SectionID, _ = strconv.ParseInt(form.Get("section"), 10, 64)
	for _, s := range form["authors"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.AuthorIDs = append(in.AuthorIDs, id)
		}
	}
	if len(in.AuthorIDs) == 0 || !u.IsStaff() {
		in.AuthorIDs = []int64{u.ID} // an author's new story is theirs alone; the byline is the editors' call
	}
	in.Tags = strings.Split(form.Get("tags"), ",")
	if form.Get("remove_photo") != "1" {
		in.MediaID, _ = strconv.ParseInt(form.Get("media_id"), 10, 64)
	}
	d.Tags, d.PublishedAt, d.MarkUpdated = form.Get("tags"), strings.TrimSpace(form.Get("published_at")), form.Get("mark_updated") == "1"
	d.Version, _ = strconv.Atoi(form.Get("version"))
	if d.PublishedAt != "" {
		t, perr := time.ParseInLocation(datetimeLocal, d.PublishedAt, zone)
		if perr != nil {
			errs["published_at"] = "Give the date and time as YYYY-MM-DDTHH:MM."
		}
		in.PublishedAt = t
	} else if in.Status == models.StatusPublished {
		in.PublishedAt = a.Now() // publishing with no time given means now
	}
	if !slices.Contains(models.StatusesFor(u), in.Status) && in.Status != "" {
		errs["status"] = "Authors cannot publish: save a draft or submit it for review."
	}
	if fh, ferr := c.FormFile("photo"); ferr == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return in, d, nil, err
		}
		defer f.Close()
		m, err := a.Store.Media.TrySave(c.Request().Context(), a.Now(), f,
			models.Media{Alt: in.ImageAlt, Caption: in.ImageCaption, Credit: in.ImageCredit}, u.ID)
		var me models.MediaError
		switch {
		case errors.Is(err, models.ErrMediaBusy):
			errs["photo"] = mediaBusy(c)
		case errors.As(err, &me):
			errs["photo"] = me.Error()
		case err != nil:
			return in, d, nil, err
		default:
			in.MediaID = m.ID
		}
	}
	return in, d, errs, nil
}

// showArticleForm re-renders the form after a failure, with everything typed kept.
func (a *App) showArticleForm(c echo.Context, status int, art *models.Article, in models.ArticleInput, typed articleFormData, errs models.ValidationError, conflict *models.Article) error {
	d, err := a.articleForm(c, art, in, errs)
	if err != nil {
		return err
	}
	d.Tags, d.PublishedAt, d.MarkUpdated, d.Conflict = typed.Tags, typed.PublishedAt, typed.MarkUpdated, conflict
	if art != nil {
		d.Version = typed.Version
	}
	if conflict != nil {
		// Saving again now is a deliberate overwrite of the version shown beside the form.
		d.Version = conflict.Version
	}
	return c.Render(status, "admin/article_form", d)
}

func (a *App) adminArticleCreate(c echo.Context) error {
	in, typed, errs, err := a.readArticleForm(c)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		var id int64
		id, err = a.Store.Articles.Create(c.Request().Context(), a.Now(), in)
		if err == nil {
			return a.flashTo(c, "/admin/articles/"+strconv.FormatInt(id, 10), "Saved.")
		}
		v, ok := models.AsValidation(err)
		if !ok {
			return err
		}
		errs = v
	} else {
		mergeErrors(errs, in.Validate())
	}
	return a.showArticleForm(c, http.StatusUnprocessableEntity, nil, in, typed, errs, nil)
}

// mergeErrors adds the model's field errors to those the handler found, keeping the handler's.
func mergeErrors(into models.ValidationError, err error) {
	if v, ok := models.AsValidation(err); ok {
		for k, msg := range v {
			if _, seen := into[k]; !seen {
				into[k] = msg
			}
		}
	}
}

// editable loads an article the current user may edit, or refuses.
func (a *App) editable(c echo.Context) (models.Article, error) {
	id, err := idParam(c)
	if err != nil {
		return models.Article{}, err
	}
	art, err := a.Store.Articles.Get(c.Request().Context(), id)
	if err != nil {
		return art, err
	}
	if !art.EditableBy(staff(c)) {
		return art, forbidden("Authors can edit only their own stories, and only until they are published.")
	}
	return art, nil
}

func (a *App) adminArticleEdit(c echo.Context) error {
	art, err := a.editable(c)
	if err != nil {
		return err
	}
	d, err := a.articleForm(c, &art, art.Input(), nil)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "admin/article_form", d)
}

func (a *App) adminArticleUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	art, err := a.editable(c)
	if err != nil {
		return err
	}
	in, typed, errs, err := a.readArticleForm(c)
	if err != nil {
		return err
	}
	if !staff(c).IsStaff() {
		in.AuthorIDs = art.Input().AuthorIDs // the byline is the editors' call
	}
	in.UpdatedAt = art.UpdatedAt
	if typed.MarkUpdated {
		in.UpdatedAt = a.Now()
	}
	if len(errs) > 0 {
		mergeErrors(errs, in.Validate())
		return a.showArticleForm(c, http.StatusUnprocessableEntity, &art, in, typed, errs, nil)
	}
	_, err = a.Store.Articles.Update(ctx, a.Now(), art.ID, typed.Version, in)
	switch {
	case err == nil:
		return a.flashTo(c, "/admin/articles/"+strconv.FormatInt(art.ID, 10), "Saved.")
	case errors.Is(err, models.ErrConflict):
		cur, gerr := a.Store.Articles.Get(ctx, art.ID)
		if gerr != nil {
			return gerr
		}
		errs = models.ValidationError{"version": "Someone else saved this story while you were editing. Your version is in the form; theirs is shown beside it. Merge what you need and save again to replace theirs."}
		return a.showArticleForm(c, http.StatusConflict, &cur, in, typed, errs, &cur)
	}
	v, ok := models.AsValidation(err)
	if !ok {
		return err
	}
	return a.showArticleForm(c, http.StatusUnprocessableEntity, &art, in, typed, v, nil)
}

// adminArticlePreview shows a story exactly as readers will see it, whatever its status,
// to its authors and the editors. The page is noindex and never cached.
func (a *App) adminArticlePreview(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	art, err := a.Store.Articles.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if u := staff(c); !u.IsStaff() && !art.HasAuthor(u.ID) {
		return forbidden("Authors can preview only their own stories.")
	}
	return a.renderArticleStatus(c, art, true, http.StatusOK, commentForm{})
}

func (a *App) adminArticleDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.Store.Articles.Delete(c.Request().Context(), a.Now(), id, staff(c).ID); err != nil {
		return err
	}
	return a.flashTo(c, "/admin/articles", "The story was deleted.")
}

type revisionsData struct {
	page
	Article   models.Article
	Revisions []models.Revision
	From, To  *models.Revision
	Diff      []models.DiffLine
}

// adminRevisionList lists an article's revisions and, given ?from=&to=, the diff between two.
func (a *App) adminRevisionList(c echo.Context) error {
	ctx := c.Request().Context()
	art, err := a.editable(c)
	if err != nil {
		return err
	}
	p, err := a.adminPage(c)
	if err != nil {
		return err
	}
	d := revisionsData{page: p, Article: art}
	if d.Revisions, err = a.Store.Articles.Revisions(ctx, art.ID); err != nil {
		return err
	}
	if c.QueryParam("from") != "" || c.QueryParam("to") != "" {
		from, err1 := strconv.ParseInt(c.QueryParam("from"), 10, 64)
		to, err2 := strconv.ParseInt(c.QueryParam("to"), 10, 64)
		if err1 != nil || err2 != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Choose two revisions to compare.")
		}
		r1, err := a.Store.Articles.Revision(ctx, art.ID, from)
		if err != nil {
			return err
		}
		r2, err := a.Store.Articles.Revision(ctx, art.ID, to)
		if err != nil {
			return err
		}
		d.From, d.To, d.Diff = &r1, &r2, models.Diff(r1.Text(), r2.Text())
	}
	return c.Render(http.StatusOK, "admin/revisions", d)
}

func (a *App) adminRevisionRestore(c echo.Context) error {
	art, err := a.editable(c)
	if err != nil {
		return err
	}
	rev := formID(c, "revision")
	version, ok := formInt(c, "version")
	if !ok || version == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "The form is missing the version you restored from. Reload the page and try again.")
	}
	back := "/admin/articles/" + strconv.FormatInt(art.ID, 10)
	_, err = a.Store.Articles.Restore(c.Request().Context(), a.Now(), art.ID, rev, version, staff(c).ID)
	if errors.Is(err, models.ErrConflict) {
		return a.flashTo(c, back+"/revisions", "Someone saved the story meanwhile; nothing was restored. Look at the list again and retry.")
	}
	if v, ok := models.AsValidation(err); ok {
		return a.flashTo(c, back+"/revisions", "That revision cannot be restored as it stands: "+v.Error())
	}
	if err != nil {
		return err
	}
	return a.flashTo(c, back, "The revision was restored as a new save.")
}
