package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// TxStore is a transaction-scoped store for bulk writers (the WordPress importer):
// the verbs they need, all inside one write transaction, applying the rules the
// newsroom's stores apply (slugs, sanitising, revisions, the search index), so an
// import is written whole or not at all and never drifts from those rules.
type TxStore struct {
	s   *Store
	tx  *sql.Tx
	now time.Time
}

// importCacheKiB is the page cache of the connection an InTx transaction runs on.
// Every page an import changes stays dirty until its one commit; with SQLite's
// default 2 MB cache those pages (the search index's, the comment and redirect
// indexes') were spilled to the WAL and read back again and again, so each 1,000
// items took longer than the last (measured: 1.7 s for the first 1,000 of 10,000
// posts, 11.5 s for the last; 24 minutes for 29,000 of 100,000, a 390 MB WAL).
// A cache that holds the import's working set keeps the time per item flat. It is
// a ceiling, not an allocation: the cache grows only as pages are touched.
const importCacheKiB = 1 << 20 // 1 GiB, as Bulk uses

// InTx runs fn with a store whose writes are one transaction, committed when fn
// returns nil and rolled back otherwise. now stamps every row written.
func (s *Store) InTx(ctx context.Context, now time.Time, fn func(*TxStore) error) error {
	var tx *sql.Tx
	if s.pg { // PostgreSQL's cache is the server's shared buffers: just the write transaction
		var err error
		if tx, err = s.beginWrite(ctx); err != nil {
			return err
		}
	} else {
		if err := s.turns.enter(ctx); err != nil {
			return err
		}
		defer s.leaveTurn()        // deferred first, so it runs after the connection is back
		conn, err := s.W.Conn(ctx) // the pragma and the transaction on the same connection
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", importCacheKiB)); err != nil {
			return err
		}
		// SQLite's default again, so the server's writes do not keep a gigabyte of pages.
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return err
		}
	}
	if err := fn(&TxStore{s: s, tx: tx, now: now}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// importTables names the table each kind in the import map points into.
var importTables = map[string]string{"author": "users", "post": "articles", "comment": "comments"}

// ImportedID looks up what an earlier import made of a thing from site (its kind
// "author", "post" or "comment" and its id there). done is true when an earlier run
// imported it; id is 0 when that row has since been deleted here, on purpose.
func (s *Store) ImportedID(ctx context.Context, site, kind, foreignID string) (id int64, done bool, err error) {
	return importedID(ctx, s.R, site, kind, foreignID)
}

// ImportedID is Store.ImportedID inside the transaction.
func (t *TxStore) ImportedID(ctx context.Context, site, kind, foreignID string) (id int64, done bool, err error) {
	return importedID(ctx, t.tx, site, kind, foreignID)
}

func importedID(ctx context.Context, q querier, site, kind, foreignID string) (id int64, done bool, err error) {
	table, ok := importTables[kind]
	if !ok {
		return 0, false, errors.New("unknown import kind " + kind)
	}
	var local int64
	var exists bool
	err = q.QueryRowContext(ctx, `SELECT m.local_id, EXISTS (SELECT 1 FROM `+table+` t WHERE t.id = m.local_id)
		FROM wp_imports m WHERE m.site = ? AND m.kind = ? AND m.wp_id = ?`, site, kind, foreignID).Scan(&local, &exists)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil || !exists {
		return 0, err == nil, err
	}
	return local, true, nil
}

// MarkImported records in the import map that the thing became row localID here.
func (t *TxStore) MarkImported(ctx context.Context, site, kind, foreignID string, localID int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO wp_imports (site, kind, wp_id, local_id, imported_at) VALUES (?, ?, ?, ?, ?)`,
		site, kind, foreignID, localID, fmtTime(t.now))
	return err
}

// UserIDByEmail returns the id of the account with this email, or ErrNotFound.
func (t *TxStore) UserIDByEmail(ctx context.Context, email string) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, "SELECT id FROM users WHERE email = ?", email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// CreateImportedUser adds an account through the rules every account follows
// (profileErrors, insertUser) but without a password: it cannot log in until an
// administrator sets one. A bad or taken email or name is a ValidationError on that field.
func (t *TxStore) CreateImportedUser(ctx context.Context, n NewUser) (int64, error) {
	n.Password = ""
	if v := n.profileErrors(); len(v) > 0 {
		return 0, v
	}
	return insertUser(ctx, t.tx, t.now, n, "")
}

// SectionIDBySlug returns the id of the section with this slug, or ErrNotFound.
func (t *TxStore) SectionIDBySlug(ctx context.Context, slug string) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, "SELECT id FROM sections WHERE slug = ?", slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// SectionNameTaken says whether a section has this name (names are unique).
func (t *TxStore) SectionNameTaken(ctx context.Context, name string) (bool, error) {
	var taken bool
	err := t.tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM sections WHERE name = ?)", name).Scan(&taken)
	return taken, err
}

// CreateSection adds a section as the newsroom's form does (insertSection), but
// with the slug the caller chose (an import keeps the old site's).
func (t *TxStore) CreateSection(ctx context.Context, name, slug string) (int64, error) {
	sec, err := insertSection(ctx, t.tx, name, slug, "")
	return sec.ID, err
}

// Tag returns the id of the tag called name, creating it as the article form does;
// created says whether it is new. id 0: the name has no letter or digit.
func (t *TxStore) Tag(ctx context.Context, name string) (id int64, created bool, err error) {
	return tagTx(ctx, t.tx, name)
}

// FreeArticleSlug returns base, or base-2, base-3 … whichever no article uses or used.
func (t *TxStore) FreeArticleSlug(ctx context.Context, base string) (string, error) {
	return freeSlug(ctx, base, articleSlugTaken(t.tx))
}

// CreateImportedArticle saves a story whose body is HTML from another system (not
// Markdown): the body is sanitised with the article policy, and the story gets its
// first revision as one written here does. It is filed under tagIDs (made by Tag)
// besides in.Tags. in must have passed Validate.
func (t *TxStore) CreateImportedArticle(ctx context.Context, in ArticleInput, bodyHTML string, tagIDs ...int64) (int64, template.HTML, error) {
	return t.createArticle(ctx, in, t.s.San.ImportedArticleHTML(bodyHTML), tagIDs)
}

// CreateArticle saves a story whose body is Markdown (one exported from a
// Broadsheet), rendered as the newsroom's form renders it, filed under tagIDs besides
// in.Tags. in must have passed Validate.
func (t *TxStore) CreateArticle(ctx context.Context, in ArticleInput, tagIDs ...int64) (int64, template.HTML, error) {
	html, err := t.s.San.ArticleHTML(in.Body)
	if err != nil {
		return 0, "", err
	}
	return t.createArticle(ctx, in, html, tagIDs)
}

func (t *TxStore) createArticle(ctx context.Context, in ArticleInput, html template.HTML, tagIDs []int64) (int64, template.HTML, error) {
	id, err := insertArticle(ctx, t.tx, t.now, in, html, tagIDs...)
	if err != nil {
		return 0, "", err
	}
	return id, html, afterSave(ctx, t.tx, t.now, id, 1, "", in)
}

// AddOldSlug makes /articles/OLD redirect to the article, as a renamed article's
// old slug does; a slug that is not one, or that a story uses or already redirects, is left alone.
func (t *TxStore) AddOldSlug(ctx context.Context, old string, articleID int64) error {
	if old == "" || Slugify(old) != old {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO slug_redirects (old_slug, article_id)
		SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM articles WHERE slug = ?) ON CONFLICT DO NOTHING`, old, articleID, old)
	return err
}

