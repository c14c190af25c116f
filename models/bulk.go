package models

import (
	"context"
	"database/sql"
	"errors"
	"html/template"
	"strconv"
	"strings"
	"time"
)

// Bulk is the fast path for filling a large archive (`broadsheet generate`): many rows
// per transaction through statements prepared once, where the store's verbs spend one
// transaction, and several statements, per story or comment. A million stories through
// the verbs would take hours; through Bulk they take minutes.
//
// It stays right because it writes the very rows the verbs write, and everything
// derived from them is kept by the database itself: bodies are validated and sanitised
// by the same code (ReadyArticle, ReadyComment), and the full-text index, the live_at
// columns and live counts, and the cache versions are all maintained by triggers on
// the tables written here, not by Go code that Bulk could skip.
//
// What it leaves out on purpose: revisions and audit entries (a generated story has no
// editing history), the comment rules that judge a person (flood, repeats, first-time
// hold: a generated comment is given its status), and passwords (generated accounts
// have none, so nobody can log in as them).
type Bulk struct {
	s     *Store
	tx    *sql.Tx
	stmts map[string]*sql.Stmt // prepared once on the writer connection, bound to each transaction
	rows  int                  // rows written in the open transaction
	// due holds the stories of the open transaction that are written as drafts and
	// given their status just before it commits, by that status (see Article).
	due map[string][]any
}

// BulkBatch is how many rows one transaction of a Bulk holds before it commits.
const BulkBatch = 20000

