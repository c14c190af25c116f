package models

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"
)

// Front-page slots an editor can put a story in.
const (
	SlotLead    = "lead"
	SlotTop     = "top"
	SlotSection = "section" // the block of the story's own section
)

// MaxTopStories is how many top stories editors may pick: a constant, because the
// front page's design holds one row of four cards under the lead.
const MaxTopStories = 4

// SectionBlockSize is how many stories a section block on the front page shows, and
// so how many of them editors may pick per section.
const SectionBlockSize = 3

// Pick is a story an editor placed on the front page.
type Pick struct {
	Article     Article
	Slot        string
	Position    int
	PinnedUntil time.Time // zero: until an editor removes it
}

// FrontPicks are the picks in force, grouped as the front page shows them.
type FrontPicks struct {
	Lead     *Article
	Top      []Article
	Sections map[int64][]Article // by section id, in the editors' order
	All      []Pick              // every pick in force, lead first (the newsroom lists these)
	// Lapses is when the first pin with a time runs out (zero: none), so a page
	// built from these picks knows when it stops being true.
	Lapses time.Time
}

// FrontStore keeps the editors' front-page picks.
type FrontStore struct{ s *Store }

// inForce is the rule for a pick that still holds at now (?).
const inForce = `(f.pinned_until IS NULL OR f.pinned_until > ?)`

// picksQuery reads the picks in force (it takes now, and now again with readers).
//
// The picks are a handful of rows and the query starts from them: SQLite's CROSS JOIN
// fixes that order. Left to itself, with no statistics for a table that was empty when
// ANALYZE last ran, SQLite walked every visible story and looked each up among the
// picks, 10 ms of every front page on an archive of 100,000. PostgreSQL's planner has
// the table's size and needs no hint.
func (fs *FrontStore) picksQuery(readers bool) string {
	q := `SELECT ` + cardCols + `, f.slot, f.position, f.pinned_until FROM front_picks f
		` + fs.s.dialect("CROSS JOIN", "JOIN") + ` articles a ON a.id = f.article_id` + articleJoins + `
		WHERE ` + inForce
	if readers {
		q += ` AND ` + visible
	}
	return q + ` ORDER BY CASE f.slot WHEN 'lead' THEN 0 WHEN 'top' THEN 1 ELSE 2 END,
		CASE f.slot WHEN 'section' THEN s.position END, CASE f.slot WHEN 'section' THEN s.name END, f.position`
}

// Picks returns the picks in force at now. With readers set, only stories readers can
// see count (a pick of a story scheduled for later waits for it); the newsroom sees all.
func (fs *FrontStore) Picks(ctx context.Context, now time.Time, readers bool) (FrontPicks, error) {
	t := fmtTime(now)
	q, args := fs.picksQuery(readers), []any{t}
	if readers {
		args = append(args, t)
	}
	picks, err := queryAll(ctx, fs.s.R, func(sc scanner) (Pick, error) {
		var p Pick
		var until sql.NullString
		var err error
		p.Article, err = scanArticle(sc, &p.Slot, &p.Position, &until)
		p.PinnedUntil = parseNullTime(until)
		return p, err
	}, q, args...)
	if err != nil {
		return FrontPicks{}, err
	}
	arts := make([]Article, len(picks))
	for i := range picks {
		arts[i] = picks[i].Article
	}
	if err := fs.s.Articles.attach(ctx, arts); err != nil {
		return FrontPicks{}, err
	}
	out := FrontPicks{Sections: map[int64][]Article{}, All: picks}
	for i, p := range picks {
		a := arts[i]
		out.All[i].Article = a
		switch p.Slot {
		case SlotLead:
			out.Lead = &a
		case SlotTop:
			out.Top = append(out.Top, a)
		default:
			out.Sections[a.Section.ID] = append(out.Sections[a.Section.ID], a)
		}
		if !p.PinnedUntil.IsZero() && (out.Lapses.IsZero() || p.PinnedUntil.Before(out.Lapses)) {
			out.Lapses = p.PinnedUntil
		}
	}
	return out, nil
}

// PickInput is an editor's request to place a story.
type PickInput struct {
	ArticleID   int64
	Slot        string
	PinnedUntil time.Time // zero: until removed
	UserID      int64
}