// SetImportedImageURL keeps the old address of a featured image that was not brought in.
func (t *TxStore) SetImportedImageURL(ctx context.Context, articleID int64, url string) error {
	_, err := t.tx.ExecContext(ctx, "UPDATE articles SET imported_image_url = ? WHERE id = ?", url, articleID)
	return err
}

// AddOldAddress makes oldPath (decoded; a trailing slash does not matter) answer
// with a redirect to the article; added is false when the path already had one.
func (t *TxStore) AddOldAddress(ctx context.Context, oldPath string, articleID int64) (added bool, err error) {
	res, err := t.tx.ExecContext(ctx, "INSERT INTO wp_redirects (old_path, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING", oldPathKey(oldPath), articleID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// AddOldTermAddress makes the old address of a category, tag or author page
// redirect to our section, tag or author page (kind "section", "tag" or "author").
func (t *TxStore) AddOldTermAddress(ctx context.Context, oldPath, kind string, localID int64) error {
	_, err := t.tx.ExecContext(ctx, "INSERT INTO wp_term_redirects (old_path, kind, local_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		oldPathKey(oldPath), kind, localID)
	return err
}

// ImportedComment is a comment from another system, with its history kept.
type ImportedComment struct {
	ArticleID, ParentID, UserID     int64 // ParentID 0: top level; UserID 0: a guest
	GuestName, GuestEmail, GuestURL string
	Source                          string // as the other system stored it
	Text                            string // what CommentHTML reads: paragraphs at blank lines
	Status                          string // approved, pending or spam
	IP                              string // stored as its network's keyed hash, like a posted comment's
	CreatedAt                       time.Time
}

// ImportComment saves a comment as it was, through the rules every comment's text
// and signature follow (readyBody, validGuestName, insertComment) but without the
// moderation a new comment goes through: it was moderated where it was written, so
// it keeps its status, time and place in its thread (at any depth). A text or guest
// name those rules refuse is a ValidationError, and nothing is written.
func (t *TxStore) ImportComment(ctx context.Context, c ImportedComment) (int64, error) {
	body, msg := t.s.readyBody(c.Text)
	if msg != "" {
		return 0, ValidationError{"body": msg}
	}
	row := commentRow{articleID: c.ArticleID, src: c.Source, html: body.html, status: c.Status, createdAt: c.CreatedAt}
	if c.ParentID != 0 {
		row.parent = c.ParentID
	}
	if c.UserID != 0 {
		row.user = c.UserID
	} else if !validGuestName(c.GuestName) {
		return 0, ValidationError{"name": guestNameRule}
	} else {
		row.guestName, row.guestEmail, row.gURL = c.GuestName, c.GuestEmail, c.GuestURL
	}
	return insertComment(ctx, t.tx, row, t.s.addr.network(c.IP))
}

// oldPathKey normalises a decoded URL path: no trailing slash, and "" for the root.
func oldPathKey(p string) string { return strings.TrimRight(p, "/") }

// OldPermalink returns the current slug of the visible imported article that once
// lived at oldPath on WordPress ("/2019/05/03/sea-wall/" or "/?p=12"), or ErrNotFound.
func (as *ArticleStore) OldPermalink(ctx context.Context, now time.Time, oldPath string) (string, error) {
	key := oldPathKey(oldPath)
	if key == "" || len(key) > 2048 {
		return "", ErrNotFound
	}
	return as.liveSlug(ctx, `SELECT a.slug FROM wp_redirects r JOIN articles a ON a.id = r.article_id
		WHERE r.old_path = ? AND `+visible, key, now)
}

// OldTerm returns what an imported category, tag or author page at oldPath
// ("/category/world/", "/tag/climate") is now: kind "section", "tag" or "author"
// and the current slug, or ErrNotFound.
func (s *Store) OldTerm(ctx context.Context, oldPath string) (kind, slug string, err error) {
	key := oldPathKey(oldPath)
	if key == "" || len(key) > 2048 {
		return "", "", ErrNotFound
	}
	err = s.R.QueryRowContext(ctx, `SELECT r.kind, coalesce(
			CASE r.kind WHEN 'section' THEN (SELECT slug FROM sections WHERE id = r.local_id)
			            WHEN 'tag' THEN (SELECT slug FROM tags WHERE id = r.local_id)
			            ELSE (SELECT slug FROM users WHERE id = r.local_id) END, '')
		FROM wp_term_redirects r WHERE r.old_path = ?`, key).Scan(&kind, &slug)
	if errors.Is(err, sql.ErrNoRows) || err == nil && slug == "" {
		return "", "", ErrNotFound
	}
	return kind, slug, err
}
