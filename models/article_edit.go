package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Input turns a saved article back into the fields of the edit form.
func (a Article) Input() ArticleInput {
	in := ArticleInput{Title: a.Title, Slug: a.Slug, Dek: a.Dek, Body: a.BodySrc, Dateline: a.Dateline, Wire: a.Wire,
		SectionID: a.Section.ID, Status: a.Status, PublishedAt: a.PublishedAt, UpdatedAt: a.UpdatedAt,
		Correction: a.Correction, CommentsOpen: a.CommentsOpen}
	for _, au := range a.Authors {
		in.AuthorIDs = append(in.AuthorIDs, au.ID)
	}
	for _, t := range a.Tags {
		in.Tags = append(in.Tags, t.Name)
	}
	if a.Image != nil {
		in.MediaID, in.ImageAlt, in.ImageCaption, in.ImageCredit = a.Image.ID, a.Image.Alt, a.Image.Caption, a.Image.Credit
	}
	return in
}

// HasAuthor reports whether user id is on the byline.
func (a Article) HasAuthor(id int64) bool {
	for _, au := range a.Authors {
		if au.ID == id {
			return true
		}
	}
	return false
}

// EditableBy is the newsroom's rule: editors and administrators edit anything; an
// author edits only their own stories, and only while they are drafts or in review.
func (a Article) EditableBy(u User) bool {
	if u.IsStaff() {
		return true
	}
	return u.Role == RoleAuthor && a.HasAuthor(u.ID) && (a.Status == StatusDraft || a.Status == StatusReview)
}

// StatusesFor lists the statuses u may give a story. Authors may only write drafts and
// submit them for review; publishing is an editor's decision.
func StatusesFor(u User) []string {
	if u.IsStaff() {
		return []string{StatusDraft, StatusReview, StatusScheduled, StatusPublished, StatusUnpublished}
	}
	if u.Role == RoleAuthor {
		return []string{StatusDraft, StatusReview}
	}
	return nil
}

