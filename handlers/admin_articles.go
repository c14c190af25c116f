package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
	// SelectAll ticks every box (?select=all): select-all without JavaScript.
	SelectAll  bool
	SelectLink string // this page with the ticks turned the other way
}

func (a *App) adminArticleList(c echo.Context) error {
	ctx := c.Request().Context()
	n, err := pageParam(c)
	if err != nil {
		return err
	}
	u := staff(c)
	f := models.AdminFilter{Status: c.QueryParam("status"), Query: c.QueryParam("q"), Now: a.Now()}
	f.SectionID, _ = strconv.ParseInt(c.QueryParam("section"), 10, 64)
	f.AuthorID, _ = strconv.ParseInt(c.QueryParam("author"), 10, 64)
	if !u.IsStaff() {
		f.AuthorID = u.ID // authors work on their own stories only
	}
	p, err := a.adminPage(c)
	if err != nil {
		return err
	}
	d := articleListData{page: p, Filter: f, Statuses: models.StatusesFor(models.User{Role: models.RoleEditor}), SelectAll: c.QueryParam("select") == "all"}
	q := c.Request().URL.Query()
	if d.SelectAll {
		q.Del("select")
	} else {
		q.Set("select", "all")
	}
	d.SelectLink = "/admin/articles?" + q.Encode()
	if d.Articles, err = a.Store.Articles.AdminList(ctx, f, models.Page{Number: n, Size: adminPerPage}); err != nil {
		return err
	}
	if d.Writers, err = a.Store.Users.Writers(ctx); err != nil {
		return err
	}
	d.Pager = newPager("Pages", n, d.Articles.Pages, pageLink("/admin/articles", query("status", f.Status, "section", strconv.FormatInt(f.SectionID, 10),
		"author", strconv.FormatInt(f.AuthorID, 10), "q", f.Query)))
	return a.render(c, http.StatusOK, "admin/articles", d)
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
	Note          string                           // said after a save: what the time chosen means
	Restored      time.Time                        // when the autosave now in the form was made; zero if none
	Words         int                              // the body's length, and below the minutes it takes to read
	ReadMinutes   int
	SlugPreview   string // the address the story has or will have
}

// wordsPerMinute is an adult's silent reading speed for news prose; the form's script
// uses the same figure (public/js/editor.js).
const wordsPerMinute = 230

// datetimeLocal is the layout of <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// goesLive says when a story goes (or went) live, in the site's zone and as an editor
// reads it at a glance: "goes live Tue 14:00 Europe/London, in 3 h".
func goesLive(t, now time.Time, z *time.Location) string {
	when, layout := t.In(z), "Mon 15:04"
	if d := t.Sub(now); d > 6*24*time.Hour || d < -6*24*time.Hour {
		layout = "Mon 2 Jan 15:04"
		if when.Year() != now.In(z).Year() {
			layout = "Mon 2 Jan 2006 15:04"
		}
	}
	at := when.Format(layout) + " " + z.String()
	if t.After(now) {
		return "goes live " + at + ", in " + roughly(t.Sub(now))
	}
	return "went live " + at + ", " + roughly(now.Sub(t)) + " ago"
}

// roughly is a span as a glance takes it: "40 min", "3 h", "2 days".
func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int((d+30*time.Minute)/time.Hour)) + " h"
	}
	return strconv.Itoa(int((d+12*time.Hour)/(24*time.Hour))) + " days"
}

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
	d.Words = len(strings.Fields(in.Body))
	d.ReadMinutes = max(1, (d.Words+wordsPerMinute-1)/wordsPerMinute)
	if d.SlugPreview = in.Slug; d.SlugPreview == "" {
		d.SlugPreview = models.Slugify(in.Title)
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
	if err := a.pickedPhoto(c, &in); err != nil {
		return err
	}
	return a.renderArticleForm(c, nil, in)
}

