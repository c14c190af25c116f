package models

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
)

// The export readers hand the whole site out one row at a time, oldest id first, so
// an exporter writes a site of any size in bounded memory. They all read one
// snapshot: a story published or a comment posted while an export runs is either
// wholly in it or wholly out of it, and never a reply without its parent.

// The json names below are the documented format of `broadsheet export json` (README).

// ExportedUser is an account as an export carries it (never its password or sessions).
type ExportedUser struct {
	ID          int64     `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Bio         string    `json:"bio,omitempty"`
	Role        string    `json:"role"`
	Blocked     bool      `json:"blocked,omitempty"`
	Deactivated bool      `json:"deactivated,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// ExportedSection is a section with its place in the navigation.
type ExportedSection struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description,omitempty"`
	Position    int    `json:"position"`
}

// ExportedTag is a tag.
type ExportedTag struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// ExportedArticle is a story with its Markdown source and the HTML readers see.
type ExportedArticle struct {
	ID           int64     `json:"id"`
	Title        string    `json:"title"`
	Slug         string    `json:"slug"`
	Dek          string    `json:"dek,omitempty"`
	BodySrc      string    `json:"body_source"`
	BodyFormat   string    `json:"body_format"` // BodySrc is "markdown", or "html" from an import (see Articles)
	BodyHTML     string    `json:"body_html"`
	Dateline     string    `json:"dateline,omitempty"`
	Wire         string    `json:"wire,omitempty"`
	Correction   string    `json:"correction,omitempty"`
	SectionID    int64     `json:"section_id"`
	AuthorIDs    []int64   `json:"author_ids"` // byline order
	TagIDs       []int64   `json:"tag_ids"`
	Status       string    `json:"status"`
	PublishedAt  time.Time `json:"published_at,omitzero"` // absent when never set
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	ModifiedAt   time.Time `json:"modified_at"`
	CommentsOpen bool      `json:"comments_open"`
	Photo        *Media    `json:"-"`                    // the lead photo, or nil; the JSON carries PhotoFile
	PhotoFile    string    `json:"photo_file,omitempty"` // its file under uploads/ of the data folder
	ImageAlt     string    `json:"image_alt,omitempty"`
	ImageCaption string    `json:"image_caption,omitempty"`
	ImageCredit  string    `json:"image_credit,omitempty"`
	OldSlugs     []string  `json:"old_slugs,omitempty"`     // earlier slugs, which redirect here
	OldAddresses []string  `json:"old_addresses,omitempty"` // paths of an earlier site (WordPress), which redirect here
}

