package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Live coverage (migration 0016): a story marked live carries short timestamped entries
// written at the live desk by several editors at once. Closing the coverage keeps the
// entries; the story then reads as a normal article with its timeline.

// Limits of one live entry, in characters.
const (
	MaxLiveEntryLen   = 10000
	MaxLiveEntryTitle = 120
)

// Coverage is a story's live coverage: when it began and ended, and its entries.
type Coverage struct {
	ArticleID int64
	StartedAt time.Time
	EndedAt   time.Time // zero while the story is live
	Version   int64     // moves with every entry written, edited or deleted
	Entries   []LiveEntry
}

// Live reports whether the coverage is still running.
func (c *Coverage) Live() bool { return c != nil && c.EndedAt.IsZero() }

// Pinned is the pinned entry, or nil.
func (c *Coverage) Pinned() *LiveEntry {
	for i := range c.Entries {
		if c.Entries[i].Pinned {
			return &c.Entries[i]
		}
	}
	return nil
}

// KeyEvents are the entries marked as key events, in the entries' order.
func (c *Coverage) KeyEvents() []LiveEntry {
	var out []LiveEntry
	for _, e := range c.Entries {
		if e.KeyEvent {
			out = append(out, e)
		}
	}
	return out
}

// Timeline is the entries oldest first, as a closed story shows them.
func (c *Coverage) Timeline() []LiveEntry {
	out := make([]LiveEntry, len(c.Entries))
	for i, e := range c.Entries {
		out[len(out)-1-i] = e
	}
	return out
}

// LastUpdate is the time of the newest entry written or edited (the start if none).
func (c *Coverage) LastUpdate() time.Time {
	t := c.StartedAt
	for _, e := range c.Entries {
		if e.UpdatedAt.After(t) {
			t = e.UpdatedAt
		}
	}
	return t
}