// Pick places a story on the front page, at the end of its slot. A story already
// picked moves to the new slot (keeping its place if the slot is the same); a new lead
// replaces the old one, which falls back to the latest stories. Mistakes come back as
// a ValidationError keyed by form field.
func (fs *FrontStore) Pick(ctx context.Context, now time.Time, in PickInput) error {
	errs := ValidationError{}
	switch in.Slot {
	case SlotLead, SlotTop, SlotSection:
	default:
		errs["slot"] = "Choose where the story goes: lead, top stories or its section."
	}
	if !in.PinnedUntil.IsZero() && !in.PinnedUntil.After(now) {
		errs["pinned_until"] = "The pin would already have run out: give a time in the future, or none."
	}
	if in.ArticleID == 0 {
		errs["article"] = "Choose a story."
	}
	if len(errs) > 0 {
		return errs
	}
	t := fmtTime(now)
	return fs.s.tx(ctx, func(tx *sql.Tx) error {
		// Lapsed picks hold no place; clearing them keeps the counts below true.
		if _, err := tx.ExecContext(ctx, `DELETE FROM front_picks WHERE pinned_until <= ?`, t); err != nil {
			return err
		}
		var status string
		var section int64
		err := tx.QueryRowContext(ctx, `SELECT status, section_id FROM articles WHERE id = ?`, in.ArticleID).Scan(&status, &section)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && status != StatusPublished && status != StatusScheduled) {
			return ValidationError{"article": "Only a published or scheduled story can go on the front page."}
		}
		if err != nil {
			return err
		}
		var oldSlot string
		var oldPos int
		err = tx.QueryRowContext(ctx, `SELECT slot, position FROM front_picks WHERE article_id = ?`, in.ArticleID).Scan(&oldSlot, &oldPos)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The slot's other picks: top stories, or this section's block.
		var others int
		var last int
		err = tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(f.position), 0) FROM front_picks f
			JOIN articles a ON a.id = f.article_id
			WHERE f.slot = ? AND f.article_id <> ? AND (f.slot <> 'section' OR a.section_id = ?)`,
			in.Slot, in.ArticleID, section).Scan(&others, &last)
		if err != nil {
			return err
		}
		switch {
		case in.Slot == SlotTop && others >= MaxTopStories:
			return ValidationError{"slot": "There are already " + strconv.Itoa(MaxTopStories) + " top stories: remove one first."}
		case in.Slot == SlotSection && others >= SectionBlockSize:
			return ValidationError{"slot": "This story's section block already has " + strconv.Itoa(SectionBlockSize) + " picks: remove one first."}
		case in.Slot == SlotLead:
			if _, err := tx.ExecContext(ctx, `DELETE FROM front_picks WHERE slot = 'lead' AND article_id <> ?`, in.ArticleID); err != nil {
				return err
			}
		}
		pos := last + 1
		if oldSlot == in.Slot {
			pos = oldPos
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO front_picks (article_id, slot, position, pinned_until, user_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (article_id) DO UPDATE SET slot = excluded.slot, position = excluded.position,
				pinned_until = excluded.pinned_until, user_id = excluded.user_id`,
			in.ArticleID, in.Slot, pos, nullTime(in.PinnedUntil), in.UserID, t); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, in.UserID, "article.front."+in.Slot, in.ArticleID)
	})
}

// Unpick takes a story off the front page, as by (it may still appear among the latest).
func (fs *FrontStore) Unpick(ctx context.Context, now time.Time, articleID, by int64) error {
	return fs.s.tx(ctx, func(tx *sql.Tx) error {
		if err := oneRow(tx.ExecContext(ctx, `DELETE FROM front_picks WHERE article_id = ?`, articleID)); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, by, "article.front.remove", articleID)
	})
}

// Move swaps a pick with its neighbour earlier (up) or later in its slot (for section
// picks, within its section's block), as by. At either end it stays put.
func (fs *FrontStore) Move(ctx context.Context, now time.Time, articleID, by int64, up bool) error {
	return fs.s.tx(ctx, func(tx *sql.Tx) error {
		if err := moveInOrder(ctx, tx, `SELECT f.article_id FROM front_picks f
			JOIN articles a ON a.id = f.article_id
			JOIN front_picks me ON me.article_id = ? AND me.slot = f.slot
			JOIN articles ma ON ma.id = me.article_id
			WHERE (f.slot <> 'section' OR a.section_id = ma.section_id) AND `+inForce+`
			ORDER BY f.position, f.article_id`, []any{articleID, fmtTime(now)},
			`UPDATE front_picks SET position = ? WHERE article_id = ?`, articleID, up); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, by, "article.front.move", articleID)
	})
}