// pickedPhoto applies what the editor chose in the media library: ?media=ID puts the
// photo in the form as the lead photo, with the library's words for it; ?insert=ID
// adds it to the end of the body as a figure with its caption and credit.
// Nothing is saved until the editor saves the form.
func (a *App) pickedPhoto(c echo.Context, in *models.ArticleInput) error {
	if raw := c.QueryParam("media"); raw != "" {
		m, err := a.libraryPhoto(c, raw)
		if err != nil {
			return err
		}
		in.MediaID, in.ImageAlt, in.ImageCaption, in.ImageCredit = m.ID, m.Alt, m.Caption, m.Credit
	}
	if raw := c.QueryParam("insert"); raw != "" {
		m, err := a.libraryPhoto(c, raw)
		if err != nil {
			return err
		}
		in.Body = strings.TrimRight(in.Body, "\r\n")
		if in.Body != "" {
			in.Body += "\n\n" // a figure is a block of its own
		}
		in.Body += m.BodyFigure() + "\n"
	}
	return nil
}

// libraryPhoto is the library photo whose id is raw.
func (a *App) libraryPhoto(c echo.Context, raw string) (models.Media, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return models.Media{}, echo.NewHTTPError(http.StatusBadRequest, "That is not a photo of the library.")
	}
	return a.Store.Media.Get(c.Request().Context(), id)
}

// renderArticleForm shows the form for art (nil: a new story) filled from in, or from
// the editor's autosave when there is one: the work a closed tab would have lost. Its
// version is the one the editor was editing from, so saving it over someone else's
// newer save shows both, as any conflict does.
func (a *App) renderArticleForm(c echo.Context, art *models.Article, in models.ArticleInput) error {
	ctx := c.Request().Context()
	u := staff(c)
	var id int64
	if art != nil {
		id = art.ID
	}
	saved, err := a.Store.Articles.GetAutosave(ctx, u.ID, id)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if err != nil {
		d, err := a.articleForm(c, art, in, nil)
		if err != nil {
			return err
		}
		return a.render(c, http.StatusOK, "admin/article_form", d)
	}
	form, _ := url.ParseQuery(saved.Form) // stored from a parsed form, so it parses
	site, err := a.Store.Settings.Get(ctx)
	if err != nil {
		return err
	}
	in, typed, _ := a.articleWords(form, u, site.Location())
	if err := a.pickedPhoto(c, &in); err != nil { // a photo chosen after the autosave
		return err
	}
	if art != nil && !u.IsStaff() {
		in.AuthorIDs = art.Input().AuthorIDs
	}
	d, err := a.articleForm(c, art, in, nil)
	if err != nil {
		return err
	}
	d.Tags, d.PublishedAt, d.MarkUpdated, d.Restored = typed.Tags, typed.PublishedAt, typed.MarkUpdated, saved.SavedAt
	if art != nil {
		d.Version = typed.Version
	}
	return a.render(c, http.StatusOK, "admin/article_form", d)
}

// adminAutosave keeps the story form as its editor left it (posted by the form's
// script while they type), or with discard=1 forgets it (a plain form's button).
func (a *App) adminAutosave(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	id, err := strconv.ParseInt(form.Get("article"), 10, 64)
	if err != nil || id < 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "The form does not say which story it is.")
	}
	back := "/admin/articles/new"
	if id != 0 {
		if _, err := a.editableID(c, id); err != nil {
			return err
		}
		back = "/admin/articles/" + strconv.FormatInt(id, 10)
	}
	u := staff(c)
	if form.Get("discard") == "1" {
		if err := a.Store.Articles.DropAutosave(ctx, u.ID, id); err != nil {
			return err
		}
		return a.flashTo(c, back, "The autosaved changes were discarded.")
	}
	form.Del("article")
	if err := a.Store.Articles.PutAutosave(ctx, a.Now(), u.ID, id, form.Encode()); err != nil {
		return err
	}
	site, err := a.Store.Settings.Get(ctx)
	if err != nil {
		return err
	}
	return c.String(http.StatusOK, "Draft autosaved at "+a.Now().In(site.Location()).Format("15:04")+".")
}