// LiveEntry is one post of a live story.
type LiveEntry struct {
	ID         int64
	ArticleID  int64
	AuthorName string // "" when the author's account is gone
	AuthorSlug string
	Title      string
	BodySrc    string
	BodyHTML   template.HTML // sanitised by Sanitizer.ArticleHTML; never built elsewhere
	KeyEvent   bool
	Pinned     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Edited reports whether the entry was changed after it was posted.
func (e LiveEntry) Edited() bool { return e.UpdatedAt.After(e.CreatedAt) }

// Anchor is the entry's fragment id on the story page.
func (e LiveEntry) Anchor() string { return fmt.Sprintf("entry-%d", e.ID) }

// LiveEntryInput is what the live desk's form sends.
type LiveEntryInput struct {
	Title    string
	Body     string
	KeyEvent bool
	Pinned   bool
}

// validate checks the input, normalised in place, and returns the field errors.
func (in *LiveEntryInput) validate() ValidationError {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = normaliseBody(in.Body)
	v := ValidationError{}
	switch {
	case !utf8.ValidString(in.Body):
		v["body"] = "The entry contains bytes that are not valid text. Paste it again as plain text."
	case strings.TrimSpace(in.Body) == "":
		v["body"] = "Write the entry before posting it."
	case utf8.RuneCountInString(in.Body) > MaxLiveEntryLen:
		v["body"] = fmt.Sprintf("Keep an entry to %d characters; this one has %d. Split it into two entries.", MaxLiveEntryLen, utf8.RuneCountInString(in.Body))
	case strings.ContainsFunc(in.Body, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		v["body"] = "The entry contains invisible control characters. Remove them and post again."
	}
	switch {
	case !utf8.ValidString(in.Title) || strings.ContainsFunc(in.Title, unicode.IsControl):
		v["title"] = "The headline contains characters that are not plain text."
	case utf8.RuneCountInString(in.Title) > MaxLiveEntryTitle:
		v["title"] = fmt.Sprintf("Keep the headline to %d characters.", MaxLiveEntryTitle)
	case in.KeyEvent && in.Title == "":
		v["title"] = "A key event needs a headline: it is the line readers see in the key events list."
	}
	return v
}

// LiveStore reads and writes live coverage.
type LiveStore struct{ s *Store }

// Coverage returns the story's live coverage with its entries newest first, or
// ErrNotFound when the story was never live.
func (ls *LiveStore) Coverage(ctx context.Context, articleID int64) (*Coverage, error) {
	c := &Coverage{ArticleID: articleID}
	var started string
	var ended sql.NullString
	err := ls.s.R.QueryRowContext(ctx, `SELECT started_at, ended_at, version FROM live_stories WHERE article_id = ?`, articleID).
		Scan(&started, &ended, &c.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c.StartedAt, c.EndedAt = parseTime(started), parseNullTime(ended)
	c.Entries, err = queryAll(ctx, ls.s.R, scanLiveEntry, "SELECT "+liveEntryCols+liveEntryFrom+
		" WHERE e.article_id = ? ORDER BY e.created_at DESC, e.id DESC", articleID)
	return c, err
}

// Version is the story's live version (0 when it was never live): readers' streams
// poll it, one small read per story per server, whoever is watching.
func (ls *LiveStore) Version(ctx context.Context, articleID int64) (version int64, live bool, err error) {
	var ended sql.NullString
	err = ls.s.R.QueryRowContext(ctx, `SELECT version, ended_at FROM live_stories WHERE article_id = ?`, articleID).Scan(&version, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return version, !ended.Valid, err
}

const liveEntryCols = `e.id, e.article_id, coalesce(u.name, ''), coalesce(u.slug, ''), e.title, e.body_src, e.body_html,
	e.key_event, e.pinned, e.created_at, e.updated_at`

const liveEntryFrom = ` FROM live_entries e LEFT JOIN users u ON u.id = e.author_id`

func scanLiveEntry(sc scanner) (LiveEntry, error) {
	var e LiveEntry
	var created, updated string
	err := sc.Scan(&e.ID, &e.ArticleID, &e.AuthorName, &e.AuthorSlug, &e.Title, &e.BodySrc, &e.BodyHTML,
		&e.KeyEvent, &e.Pinned, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	e.CreatedAt, e.UpdatedAt = parseTime(created), parseTime(updated)
	return e, err
}

// Entry returns one entry of a story, or ErrNotFound.
func (ls *LiveStore) Entry(ctx context.Context, articleID, id int64) (LiveEntry, error) {
	return scanLiveEntry(ls.s.R.QueryRowContext(ctx, "SELECT "+liveEntryCols+liveEntryFrom+
		" WHERE e.id = ? AND e.article_id = ?", id, articleID))
}

// Start marks a story live (again, if it was closed: its entries carry on), as by.
func (ls *LiveStore) Start(ctx context.Context, now time.Time, articleID, by int64) error {
	return ls.s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO live_stories (article_id, started_at) VALUES (?, ?)
		ON CONFLICT (article_id) DO UPDATE SET ended_at = NULL WHERE live_stories.ended_at IS NOT NULL`, articleID, fmtTime(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // already live: nothing happened to record
		}
		return logArticleAudit(ctx, tx, now, by, "article.live.start", articleID)
	})
}

// Close ends the coverage, as by: the story becomes a normal article and keeps its entries.
func (ls *LiveStore) Close(ctx context.Context, now time.Time, articleID, by int64) error {
	return ls.s.tx(ctx, func(tx *sql.Tx) error {
		if err := oneRow(tx.ExecContext(ctx, `UPDATE live_stories SET ended_at = ? WHERE article_id = ? AND ended_at IS NULL`,
			fmtTime(now), articleID)); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, by, "article.live.close", articleID)
	})
}

// Post adds an entry to a live story. A closed or never-live story refuses it with
// ErrConflict, so an entry cannot slip in after the coverage ended.
func (ls *LiveStore) Post(ctx context.Context, now time.Time, articleID, authorID int64, in LiveEntryInput) (LiveEntry, error) {
	if v := in.validate(); len(v) > 0 {
		return LiveEntry{}, v
	}
	html, err := ls.s.San.ArticleHTML(in.Body)
	if err != nil {
		return LiveEntry{}, err
	}
	var id int64
	err = ls.s.tx(ctx, func(tx *sql.Tx) error {
		var open bool
		err := tx.QueryRowContext(ctx, `SELECT ended_at IS NULL FROM live_stories WHERE article_id = ?`, articleID).Scan(&open)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !open) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if err := unpinOthers(ctx, tx, articleID, 0, in.Pinned); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO live_entries (article_id, author_id, title, body_src, body_html, key_event, pinned,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			articleID, authorID, in.Title, in.Body, string(html), in.KeyEvent, in.Pinned, fmtTime(now), fmtTime(now)).Scan(&id); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, authorID, "article.live.post", articleID)
	})
	if err != nil {
		return LiveEntry{}, err
	}
	return ls.Entry(ctx, articleID, id)
}

// Update rewrites an entry, as by; it keeps its time and author, and records when it changed.
func (ls *LiveStore) Update(ctx context.Context, now time.Time, articleID, id, by int64, in LiveEntryInput) error {
	if v := in.validate(); len(v) > 0 {
		return v
	}
	html, err := ls.s.San.ArticleHTML(in.Body)
	if err != nil {
		return err
	}
	return ls.s.tx(ctx, func(tx *sql.Tx) error {
		if err := unpinOthers(ctx, tx, articleID, id, in.Pinned); err != nil {
			return err
		}
		if err := oneRow(tx.ExecContext(ctx, `UPDATE live_entries SET title = ?, body_src = ?, body_html = ?, key_event = ?, pinned = ?,
			updated_at = ? WHERE id = ? AND article_id = ?`, in.Title, in.Body, string(html), in.KeyEvent, in.Pinned, fmtTime(now), id, articleID)); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, by, "article.live.edit", articleID)
	})
}

// unpinOthers lets a newly pinned entry take the pin from the story's other entries
// (one pin per story: the newest pin wins rather than the form being refused).
func unpinOthers(ctx context.Context, tx *sql.Tx, articleID, keep int64, pinning bool) error {
	if !pinning {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE live_entries SET pinned = 0 WHERE article_id = ? AND pinned <> 0 AND id <> ?`, articleID, keep)
	return err
}

// Delete removes an entry, as by.
func (ls *LiveStore) Delete(ctx context.Context, now time.Time, articleID, id, by int64) error {
	return ls.s.tx(ctx, func(tx *sql.Tx) error {
		if err := oneRow(tx.ExecContext(ctx, `DELETE FROM live_entries WHERE id = ? AND article_id = ?`, id, articleID)); err != nil {
			return err
		}
		return logArticleAudit(ctx, tx, now, by, "article.live.delete", articleID)
	})
}