// ExportedComment is a comment with its place in its thread.
type ExportedComment struct {
	ID         int64     `json:"id"`
	ArticleID  int64     `json:"article_id"`
	ParentID   int64     `json:"parent_id,omitempty"` // absent: top level
	UserID     int64     `json:"user_id,omitempty"`   // absent: a guest
	GuestName  string    `json:"guest_name,omitempty"`
	GuestEmail string    `json:"guest_email,omitempty"`
	GuestURL   string    `json:"guest_url,omitempty"`
	BodySrc    string    `json:"body_source"`
	BodyHTML   string    `json:"body_html"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	EditedAt   time.Time `json:"edited_at,omitzero"`
}

// Snapshot reads one consistent state of the site for an export.
type Snapshot struct {
	s     *Store
	conns []*sql.Conn // conns[d] runs the queries nested d deep (see conn)
	depth int         // how many each loops are under way
	id    string      // PostgreSQL's name for the snapshot, which nested connections join
	san   *Sanitizer
}

// Export runs fn over a snapshot of the site. It holds one reader connection in a
// read transaction: writers go on (WAL), and fn sees none of their changes.
func (s *Store) Export(ctx context.Context, fn func(*Snapshot) error) error {
	x := &Snapshot{s: s, san: s.San}
	defer x.close(ctx)
	if _, err := x.open(ctx); err != nil {
		return err
	}
	if s.pg {
		if err := x.conns[0].QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&x.id); err != nil {
			return err
		}
	}
	return fn(x)
}

// open starts one more connection in the snapshot's read transaction.
func (x *Snapshot) open(ctx context.Context) (*sql.Conn, error) {
	conn, err := x.s.R.Conn(ctx)
	if err != nil {
		return nil, err
	}
	x.conns = append(x.conns, conn)
	// BEGIN DEFERRED by hand: the reader pool's DSN asks for immediate transactions,
	// which take the write lock a read-only connection cannot have. PostgreSQL's
	// snapshot for the whole transaction is REPEATABLE READ.
	if _, err := conn.ExecContext(ctx, x.s.dialect("BEGIN DEFERRED", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")); err != nil {
		return nil, err
	}
	if x.id != "" {
		if _, err := conn.ExecContext(ctx, "SET TRANSACTION SNAPSHOT '"+strings.ReplaceAll(x.id, "'", "")+"'"); err != nil {
			return nil, err
		}
	}
	return conn, nil
}

func (x *Snapshot) close(ctx context.Context) {
	for _, c := range x.conns {
		c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		c.Close()
	}
}

// conn is the connection for a query at the current depth. SQLite runs a query while
// another's rows are still being read on one connection; PostgreSQL runs one query at a
// time per connection, so a query nested in another's loop (a story's comments while
// the stories are read) runs on a further connection that joins the same snapshot.
func (x *Snapshot) conn(ctx context.Context) (*sql.Conn, error) {
	if !x.s.pg {
		return x.conns[0], nil
	}
	for len(x.conns) <= x.depth {
		if _, err := x.open(ctx); err != nil {
			return nil, err
		}
	}
	return x.conns[x.depth], nil
}

// each runs query and hands every row to scan.
func (x *Snapshot) each(ctx context.Context, scan func(scanner) error, query string, args ...any) error {
	conn, err := x.conn(ctx)
	if err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	x.depth++
	defer func() { x.depth-- }()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Users hands out every account.
func (x *Snapshot) Users(ctx context.Context, fn func(ExportedUser) error) error {
	return x.each(ctx, func(sc scanner) error {
		var u ExportedUser
		var created string
		if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Slug, &u.Bio, &u.Role, &u.Blocked, &u.Deactivated, &created); err != nil {
			return err
		}
		u.CreatedAt = parseTime(created)
		return fn(u)
	}, "SELECT id, email, name, slug, bio, role, blocked, deactivated, created_at FROM users ORDER BY id")
}

// Sections hands out every section.
func (x *Snapshot) Sections(ctx context.Context, fn func(ExportedSection) error) error {
	return x.each(ctx, func(sc scanner) error {
		var s ExportedSection
		if err := sc.Scan(&s.ID, &s.Name, &s.Slug, &s.Description, &s.Position); err != nil {
			return err
		}
		return fn(s)
	}, "SELECT id, name, slug, description, position FROM sections ORDER BY id")
}

// Tags hands out every tag.
func (x *Snapshot) Tags(ctx context.Context, fn func(ExportedTag) error) error {
	return x.each(ctx, func(sc scanner) error {
		var t ExportedTag
		if err := sc.Scan(&t.ID, &t.Name, &t.Slug); err != nil {
			return err
		}
		return fn(t)
	}, "SELECT id, name, slug FROM tags ORDER BY id")
}

// Articles hands out every story, whatever its status, with the format of its
// source. Lists of ids and slugs ride along as string_agg columns, so a story is
// one row, not five queries.
func (x *Snapshot) Articles(ctx context.Context, fn func(ExportedArticle) error) error {
	return x.each(ctx, func(sc scanner) error {
		var a ExportedArticle
		var published, updated sql.NullString
		var created, modified, authors, tags, oldSlugs, oldPaths string
		var mediaID sql.NullInt64
		var m Media
		var sizes string
		if err := sc.Scan(&a.ID, &a.Title, &a.Slug, &a.Dek, &a.BodySrc, &a.BodyHTML, &a.Dateline, &a.Wire, &a.Correction,
			&a.SectionID, &a.Status, &published, &updated, &created, &modified, &a.CommentsOpen,
			&a.ImageAlt, &a.ImageCaption, &a.ImageCredit, &mediaID, &m.Hash, &m.Ext, &m.Width, &m.Height, &sizes,
			&authors, &tags, &oldSlugs, &oldPaths); err != nil {
			return err
		}
		a.PublishedAt, a.UpdatedAt = parseNullTime(published), parseNullTime(updated)
		a.CreatedAt, a.ModifiedAt = parseTime(created), parseTime(modified)
		if mediaID.Valid {
			m.ID, m.Sizes, m.Alt, m.Caption, m.Credit = mediaID.Int64, parseSizes(sizes), a.ImageAlt, a.ImageCaption, a.ImageCredit
			a.Photo = &m
			a.PhotoFile = m.Hash + "." + m.Ext
		}
		a.AuthorIDs, a.TagIDs = splitIDs(authors), splitIDs(tags)
		// A story imported from WordPress keeps the HTML it came with as its source
		// until an editor saves it; only a source that renders to what readers see
		// is Markdown, and anything else must travel as the HTML it is.
		a.BodyFormat = "html"
		if html, err := x.san.ArticleHTML(a.BodySrc); err == nil && string(html) == a.BodyHTML {
			a.BodyFormat = "markdown"
		}
		a.OldSlugs, a.OldAddresses = splitList(oldSlugs), splitList(oldPaths)
		return fn(a)
	}, `SELECT a.id, a.title, a.slug, a.dek, a.body_src, a.body_html, a.dateline, a.wire, a.correction,
		a.section_id, a.status, a.published_at, a.updated_at, a.created_at, a.modified_at, a.comments_open,
		a.image_alt, a.image_caption, a.image_credit, a.media_id,
		coalesce(m.hash, ''), coalesce(m.ext, ''), coalesce(m.width, 0), coalesce(m.height, 0), coalesce(m.sizes, ''),
		coalesce((SELECT string_agg(CAST(user_id AS TEXT), ',' ORDER BY position, user_id) FROM article_authors WHERE article_id = a.id), ''),
		coalesce((SELECT string_agg(CAST(tag_id AS TEXT), ',' ORDER BY tag_id) FROM article_tags WHERE article_id = a.id), ''),
		coalesce((SELECT string_agg(old_slug, ? ORDER BY old_slug) FROM slug_redirects WHERE article_id = a.id), ''),
		coalesce((SELECT string_agg(old_path, ? ORDER BY old_path) FROM wp_redirects WHERE article_id = a.id), '')
		FROM articles a LEFT JOIN media m ON m.id = a.media_id ORDER BY a.id`, "\n", "\n")
}

const exportCommentColumns = `SELECT id, article_id, coalesce(parent_id, 0), coalesce(user_id, 0), guest_name, guest_email, guest_url,
	body_src, body_html, status, created_at, edited_at FROM comments`

// Comments hands out every comment of the site (articleID 0) or of one story,
// parents before their replies.
func (x *Snapshot) Comments(ctx context.Context, articleID int64, fn func(ExportedComment) error) error {
	scan := func(sc scanner) error {
		var c ExportedComment
		var created string
		var edited sql.NullString
		if err := sc.Scan(&c.ID, &c.ArticleID, &c.ParentID, &c.UserID, &c.GuestName, &c.GuestEmail, &c.GuestURL,
			&c.BodySrc, &c.BodyHTML, &c.Status, &created, &edited); err != nil {
			return err
		}
		c.CreatedAt, c.EditedAt = parseTime(created), parseNullTime(edited)
		return fn(c)
	}
	// A reply is always written after its parent, so id order puts parents first.
	if articleID == 0 {
		return x.each(ctx, scan, exportCommentColumns+" ORDER BY id")
	}
	return x.each(ctx, scan, exportCommentColumns+" WHERE article_id = ? ORDER BY id", articleID)
}

func splitIDs(s string) []int64 {
	var ids []int64
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// MaxArticleID is the highest story id (0 in an empty site), for an export that must
// number other things apart from stories.
func (x *Snapshot) MaxArticleID(ctx context.Context) (int64, error) {
	var id int64
	conn, err := x.conn(ctx)
	if err != nil {
		return 0, err
	}
	err = conn.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM articles").Scan(&id)
	return id, err
}