// readArticleForm reads the submitted form. A photo in the post is stored first, so
// that a form re-shown for another mistake keeps it without a second upload.
func (a *App) readArticleForm(c echo.Context) (in models.ArticleInput, d articleFormData, errs models.ValidationError, err error) {
	u := staff(c)
	site, err := a.Store.Settings.Get(c.Request().Context())
	if err != nil {
		return in, d, nil, err
	}
	form, err := c.FormParams()
	if err != nil {
		return in, d, nil, echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	in, d, errs = a.articleWords(form, u, site.Location())
	if max, ok := c.Get(photoTooLargeKey).(int64); ok {
		errs["photo"] = fmt.Sprintf("The photo is larger than the %s a photo may take, so it was not uploaded. Everything else is kept: choose a smaller photo (or a resized copy) and save again.", models.SizeText(max))
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

// articleWords reads the story form's fields other than the photo file, from a post
// or from an autosave, as u in the site's zone.
func (a *App) articleWords(form url.Values, u models.User, zone *time.Location) (in models.ArticleInput, d articleFormData, errs models.ValidationError) {
	errs = models.ValidationError{}
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
	// Editors may send a story with no staff byline (wire copy); the form says it
	// carried the byline picker, so a post without it still gets its sender's byline.
	if (len(in.AuthorIDs) == 0 && form.Get("byline") != "1") || !u.IsStaff() {
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
	// "Published" with a time to come is what scheduling means: saved as scheduled, and said so.
	if in.Status == models.StatusPublished && in.PublishedAt.After(a.Now()) {
		in.Status = models.StatusScheduled
		d.Note = "The publication time is in the future, so the story is scheduled, not published: it " + goesLive(in.PublishedAt, a.Now(), zone) + "."
	} else if in.Status == models.StatusScheduled && !in.PublishedAt.IsZero() {
		d.Note = "Scheduled: it " + goesLive(in.PublishedAt, a.Now(), zone) + "."
	}
	if !slices.Contains(models.StatusesFor(u), in.Status) && in.Status != "" {
		errs["status"] = "Authors cannot publish: save a draft or submit it for review."
	}
	return in, d, errs
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
	if c.Get(photoTooLargeKey) != nil {
		status = http.StatusRequestEntityTooLarge
	}
	if conflict != nil {
		// Saving again now is a deliberate overwrite of the version shown beside the form.
		d.Version = conflict.Version
	}
	return a.render(c, status, "admin/article_form", d)
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
			if err := a.Store.Articles.DropAutosave(c.Request().Context(), staff(c).ID, 0); err != nil {
				return err
			}
			return a.flashTo(c, "/admin/articles/"+strconv.FormatInt(id, 10), strings.TrimSpace("Saved. "+typed.Note))
		}
		v, ok := models.AsValidation(err)
		if !ok {
			return err
		}
		errs = v
	} else {
		mergeErrors(errs, validateCopy(in))
	}
	return a.showArticleForm(c, http.StatusUnprocessableEntity, nil, in, typed, errs, nil)
}

// validateCopy validates a copy of in: Validate fills in the slug, and a form shown
// again must keep the slug field as typed (empty means "from the headline").
func validateCopy(in models.ArticleInput) error { return in.Validate() }

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
	return a.editableID(c, id)
}

// editableID is editable for the article with this id.
func (a *App) editableID(c echo.Context, id int64) (models.Article, error) {
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
	in := art.Input()
	if err := a.pickedPhoto(c, &in); err != nil {
		return err
	}
	return a.renderArticleForm(c, &art, in)
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
		mergeErrors(errs, validateCopy(in))
		return a.showArticleForm(c, http.StatusUnprocessableEntity, &art, in, typed, errs, nil)
	}
	_, err = a.Store.Articles.Update(ctx, a.Now(), art.ID, typed.Version, in)
	switch {
	case err == nil:
		if err := a.Store.Articles.DropAutosave(ctx, staff(c).ID, art.ID); err != nil {
			return err
		}
		return a.flashTo(c, "/admin/articles/"+strconv.FormatInt(art.ID, 10), strings.TrimSpace("Saved. "+typed.Note))
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
	art, err := a.Store.Articles.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if ok, err := a.confirmed(c, "Delete ‘"+art.Title+"’?", "Its revisions and comments are deleted with it. This cannot be undone.",
		"Delete the story", "/admin/articles/"+strconv.FormatInt(id, 10)); !ok {
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
	return a.render(c, http.StatusOK, "admin/revisions", d)
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