var bulkSQL = map[string]string{
	"user": `INSERT INTO users (email, name, slug, bio, role, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
	"article": `INSERT INTO articles (title, slug, dek, body_src, body_html, dateline, wire,
		section_id, media_id, image_alt, image_caption, image_credit, status, published_at, updated_at,
		correction, comments_open, created_at, modified_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?) RETURNING id`,
	"author":  `INSERT INTO article_authors (article_id, user_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
	"tag":     `INSERT INTO tags (name, slug) VALUES (?, ?) ON CONFLICT DO NOTHING`,
	"tagLink": `INSERT INTO article_tags (article_id, tag_id) SELECT ?, id FROM tags WHERE slug = ? ON CONFLICT DO NOTHING`,
	"comment": `INSERT INTO comments (article_id, parent_id, user_id, body_src, body_html, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
}

// DefaultBulkCache is the page cache a bulk load gets unless told otherwise.
const DefaultBulkCache = 1 << 30

// Bulk opens a bulk writer whose SQLite page cache holds up to cacheBytes (0: the
// default). Call Close when done: it commits what is left.
func (s *Store) Bulk(ctx context.Context, cacheBytes int64) (*Bulk, error) {
	b := &Bulk{s: s, stmts: map[string]*sql.Stmt{}, due: map[string][]any{}}
	// The default 2 MB page cache makes every insert re-read index pages (the search
	// index's above all) from the OS; a bulk load wants its working set in memory, and
	// once the database outgrows the cache the load slows to the speed of those reads.
	// (PostgreSQL's cache is the server's shared buffers.)
	if cacheBytes <= 0 {
		cacheBytes = DefaultBulkCache
	}
	if !s.pg {
		// A negative cache_size is in KiB.
		if _, err := s.W.ExecContext(ctx, "PRAGMA cache_size = "+strconv.FormatInt(-cacheBytes>>10, 10)); err != nil {
			return nil, err
		}
	}
	for name, q := range bulkSQL {
		st, err := s.W.PrepareContext(ctx, q)
		if err != nil {
			b.closeStmts()
			return nil, err
		}
		b.stmts[name] = st
	}
	return b, nil
}

func (b *Bulk) closeStmts() {
	for _, st := range b.stmts {
		st.Close()
	}
}

// exec runs the named statement in the open transaction (opening one if needed),
// committing every BulkBatch rows so that one transaction never grows without bound.
// It returns the new row's id for the statements that end RETURNING id, else 0.
func (b *Bulk) exec(ctx context.Context, name string, args ...any) (int64, error) {
	if b.tx == nil {
		tx, err := b.s.beginWrite(ctx)
		if err != nil {
			return 0, err
		}
		b.tx = tx
	}
	st := b.tx.StmtContext(ctx, b.stmts[name])
	var id int64
	var err error
	if strings.HasSuffix(bulkSQL[name], "RETURNING id") {
		err = st.QueryRowContext(ctx, args...).Scan(&id)
	} else {
		_, err = st.ExecContext(ctx, args...)
	}
	if err != nil {
		return 0, err
	}
	b.rows++
	return id, nil
}

// CommitIfFull commits once the open transaction holds BulkBatch rows. Callers call it
// between whole stories (a story with its comments), so a crash never leaves half of one.
func (b *Bulk) CommitIfFull(ctx context.Context) error {
	if b.tx == nil || b.rows < BulkBatch {
		return nil
	}
	return b.commit(ctx)
}

func (b *Bulk) commit(ctx context.Context) error {
	if b.tx == nil {
		return nil
	}
	err := b.giveStatuses(ctx)
	if err == nil {
		err = b.tx.Commit()
	} else {
		b.tx.Rollback()
	}
	b.tx, b.rows = nil, 0
	clear(b.due)
	return err
}

// giveStatuses sets the status of the transaction's stories, a thousand at a time in
// one statement per status. SQLite's full-text index flushes what it has gathered in
// memory into a new segment of the index at the start of every statement that writes,
// and merges segments as they pile up; a statement per story made a segment per story,
// and merging them was most of the time a large archive took. One statement for many
// stories indexes them all in one segment.
func (b *Bulk) giveStatuses(ctx context.Context) error {
	for status, ids := range b.due {
		for len(ids) > 0 {
			n := min(len(ids), 1000)
			args := append([]any{status}, ids[:n]...)
			q := `UPDATE articles SET status = ? WHERE id IN (` + placeholders(n) + `)`
			if _, err := b.tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			ids = ids[n:]
		}
	}
	return nil
}

// Close commits what is left, releases the statements and gathers the query
// planner's statistics of every table, which a large import makes stale or leaves
// missing (the site's first start would otherwise gather them: optimizeEveryTable).
func (b *Bulk) Close(ctx context.Context) error {
	err := b.commit(ctx)
	b.closeStmts()
	if err != nil {
		return err
	}
	if b.s.pg {
		return nil // autovacuum gathers PostgreSQL's statistics
	}
	if _, err := b.s.W.ExecContext(ctx, "PRAGMA cache_size = -2000"); err != nil { // SQLite's default again
		return err
	}
	_, err = b.s.exec(ctx, optimizeEveryTable) // in its turn, as Optimize writes
	return err
}

// BulkUser is a generated account: no password, so it cannot log in.
type BulkUser struct {
	Email, Name, Bio, Role string
	CreatedAt              time.Time
}

// User adds an account.
func (b *Bulk) User(ctx context.Context, u BulkUser) (int64, error) {
	id, err := b.exec(ctx, "user", u.Email, u.Name, Slugify(u.Name), u.Bio, u.Role, fmtTime(u.CreatedAt))
	if isUnique(err) {
		return 0, ValidationError{"email": "An account with this email or name exists already."}
	}
	return id, err
}

// ReadyArticle is a story validated and rendered, waiting to be written by Bulk.Article.
type ReadyArticle struct {
	in   ArticleInput
	html template.HTML
}

// Ready validates and renders a story for Bulk.Article. Rendering is most of the cost
// of a story, and Ready is safe on any goroutine, so callers can spread it over cores.
func (as *ArticleStore) Ready(in ArticleInput) (ReadyArticle, error) {
	html, err := as.prepare(&in)
	return ReadyArticle{in, html}, err
}

// Article adds a story with its authors and tags (tags are created on first use).
//
// The story is written as a draft and given its status when the transaction commits
// (giveStatuses): the search triggers re-index a live story on every author and tag
// linked to it, each time tokenising the whole body twice (out of the index, back in),
// while a draft is not indexed at all. So the story is indexed once, by the same
// triggers, when its status is set.
func (b *Bulk) Article(ctx context.Context, now time.Time, r ReadyArticle) (int64, error) {
	in := r.in
	id, err := b.exec(ctx, "article", in.Title, in.Slug, in.Dek, in.Body, string(r.html), in.Dateline, in.Wire,
		in.SectionID, sql.NullInt64{Int64: in.MediaID, Valid: in.MediaID != 0},
		in.ImageAlt, in.ImageCaption, in.ImageCredit, nullTime(in.PublishedAt), nullTime(in.UpdatedAt),
		in.Correction, in.CommentsOpen, fmtTime(now), fmtTime(now))
	if isUnique(err) {
		return 0, ValidationError{"slug": "Another article already uses this slug."}
	}
	if err != nil {
		return 0, err
	}
	for i, uid := range in.AuthorIDs {
		if _, err := b.exec(ctx, "author", id, uid, i); err != nil {
			return 0, err
		}
	}
	for _, name := range in.Tags {
		name = strings.TrimSpace(name)
		slug := Slugify(name)
		if slug == "" {
			continue
		}
		if _, err := b.exec(ctx, "tag", name, slug); err != nil {
			return 0, err
		}
		if _, err := b.exec(ctx, "tagLink", id, slug); err != nil {
			return 0, err
		}
	}
	if in.Status != StatusDraft {
		b.due[in.Status] = append(b.due[in.Status], id)
	}
	return id, nil
}

// ReadyComment is a comment body validated and sanitised, reusable for many comments.
type ReadyComment struct {
	src  string
	html template.HTML
}

// ReadyComment validates and sanitises a comment body with the rules Post applies.
func (s *Store) ReadyComment(body string) (ReadyComment, error) {
	rc, msg := s.readyBody(body)
	if msg != "" {
		return ReadyComment{}, ValidationError{"body": msg}
	}
	return rc, nil
}

// BulkComment is a generated comment. ParentID 0 starts a thread; the caller keeps
// replies within the site's reply depth, as Post would.
type BulkComment struct {
	ArticleID, ParentID, UserID int64
	Body                        ReadyComment
	Status                      string
	CreatedAt                   time.Time
}

// Comment adds a comment.
func (b *Bulk) Comment(ctx context.Context, c BulkComment) (int64, error) {
	if c.Body.html == "" {
		return 0, errors.New("bulk comment: body not made by ReadyComment")
	}
	return b.exec(ctx, "comment", c.ArticleID, sql.NullInt64{Int64: c.ParentID, Valid: c.ParentID != 0},
		sql.NullInt64{Int64: c.UserID, Valid: c.UserID != 0}, c.Body.src, string(c.Body.html), c.Status, fmtTime(c.CreatedAt))
}