// Update saves an edit made from version of article id. If anyone saved the article
// since that version was read, nothing changes and ErrConflict comes back. A changed
// slug leaves a redirect from the old one; every save keeps a revision. It returns
// the new version.
func (as *ArticleStore) Update(ctx context.Context, now time.Time, id int64, version int, in ArticleInput) (int, error) {
	html, err := as.prepare(&in)
	if err != nil {
		return 0, err
	}
	err = as.s.tx(ctx, func(tx *sql.Tx) error {
		var oldStatus string
		var cur int
		err := tx.QueryRowContext(ctx, "SELECT status, version FROM articles WHERE id = ?", id).Scan(&oldStatus, &cur)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if cur != version {
			return ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET title = ?, dek = ?, body_src = ?, body_html = ?, dateline = ?,
			wire = ?, section_id = ?, media_id = ?, image_alt = ?, image_caption = ?, image_credit = ?, status = ?,
			published_at = ?, updated_at = ?, correction = ?, comments_open = ?, version = version + 1, modified_at = ?
			WHERE id = ?`,
			in.Title, in.Dek, in.Body, string(html), in.Dateline, in.Wire, in.SectionID,
			sql.NullInt64{Int64: in.MediaID, Valid: in.MediaID != 0}, in.ImageAlt, in.ImageCaption, in.ImageCredit,
			in.Status, nullTime(in.PublishedAt), nullTime(in.UpdatedAt), in.Correction, in.CommentsOpen, fmtTime(now), id); err != nil {
			return err
		}
		if err := renameTx(ctx, tx, now, id, in.Slug); err != nil {
			return err
		}
		if err := setAuthorsAndTags(ctx, tx, id, in.AuthorIDs, in.Tags); err != nil {
			return err
		}
		return afterSave(ctx, tx, now, id, version+1, oldStatus, in)
	})
	if err != nil {
		return 0, err
	}
	return version + 1, nil
}

// SetStatus changes a story's status as a save by user by (a bulk action of the
// article list): a revision is kept and the audit log says it, as for any save.
func (as *ArticleStore) SetStatus(ctx context.Context, now time.Time, id int64, status string, by int64) error {
	art, err := as.Get(ctx, id)
	if err != nil {
		return err
	}
	in := art.Input()
	in.Status, in.EditorID = status, by
	_, err = as.Update(ctx, now, id, art.Version, in)
	return err
}

// afterSave keeps the revision of a save and logs a change of what readers can see.
func afterSave(ctx context.Context, tx *sql.Tx, now time.Time, id int64, version int, oldStatus string, in ArticleInput) error {
	details, err := revisionDetails(ctx, tx, in)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_revisions (article_id, version, title, slug, dek, body_src,
		dateline, wire, correction, status, details, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, version, in.Title, in.Slug, in.Dek, in.Body, in.Dateline, in.Wire, in.Correction, in.Status, details,
		sql.NullInt64{Int64: in.EditorID, Valid: in.EditorID != 0}, fmtTime(now)); err != nil {
		return err
	}
	if in.Status == oldStatus {
		return nil
	}
	switch in.Status {
	case StatusPublished, StatusScheduled, StatusUnpublished:
		return logAudit(ctx, tx, now, in.EditorID, "article."+in.Status, articleTarget(in.Title, id))
	}
	return nil
}

// revisionDetails is what a save set besides its words, one line each, in names as
// they are at the save: section, byline, topics, photo and time.
func revisionDetails(ctx context.Context, tx *sql.Tx, in ArticleInput) (string, error) {
	var section string
	err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT name FROM sections WHERE id = ?), '')`, in.SectionID).Scan(&section)
	if err != nil {
		return "", err
	}
	var names []string // the byline in its order; a story has a handful of authors
	for _, id := range in.AuthorIDs {
		var name string
		err := tx.QueryRowContext(ctx, "SELECT name FROM users WHERE id = ?", id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return "", err
		}
		names = append(names, name)
	}
	authors := strings.Join(names, ", ")
	var tags []string
	for _, t := range in.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	photo, at := "none", "none"
	if in.MediaID != 0 {
		photo = fmt.Sprintf("#%d, alt “%s”, caption “%s”, credit “%s”", in.MediaID, in.ImageAlt, in.ImageCaption, in.ImageCredit)
	}
	if !in.PublishedAt.IsZero() {
		at = in.PublishedAt.UTC().Format("2006-01-02 15:04 MST")
	}
	return "Section: " + section + "\nAuthors: " + authors + "\nTags: " + strings.Join(tags, ", ") +
		"\nPhoto: " + photo + "\nTime: " + at, nil
}

func articleTarget(title string, id int64) string { return fmt.Sprintf("“%s” (#%d)", title, id) }

// Delete removes an article with its revisions, redirects and comments, and logs who did it.
func (as *ArticleStore) Delete(ctx context.Context, now time.Time, id, by int64) error {
	return as.s.tx(ctx, func(tx *sql.Tx) error {
		var title string
		err := tx.QueryRowContext(ctx, "SELECT title FROM articles WHERE id = ?", id).Scan(&title)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM articles WHERE id = ?", id); err != nil {
			return err
		}
		return logAudit(ctx, tx, now, by, "article.delete", articleTarget(title, id))
	})
}

// AdminFilter narrows the newsroom's article list. Zero fields do not filter.
type AdminFilter struct {
	Status    string
	SectionID int64
	AuthorID  int64
	Query     string    // words in the headline
	Now       time.Time // a scheduled story whose time has passed counts as published
}

// AdminList lists articles of any status, most recently changed first.
func (as *ArticleStore) AdminList(ctx context.Context, f AdminFilter, p Page) (Paged[Article], error) {
	where := []string{"1 = 1"}
	var args []any
	switch f.Status {
	case "":
	case StatusPublished:
		where = append(where, "(a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= ?))")
		args = append(args, fmtTime(f.Now))
	case StatusScheduled:
		where = append(where, "a.status = 'scheduled' AND a.published_at > ?")
		args = append(args, fmtTime(f.Now))
	default:
		where = append(where, "a.status = ?")
		args = append(args, f.Status)
	}
	if f.SectionID != 0 {
		where = append(where, "a.section_id = ?")
		args = append(args, f.SectionID)
	}
	if f.AuthorID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_authors WHERE user_id = ?)")
		args = append(args, f.AuthorID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, `a.title LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(q)+"%")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var out Paged[Article]
	if err := as.s.R.QueryRowContext(ctx, "SELECT count(*) FROM articles a"+cond, args...).Scan(&out.Total); err != nil {
		return out, err
	}
	out.setPage(p)
	items, err := as.list(ctx, "SELECT "+articleCols+articleFrom+cond+" ORDER BY a.modified_at DESC, a.id DESC LIMIT ? OFFSET ?",
		append(args, p.limit(), p.offset())...)
	out.Items = items
	return out, err
}

// likeEscape makes user text match literally inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// StatusCounts counts articles by status as readers see them at now (a scheduled story
// whose time has passed is published), for the dashboard.
func (as *ArticleStore) StatusCounts(ctx context.Context, now time.Time) (map[string]int, error) {
	rows, err := as.s.R.QueryContext(ctx, `SELECT CASE WHEN status = 'scheduled' AND published_at <= ? THEN 'published' ELSE status END,
		count(*) FROM articles GROUP BY 1`, fmtTime(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Revision is one saved state of an article's words.
type Revision struct {
	ID         int64
	ArticleID  int64
	Version    int
	Title      string
	Slug       string
	Dek        string
	BodySrc    string
	Dateline   string
	Wire       string
	Correction string
	Status     string
	Details    string // section, byline, topics, photo and time, one per line ("" before migration 0017)
	UserName   string // who saved it; empty for imports and deleted users
	CreatedAt  time.Time
}

// Text is the revision as one document, the thing a diff compares.
func (r Revision) Text() string {
	return "# " + r.Title + "\nSlug: " + r.Slug + "\nDek: " + r.Dek + "\nDateline: " + r.Dateline + "\nWire: " + r.Wire +
		"\nCorrection: " + r.Correction + "\nStatus: " + r.Status + detailsBlock(r.Details) + "\n\n" + r.BodySrc
}

// detailsBlock puts a revision's details under its status line, when it has them.
func detailsBlock(d string) string {
	if d == "" {
		return ""
	}
	return "\n" + d
}

const revisionCols = `r.id, r.article_id, r.version, r.title, r.slug, r.dek, r.body_src, r.dateline, r.wire, r.correction,
	r.status, r.details, coalesce(u.name, ''), r.created_at FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id`

func scanRevision(sc scanner) (Revision, error) {
	var r Revision
	var created string
	err := sc.Scan(&r.ID, &r.ArticleID, &r.Version, &r.Title, &r.Slug, &r.Dek, &r.BodySrc, &r.Dateline, &r.Wire,
		&r.Correction, &r.Status, &r.Details, &r.UserName, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.CreatedAt = parseTime(created)
	return r, err
}

// Revisions lists an article's revisions, newest first.
func (as *ArticleStore) Revisions(ctx context.Context, articleID int64) ([]Revision, error) {
	return queryAll(ctx, as.s.R, scanRevision, "SELECT "+revisionCols+" WHERE r.article_id = ? ORDER BY r.id DESC", articleID)
}

// Revision returns one revision of an article, or ErrNotFound.
func (as *ArticleStore) Revision(ctx context.Context, articleID, revID int64) (Revision, error) {
	return scanRevision(as.s.R.QueryRowContext(ctx, "SELECT "+revisionCols+" WHERE r.article_id = ? AND r.id = ?", articleID, revID))
}

// Restore puts a revision's words back as a new save (itself a revision, so a restore
// can be undone). Status, photo, section and byline stay as they are now.
func (as *ArticleStore) Restore(ctx context.Context, now time.Time, articleID, revID int64, version int, by int64) (int, error) {
	rev, err := as.Revision(ctx, articleID, revID)
	if err != nil {
		return 0, err
	}
	cur, err := as.Get(ctx, articleID)
	if err != nil {
		return 0, err
	}
	in := cur.Input()
	in.Title, in.Slug, in.Dek, in.Body = rev.Title, rev.Slug, rev.Dek, rev.BodySrc
	in.Dateline, in.Wire, in.Correction = rev.Dateline, rev.Wire, rev.Correction
	in.EditorID = by
	return as.Update(ctx, now, articleID, version, in)
}
