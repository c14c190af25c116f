package models

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kinds of note appended to a story.
const (
	KindCorrection    = "correction"    // the story was wrong
	KindClarification = "clarification" // the story was right but could be misread
	KindUpdate        = "update"        // the news moved on
)

// CorrectionKinds lists the kinds in the order the newsroom's menu offers them.
var CorrectionKinds = []string{KindCorrection, KindClarification, KindUpdate}

// MaxCorrectionChars bounds a note's text.
const MaxCorrectionChars = 2000

// Correction is a note on the record of a story: a correction, clarification or update.
type Correction struct {
	ID        int64
	ArticleID int64
	Kind      string
	Body      string // plain text; templates escape it
	By        string // who wrote the current text ("" if that account is gone)
	CreatedAt time.Time
	AmendedAt time.Time // zero unless its text was changed after filing
	// The story, for lists across stories (/corrections and its feeds).
	ArticleTitle, ArticleSlug string
	Earlier                   []CorrectionText // earlier texts, oldest first (the newsroom only)
}

// CorrectionText is a text a note had before it was amended.
type CorrectionText struct {
	Kind, Body, By        string
	WrittenAt, ReplacedAt time.Time
}

// Title is the note's kind as a heading word ("Correction"); "Note" for a kind not
// (yet) valid, as a refused form may carry.
func (c Correction) Title() string {
	if !slices.Contains(CorrectionKinds, c.Kind) {
		return "Note"
	}
	return strings.ToUpper(c.Kind[:1]) + c.Kind[1:]
}

// CorrectionStore keeps the notes appended to stories.
type CorrectionStore struct{ s *Store }

// CorrectionInput is a note as the newsroom's form sends it.
type CorrectionInput struct {
	Kind, Body string
	UserID     int64
}

// Validate trims the text and checks it; mistakes are keyed by form field.
func (in *CorrectionInput) Validate() error {
	in.Body = strings.TrimSpace(in.Body)
	errs := ValidationError{}
	if !slices.Contains(CorrectionKinds, in.Kind) {
		errs["kind"] = "Choose correction, clarification or update."
	}
	switch n := utf8.RuneCountInString(in.Body); {
	case n == 0:
		errs["body"] = "Write what was wrong and what is right."
	case n > MaxCorrectionChars:
		errs["body"] = "Keep it under " + strconv.Itoa(MaxCorrectionChars) + " characters."
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

const correctionCols = `c.id, c.article_id, c.kind, c.body, coalesce(u.name, ''), c.created_at, c.amended_at, a.title, a.slug`

const correctionFrom = ` FROM corrections c JOIN articles a ON a.id = c.article_id LEFT JOIN users u ON u.id = c.user_id`

func scanCorrection(sc scanner) (Correction, error) {
	var c Correction
	var created string
	var amended sql.NullString
	err := sc.Scan(&c.ID, &c.ArticleID, &c.Kind, &c.Body, &c.By, &created, &amended, &c.ArticleTitle, &c.ArticleSlug)
	c.CreatedAt, c.AmendedAt = parseTime(created), parseNullTime(amended)
	return c, err
}

// File appends a note to story articleID. The same text filed twice in a row (a
// double-clicked button) is refused, not recorded twice.
func (cs *CorrectionStore) File(ctx context.Context, now time.Time, articleID int64, in CorrectionInput) (int64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := cs.s.tx(ctx, func(tx *sql.Tx) error {
		var last string
		err := tx.QueryRowContext(ctx, `SELECT body FROM corrections WHERE article_id = ? ORDER BY id DESC LIMIT 1`, articleID).Scan(&last)
		if err == nil && last == in.Body {
			return ValidationError{"body": "This note is already on the story."}
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO corrections (article_id, kind, body, user_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			articleID, in.Kind, in.Body, in.UserID, fmtTime(now)).Scan(&id); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, in.UserID, "article."+in.Kind+".file", articleID)
	})
	return id, err
}

// Amend changes a note's kind or text, keeping the text it had among its earlier ones.
// The note keeps its place and filing time; readers see it marked as amended.
func (cs *CorrectionStore) Amend(ctx context.Context, now time.Time, id int64, in CorrectionInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return cs.s.tx(ctx, func(tx *sql.Tx) error {
		var kind, body string
		var articleID int64
		err := tx.QueryRowContext(ctx, `SELECT kind, body, article_id FROM corrections WHERE id = ?`, id).Scan(&kind, &body, &articleID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if kind == in.Kind && body == in.Body {
			return nil // nothing changed: no history entry, no "amended"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO correction_texts (correction_id, kind, body, user_id, created_at, replaced_at)
			SELECT id, kind, body, user_id, coalesce(amended_at, created_at), ? FROM corrections WHERE id = ?`, fmtTime(now), id); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `UPDATE corrections SET kind = ?, body = ?, user_id = ?, amended_at = ? WHERE id = ?`,
			in.Kind, in.Body, in.UserID, fmtTime(now), id); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, in.UserID, "article."+in.Kind+".amend", articleID)
	})
}

// Get returns one note, with its earlier texts.
func (cs *CorrectionStore) Get(ctx context.Context, id int64) (Correction, error) {
	cs1, err := queryAll(ctx, cs.s.R, scanCorrection, `SELECT `+correctionCols+correctionFrom+` WHERE c.id = ?`, id)
	if err != nil {
		return Correction{}, err
	}
	if len(cs1) == 0 {
		return Correction{}, ErrNotFound
	}
	return cs1[0], cs.earlier(ctx, cs1)
}

// ForArticle lists a story's notes in the order they were filed. With history set,
// each carries its earlier texts (for the newsroom).
func (cs *CorrectionStore) ForArticle(ctx context.Context, articleID int64, history bool) ([]Correction, error) {
	out, err := queryAll(ctx, cs.s.R, scanCorrection, `SELECT `+correctionCols+correctionFrom+`
		WHERE c.article_id = ? ORDER BY c.created_at, c.id`, articleID)
	if err != nil || !history {
		return out, err
	}
	return out, cs.earlier(ctx, out)
}

// earlier attaches each note's earlier texts.
func (cs *CorrectionStore) earlier(ctx context.Context, notes []Correction) error {
	for i := range notes {
		texts, err := queryAll(ctx, cs.s.R, func(sc scanner) (CorrectionText, error) {
			var t CorrectionText
			var written, replaced string
			err := sc.Scan(&t.Kind, &t.Body, &t.By, &written, &replaced)
			t.WrittenAt, t.ReplacedAt = parseTime(written), parseTime(replaced)
			return t, err
		}, `SELECT t.kind, t.body, coalesce(u.name, ''), t.created_at, t.replaced_at FROM correction_texts t
			LEFT JOIN users u ON u.id = t.user_id WHERE t.correction_id = ? ORDER BY t.id`, notes[i].ID)
		if err != nil {
			return err
		}
		notes[i].Earlier = texts
	}
	return nil
}

// Recent lists the notes on stories readers can see, newest first, a page at a time.
func (cs *CorrectionStore) Recent(ctx context.Context, now time.Time, p Page) (Paged[Correction], error) {
	var out Paged[Correction]
	t := fmtTime(now)
	if err := cs.s.R.QueryRowContext(ctx, `SELECT count(*) FROM corrections c JOIN articles a ON a.id = c.article_id WHERE `+visible, t).Scan(&out.Total); err != nil {
		return out, err
	}
	out.setPage(p)
	items, err := queryAll(ctx, cs.s.R, scanCorrection, `SELECT `+correctionCols+correctionFrom+` WHERE `+visible+`
		ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`, t, p.limit(), p.offset())
	out.Items = items
	return out, err
}
