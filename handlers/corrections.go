package handlers

import (
	"html"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/feeds"
	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// correctionsPerPage is how many notes a page of /corrections lists.
const correctionsPerPage = 20

type correctionsData struct {
	page
	Notes models.Paged[models.Correction]
	Pager pager
}

// correctionsShow is /corrections: every correction, clarification and update on a
// story readers can see, newest first, with its own feeds.
func (a *App) correctionsShow(c echo.Context) error {
	n, err := pageParam(c)
	if err != nil {
		return err
	}
	notes, err := a.Store.Corrections.Recent(c.Request().Context(), a.Now(), models.Page{Number: n, Size: correctionsPerPage})
	if err != nil {
		return err
	}
	if n > 1 && n > notes.Pages {
		return echo.NewHTTPError(http.StatusNotFound, "There are not that many pages.")
	}
	p, err := a.newPage(c)
	if err != nil {
		return err
	}
	p.Canonical = a.absURL("/corrections")
	if n > 1 {
		p.Canonical += "?page=" + strconv.Itoa(n)
	}
	p.Description = "Corrections, clarifications and updates to our stories, newest first."
	p.Alternates = a.feedLinks("Corrections — "+p.Site.SiteName, "/corrections")
	pg := newPager("Pages", notes.Number, notes.Pages, pageLink("/corrections", ""))
	pg.PrevText, pg.NextText = "← Newer", "Older →"
	return a.render(c, http.StatusOK, "corrections", correctionsData{page: p, Notes: notes, Pager: pg})
}

// correctionFeedShow is the feed of /corrections in format ("rss" or "atom").
func (a *App) correctionFeedShow(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		site, err := a.Store.Settings.Get(ctx)
		if err != nil {
			return err
		}
		notes, err := a.Store.Corrections.Recent(ctx, a.Now(), models.Page{Number: 1, Size: feedItems})
		if err != nil {
			return err
		}
		f := &feeds.Feed{
			Title:       "Corrections — " + site.SiteName,
			Link:        &feeds.Link{Href: a.absURL("/corrections")},
			Description: "Corrections, clarifications and updates to our stories.",
			Copyright:   "© " + site.SiteName,
		}
		for _, note := range notes.Items {
			updated := note.CreatedAt
			if note.AmendedAt.After(updated) {
				updated = note.AmendedAt
			}
			f.Items = append(f.Items, &feeds.Item{
				Title: note.Title() + ": " + note.ArticleTitle,
				Link:  &feeds.Link{Href: a.absURL("/articles/" + url.PathEscape(note.ArticleSlug) + "#note-" + strconv.FormatInt(note.ID, 10))},
				// Plain text, escaped: readers render a description as HTML.
				Description: html.EscapeString(note.Body),
				Id:          "tag:" + a.host() + "," + note.CreatedAt.UTC().Format("2006-01-02") + ":correction:" + strconv.FormatInt(note.ID, 10),
				IsPermaLink: "false",
				Created:     note.CreatedAt,
				Updated:     updated,
			})
			if updated.After(f.Updated) {
				f.Updated = updated
			}
		}
		return writeFeed(c, format, site, f)
	}
}

// noteForm is one correction form as typed on a story's edit page: the new-note form
// (For 0) or the amend form of note For.
type noteForm struct {
	For        int64
	Kind, Body string
}

// adminCorrectionFile appends a note to a story, from its edit page.
func (a *App) adminCorrectionFile(c echo.Context) error {
	art, err := a.editable(c)
	if err != nil {
		return err
	}
	in := models.CorrectionInput{Kind: c.FormValue("kind"), Body: c.FormValue("body"), UserID: staff(c).ID}
	_, err = a.Store.Corrections.File(c.Request().Context(), a.Now(), art.ID, in)
	return a.afterNote(c, art, noteForm{Kind: in.Kind, Body: c.FormValue("body")}, err, "The note is on the story.")
}

// adminCorrectionAmend changes a note's text; the text it had is kept for the record.
func (a *App) adminCorrectionAmend(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	note, err := a.Store.Corrections.Get(ctx, id)
	if err != nil {
		return err
	}
	art, err := a.Store.Articles.Get(ctx, note.ArticleID)
	if err != nil {
		return err
	}
	in := models.CorrectionInput{Kind: c.FormValue("kind"), Body: c.FormValue("body"), UserID: staff(c).ID}
	err = a.Store.Corrections.Amend(ctx, a.Now(), id, in)
	return a.afterNote(c, art, noteForm{For: id, Kind: in.Kind, Body: c.FormValue("body")}, err, "The note is amended; its earlier text is kept.")
}

// afterNote answers a filed or amended note: back to the edit page, or the edit page
// again with the note's form as typed and the reason when it was refused.
func (a *App) afterNote(c echo.Context, art models.Article, typed noteForm, err error, done string) error {
	ve, ok := models.AsValidation(err)
	if !ok {
		if err != nil {
			return err
		}
		return a.flashTo(c, "/admin/articles/"+strconv.FormatInt(art.ID, 10)+"#notes-h", done)
	}
	d, err := a.articleForm(c, &art, art.Input(), nil)
	if err != nil {
		return err
	}
	if typed.For == 0 {
		d.NewNote, d.NewNoteErrors = typed, ve
	} else {
		d.NoteErrors = map[int64]models.ValidationError{typed.For: ve}
	}
	for i := range d.Notes {
		if d.Notes[i].ID == typed.For {
			d.Notes[i].Kind, d.Notes[i].Body = typed.Kind, typed.Body
		}
	}
	return a.render(c, http.StatusUnprocessableEntity, "admin/article_form", d)
}

// noteFields is what the "note-fields" partial needs for one correction form.
type noteFields struct {
	ID         int64
	Kind, Body string
	Errors     models.ValidationError
	Kinds      []string
}
