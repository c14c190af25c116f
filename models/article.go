package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// Article statuses.
const (
	StatusDraft       = "draft"
	StatusReview      = "review"
	StatusScheduled   = "scheduled"
	StatusPublished   = "published"
	StatusUnpublished = "unpublished"
)

// Article is a story as readers and editors see it. A story read for a list is a card
// (cardCols): its BodySrc and BodyHTML are empty.
type Article struct {
	ID           int64
	Title        string
	Slug         string
	Dek          string
	BodySrc      string
	BodyHTML     template.HTML // sanitised by Sanitizer.ArticleHTML; never built elsewhere
	Dateline     string
	Wire         string
	Section      Section
	Image        *Image // nil when the story has no lead photo
	Status       string
	PublishedAt  time.Time
	UpdatedAt    time.Time // zero unless the story was updated after publication
	Correction   string
	CommentsOpen bool
	Version      int
	CreatedAt    time.Time
	ModifiedAt   time.Time
	Authors      []Author
	Tags         []Tag
	CommentCount int // approved comments
}

// Author is the byline view of a user.
type Author struct {
	ID   int64
	Name string
	Slug string
	Bio  string
}

// Image is one use of a photo: the file plus the words that go with it here.
type Image struct {
	Media
	Alt     string
	Caption string
	Credit  string
}

// CreditLine is the photo's credit as readers see it after the caption: "(Photo: AFP)".
// A credit that already says what it is ("Illustration: …", "Photo: …") keeps its word.
func (im Image) CreditLine() string {
	c := strings.Trim(strings.TrimSpace(im.Credit), "()")
	if c == "" {
		return ""
	}
	if word, _, ok := strings.Cut(c, ":"); !ok || strings.ContainsRune(word, ' ') {
		c = "Photo: " + c
	}
	return "(" + c + ")"
}

// LiveAt reports whether readers can see the story at now. It is the Go twin of the
// SQL rule `visible` below; the model tests check that the two agree.
func (a Article) LiveAt(now time.Time) bool {
	return (a.Status == StatusPublished || a.Status == StatusScheduled) && !a.PublishedAt.IsZero() && !a.PublishedAt.After(now)
}

// StatusAt is the status as the newsroom should read it at now: a scheduled story
// whose time has come is published (it went live by itself).
func (a Article) StatusAt(now time.Time) string {
	if a.Status == StatusScheduled && a.LiveAt(now) {
		return StatusPublished
	}
	return a.Status
}

// ArticleStore reads and writes articles.
type ArticleStore struct{ s *Store }

// visible is the reader rule: published, or scheduled and its time has come.
// A scheduled story therefore appears by itself, with no job to flip it.
const visible = `a.status IN ('published', 'scheduled') AND a.published_at <= ?`

// articleCols are the columns scanArticle reads: a whole story, to show it on its own
// page or in a feed.
const articleCols = `a.id, a.title, a.slug, a.dek, a.body_src, a.body_html,` + articleRest

// cardCols are articleCols for a story shown as a card in a list (front page, section,
// tag, writer, search, related, the widgets): everything but the body, which a card
// never shows and which is most of a story's bytes. Its BodySrc and BodyHTML are empty.
const cardCols = `a.id, a.title, a.slug, a.dek, '', '',` + articleRest

const articleRest = ` a.dateline, a.wire,
	a.status, a.published_at, a.updated_at, a.correction, a.comments_open, a.version, a.created_at, a.modified_at,
	s.id, s.name, s.slug, s.description, s.position,
	a.image_alt, a.image_caption, a.image_credit,
	m.id, m.hash, m.ext, m.width, m.height, m.sizes,
	coalesce((SELECT d.approved FROM discussions d WHERE d.article_id = a.id), 0)` // kept by triggers (0006)

const articleFrom = ` FROM articles a` + articleJoins

// articleJoins brings in a story's section and photo.
const articleJoins = `
	JOIN sections s ON s.id = a.section_id
	LEFT JOIN media m ON m.id = a.media_id`

func scanArticle(sc scanner, extra ...any) (Article, error) {
	var a Article
	var pub, upd sql.NullString
	var created, modified string
	var alt, caption, credit string
	var mID, mW, mH sql.NullInt64
	var mHash, mExt, mSizes sql.NullString
	// The body scans as the string it is and the counts through intCol, as scanComment's.
	dest := make([]any, 0, 31+len(extra))
	dest = append(dest, intCol[int64]{&a.ID}, &a.Title, &a.Slug, &a.Dek, &a.BodySrc, (*string)(&a.BodyHTML), &a.Dateline, &a.Wire,
		&a.Status, &pub, &upd, &a.Correction, &a.CommentsOpen, intCol[int]{&a.Version}, &created, &modified,
		intCol[int64]{&a.Section.ID}, &a.Section.Name, &a.Section.Slug, &a.Section.Description, intCol[int]{&a.Section.Position},
		&alt, &caption, &credit,
		&mID, &mHash, &mExt, &mW, &mH, &mSizes, intCol[int]{&a.CommentCount})
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return a, err
	}
	a.PublishedAt, a.UpdatedAt = parseNullTime(pub), parseNullTime(upd)
	a.CreatedAt, a.ModifiedAt = parseTime(created), parseTime(modified)
	if mID.Valid {
		a.Image = &Image{
			Media: Media{ID: mID.Int64, Hash: mHash.String, Ext: mExt.String, Width: int(mW.Int64),
				Height: int(mH.Int64), Sizes: parseSizes(mSizes.String)},
			Alt: alt, Caption: caption, Credit: credit,
		}
	}
	return a, nil
}

// Filter narrows a list of published articles. Zero fields do not filter.
type Filter struct {
	SectionID int64
	TagID     int64
	AuthorID  int64
}

// Published lists visible articles, newest first, one page at a time, as cards
// (cardCols: no bodies).
//
// Its cost does not grow with the archive: the page's ids come from a partial index
// of live stories alone, only that page's rows are read, and the total is a count kept
// by triggers (migration 0007). A page asked for by number skips the index entries
// before it (OFFSET), which grows with the number; a page that follows a story
// (p.After, the "Older" link) or comes before one (p.Before, "Newer") starts at that
// story's place in the index instead, at the same cost however deep it is.
func (as *ArticleStore) Published(ctx context.Context, now time.Time, f Filter, p Page) (Paged[Article], error) {
	l, t := listingFor(f), fmtTime(now)
	var out Paged[Article]
	if err := as.s.R.QueryRowContext(ctx, l.total, append([]any{t}, l.args...)...).Scan(&out.Total); err != nil {
		return out, err
	}
	out.setPage(p)
	var err error
	out.Items, err = as.page(ctx, l, t, p, cardCols)
	return out, err
}

// Feed lists the newest n visible articles whole, bodies and all, for a feed. A feed
// has no pager, so it reads no count.
func (as *ArticleStore) Feed(ctx context.Context, now time.Time, f Filter, n int) ([]Article, error) {
	return as.page(ctx, listingFor(f), fmtTime(now), Page{Number: 1, Size: n}, articleCols)
}

// page reads the stories of page p of the list l at time t (as fmtTime writes it),
// each story as cols.
func (as *ArticleStore) page(ctx context.Context, l listing, t string, p Page, cols string) ([]Article, error) {
	ids, args := l.byNumber(), append(append([]any{t}, l.args...), p.limit(), p.offset())
	id := p.After
	if id == 0 {
		id = p.Before
	}
	if id != 0 {
		// The story's publication time is its place in every list's index (a link
		// table's live_at copies it). Only a story readers can see has a place: any
		// other id reads the page by its number, as an unknown one does, so a link
		// tells nothing about drafts or scheduled stories.
		var at string
		err := as.s.R.QueryRowContext(ctx, `SELECT a.published_at FROM articles a WHERE a.id = ? AND `+visible, id, t).Scan(&at)
		switch {
		case errors.Is(err, sql.ErrNoRows): // not visible, or gone: by number
		case err != nil:
			return nil, err
		case p.After != 0:
			// Both upper bounds at the story: SQLite seeks by one of them, and seeking
			// from now would step through every story above it.
			ids, args = l.after(), append(append([]any{at}, l.args...), at, id, p.limit())
		default:
			ids, args = l.before(), append(append([]any{t}, l.args...), at, id, p.limit())
		}
	}
	// The page of ids comes first (SQLite's CROSS JOIN keeps that order): planning
	// without the LIMIT's value (sqlite_lib.go), SQLite would otherwise guess the
	// page as large as the archive and walk every story to probe it.
	q := "SELECT " + cols + " FROM (" + ids + ") pick " + as.s.dialect("CROSS JOIN", "JOIN") + " articles a ON a.id = pick.id" + articleJoins + `
		ORDER BY a.published_at DESC, a.id DESC`
	return as.list(ctx, q, args...)
}

// listing is how one kind of story list is read cheaply: from selects ids from an
// index alone (it takes now, then args), key is the index's order, newest first; total
// counts the visible stories (it takes now, then args) as the kept count of live
// stories less those whose time has not come (a short range at the top of the index).
type listing struct {
	from, total string
	key         [2]string // publication time and story id, as the index names them
	args        []any
}

// byNumber is the query for a page of ids by number: it takes LIMIT and OFFSET after args.
func (l listing) byNumber() string { return l.from + l.order() + " LIMIT ? OFFSET ?" }

// after is the query for the page of ids after a story (older ones), before for the
// page before it (newer ones, nearest first: Published sorts the page). Each takes that
// story's publication time and id, then LIMIT, after args.
func (l listing) after() string {
	return l.from + " AND (" + l.key[0] + ", " + l.key[1] + ") < (?, ?)" + l.order() + " LIMIT ?"
}

func (l listing) before() string {
	return l.from + " AND (" + l.key[0] + ", " + l.key[1] + ") > (?, ?) ORDER BY " + l.key[0] + ", " + l.key[1] + " LIMIT ?"
}

func (l listing) order() string { return " ORDER BY " + l.key[0] + " DESC, " + l.key[1] + " DESC" }

var storyKey = [2]string{"a.published_at", "a.id"}

func listingFor(f Filter) listing {
	switch f {
	case Filter{}:
		return listing{
			from: `SELECT a.id FROM articles a INDEXED BY articles_live WHERE ` + visible,
			key:  storyKey,
			total: `SELECT coalesce((SELECT n FROM live_counts WHERE scope = 'all' AND key = 0), 0) -
				(SELECT count(*) FROM articles a WHERE a.status IN ('published', 'scheduled') AND a.published_at > ?)`,
		}
	case Filter{SectionID: f.SectionID}:
		return listing{
			from: `SELECT a.id FROM articles a INDEXED BY articles_live_section WHERE ` + visible + ` AND a.section_id = ?`,
			key:  storyKey,
			total: `SELECT coalesce((SELECT n FROM live_counts WHERE scope = 'section' AND key = ?2), 0) -
				(SELECT count(*) FROM articles a WHERE a.status IN ('published', 'scheduled') AND a.published_at > ?1 AND a.section_id = ?2)`,
			args: []any{f.SectionID},
		}
	case Filter{TagID: f.TagID}:
		return linkListing("article_tags", "tag_id", "tag", f.TagID)
	case Filter{AuthorID: f.AuthorID}:
		return linkListing("article_authors", "user_id", "author", f.AuthorID)
	}
	// Several filters at once (no page of the site asks for this): the plain query.
	where := []string{visible}
	var args []any
	if f.SectionID != 0 {
		where = append(where, "a.section_id = ?")
		args = append(args, f.SectionID)
	}
	if f.TagID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?)")
		args = append(args, f.TagID)
	}
	if f.AuthorID != 0 {
		where = append(where, "a.id IN (SELECT article_id FROM article_authors WHERE user_id = ?)")
		args = append(args, f.AuthorID)
	}
	cond := " FROM articles a WHERE " + strings.Join(where, " AND ")
	return listing{from: "SELECT a.id" + cond, key: storyKey, total: "SELECT count(*)" + cond, args: args}
}

// linkListing lists a tag's or a writer's stories through the link table, whose
// live_at copies the story's publication time while it is live (migration 0007).
func linkListing(table, col, scope string, key int64) listing {
	return listing{
		from: `SELECT article_id AS id FROM ` + table + ` WHERE live_at <= ? AND ` + col + ` = ?`,
		key:  [2]string{"live_at", "article_id"},
		total: `SELECT coalesce((SELECT n FROM live_counts WHERE scope = '` + scope + `' AND key = ?2), 0) -
			(SELECT count(*) FROM ` + table + ` WHERE live_at > ?1 AND ` + col + ` = ?2)`,
		args: []any{key},
	}
}

func (as *ArticleStore) list(ctx context.Context, q string, args ...any) ([]Article, error) {
	out, err := queryAll(ctx, as.s.R, func(sc scanner) (Article, error) { return scanArticle(sc) }, q, args...)
	if err != nil {
		return nil, err
	}
	return out, as.attach(ctx, out)
}

// attach loads authors and tags for a batch of articles in two queries.
func (as *ArticleStore) attach(ctx context.Context, arts []Article) error {
	if len(arts) == 0 {
		return nil
	}
	ids := make([]any, len(arts))
	index := make(map[int64]int, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
		index[a.ID] = i
	}
	in := placeholders(len(ids))
	rows, err := as.s.R.QueryContext(ctx, `SELECT aa.article_id, u.id, u.name, u.slug, u.bio
		FROM article_authors aa JOIN users u ON u.id = aa.user_id
		WHERE aa.article_id IN (`+in+`) ORDER BY aa.article_id, aa.position`, ids...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var aid int64
		var au Author
		if err := rows.Scan(&aid, &au.ID, &au.Name, &au.Slug, &au.Bio); err != nil {
			rows.Close()
			return err
		}
		arts[index[aid]].Authors = append(arts[index[aid]].Authors, au)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	rows, err = as.s.R.QueryContext(ctx, `SELECT at.article_id, t.id, t.name, t.slug
		FROM article_tags at JOIN tags t ON t.id = at.tag_id
		WHERE at.article_id IN (`+in+`) ORDER BY t.name`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var aid int64
		var t Tag
		if err := rows.Scan(&aid, &t.ID, &t.Name, &t.Slug); err != nil {
			return err
		}
		arts[index[aid]].Tags = append(arts[index[aid]].Tags, t)
	}
	return rows.Err()
}

func (as *ArticleStore) one(ctx context.Context, cond string, args ...any) (Article, error) {
	arts, err := as.list(ctx, "SELECT "+articleCols+articleFrom+" WHERE "+cond+" LIMIT 1", args...)
	if err != nil {
		return Article{}, err
	}
	if len(arts) == 0 {
		return Article{}, ErrNotFound
	}
	return arts[0], nil
}

// LatestBySection returns up to n visible stories per section as cards, newest first, skipping
// the stories in exclude (those the front page already shows). It is one statement
// whose per-section subquery walks the (section_id, status, published_at) index, so its
// cost grows with the number of sections, not with the size of the archive.
func (as *ArticleStore) LatestBySection(ctx context.Context, now time.Time, n int, exclude []int64) (map[int64][]Article, error) {
	if exclude == nil {
		exclude = []int64{} // JSON null would be one NULL, and NOT IN (NULL) keeps nothing
	}
	ids, err := json.Marshal(exclude)
	if err != nil {
		return nil, err
	}
	arts, err := as.list(ctx, `SELECT `+cardCols+` FROM sections sx
		JOIN articles a ON a.id IN (
			SELECT x.id FROM articles x INDEXED BY articles_live_section
			WHERE x.section_id = sx.id AND x.status IN ('published', 'scheduled') AND x.published_at <= ?
				AND x.id NOT IN (SELECT value FROM `+as.s.jsonIDs()+`)
			ORDER BY x.published_at DESC, x.id DESC LIMIT ?)
`+articleJoins+`
		ORDER BY a.published_at DESC, a.id DESC`, fmtTime(now), string(ids), n)
	if err != nil {
		return nil, err
	}
	out := map[int64][]Article{}
	for _, a := range arts {
		out[a.Section.ID] = append(out[a.Section.ID], a)
	}
	return out, nil
}

// PublishedBySlug returns the visible article with this slug, or ErrNotFound.
func (as *ArticleStore) PublishedBySlug(ctx context.Context, now time.Time, slug string) (Article, error) {
	return as.one(ctx, "a.slug = ? AND "+visible, slug, fmtTime(now))
}

// Get returns any article by id, whatever its status (for editors and previews).
func (as *ArticleStore) Get(ctx context.Context, id int64) (Article, error) {
	return as.one(ctx, "a.id = ?", id)
}

// Visible returns the stories among ids that readers can see now, as cards, by id.
func (as *ArticleStore) Visible(ctx context.Context, now time.Time, ids []int64) (map[int64]Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{fmtTime(now)}
	for _, id := range ids {
		args = append(args, id)
	}
	arts, err := as.list(ctx, "SELECT "+cardCols+articleFrom+" WHERE "+visible+" AND a.id IN ("+placeholders(len(ids))+")", args...)
	byID := make(map[int64]Article, len(arts))
	for _, a := range arts {
		byID[a.ID] = a
	}
	return byID, err
}

// RedirectSlug returns the current slug of the visible article that once had oldSlug.
func (as *ArticleStore) RedirectSlug(ctx context.Context, now time.Time, oldSlug string) (string, error) {
	return as.liveSlug(ctx, `SELECT a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id
		WHERE r.old_slug = ? AND `+visible, oldSlug, now)
}

// liveSlug runs a redirect lookup q (which takes the old key and the time) and returns
// the slug of the visible article it finds, or ErrNotFound.
func (as *ArticleStore) liveSlug(ctx context.Context, q, key string, now time.Time) (string, error) {
	var slug string
	err := as.s.R.QueryRowContext(ctx, q, key, fmtTime(now)).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return slug, err
}

// relatedPerTag bounds how many of each tag's newest stories Related weighs: it ranks
// candidates, not the archive, so a tag on 100,000 stories costs what a tag on 100 does.
const relatedPerTag = 50

// Related lists up to n visible stories (cards) sharing the most tags with a, then its
// section's latest, then the paper's latest. Candidates are each of a's tags' newest
// stories, read from the tag link index, so the cost is bounded by a's tags.
func (as *ArticleStore) Related(ctx context.Context, now time.Time, a Article, n int) ([]Article, error) {
	t := fmtTime(now)
	return as.list(ctx, `WITH cand(id, shared) AS (
			SELECT z.article_id, 1 FROM article_tags x JOIN article_tags z ON `+as.s.dialect("z.rowid IN (SELECT w.rowid", "(z.article_id, z.tag_id) IN (SELECT w.article_id, w.tag_id")+`
				FROM article_tags w WHERE w.tag_id = x.tag_id AND w.live_at <= ?1
				ORDER BY w.live_at DESC, w.article_id DESC LIMIT ?2)
			WHERE x.article_id = ?3
			UNION ALL
			SELECT * FROM (SELECT a.id, 0 FROM articles a INDEXED BY articles_live_section
				WHERE `+strings.ReplaceAll(visible, "?", "?1")+` AND a.section_id = ?4
				ORDER BY a.published_at DESC, a.id DESC LIMIT ?5) AS in_section
			UNION ALL
			SELECT * FROM (SELECT a.id, 0 FROM articles a INDEXED BY articles_live WHERE `+strings.ReplaceAll(visible, "?", "?1")+`
				ORDER BY a.published_at DESC, a.id DESC LIMIT ?5) AS latest),
		pick(id, shared) AS (SELECT id, sum(shared) FROM cand WHERE id <> ?3 GROUP BY id),
		top AS (SELECT pick.id, pick.shared, a.section_id = ?4 AS here, a.published_at
			FROM pick JOIN articles a INDEXED BY articles_live_id ON a.id = pick.id AND a.status IN ('published', 'scheduled')
			ORDER BY pick.shared DESC, here DESC, a.published_at DESC, pick.id DESC LIMIT ?6)
		SELECT `+cardCols+` FROM top JOIN articles a ON a.id = top.id`+articleJoins+`
		ORDER BY top.shared DESC, top.here DESC, top.published_at DESC, top.id DESC`, t, relatedPerTag, a.ID, a.Section.ID, n+1, n)
}

// Neighbours returns the previous (older) and next (newer) visible stories in a's section, as cards; either may be nil.
// The row-value comparisons let each be one seek in the section's index of live stories.
func (as *ArticleStore) Neighbours(ctx context.Context, now time.Time, a Article) (prev, next *Article, err error) {
	t := fmtTime(now)
	pub := fmtTime(a.PublishedAt)
	// Older than a visible story is visible by time, so the older one needs only the status.
	older, err := as.list(ctx, "SELECT "+cardCols+" FROM articles a INDEXED BY articles_live_section"+articleJoins+`
		WHERE a.status IN ('published', 'scheduled') AND a.section_id = ?
		AND (a.published_at, a.id) < (?, ?) ORDER BY a.published_at DESC, a.id DESC LIMIT 1`,
		a.Section.ID, pub, a.ID)
	if err != nil {
		return nil, nil, err
	}
	newer, err := as.list(ctx, "SELECT "+cardCols+" FROM articles a INDEXED BY articles_live_section"+articleJoins+` WHERE `+visible+` AND a.section_id = ?
		AND (a.published_at, a.id) > (?, ?) ORDER BY a.published_at ASC, a.id ASC LIMIT 1`,
		t, a.Section.ID, pub, a.ID)
	if err != nil {
		return nil, nil, err
	}
	if len(older) > 0 {
		prev = &older[0]
	}
	if len(newer) > 0 {
		next = &newer[0]
	}
	return prev, next, nil
}

// ArticleInput is what an editor (or the sample seeder, or an importer) supplies to save an article.
type ArticleInput struct {
	Title        string
	Slug         string // made from the title when empty
	Dek          string
	Body         string // Markdown
	Dateline     string
	Wire         string
	SectionID    int64
	AuthorIDs    []int64
	Tags         []string // names; created on the fly
	MediaID      int64    // 0 = no lead photo
	ImageAlt     string
	ImageCaption string
	ImageCredit  string
	Status       string
	PublishedAt  time.Time
	UpdatedAt    time.Time
	Correction   string
	CommentsOpen bool
	EditorID     int64 // who is saving; recorded on the revision and in the audit log (0 for seeds and imports)

	slugFromTitle bool // set by Validate: a taken slug then gets -2, -3 … instead of an error
}

// live says whether the story will be in the lists and the search index once saved.
func (in ArticleInput) live() bool {
	return in.Status == StatusPublished || in.Status == StatusScheduled
}

// Validate checks the fields an article cannot be saved without.
func (in *ArticleInput) Validate() error {
	v := ValidationError{}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		v["title"] = "A headline is required."
	} else if len([]rune(in.Title)) > 200 {
		v["title"] = "Keep the headline under 200 characters."
	}
	if in.Slug == "" {
		in.Slug, in.slugFromTitle = Slugify(in.Title), true
		if in.Slug == "" { // a headline of emoji or punctuation only
			in.Slug = "article"
		}
	} else if Slugify(in.Slug) != in.Slug {
		v["slug"] = "Use lower-case letters, digits and hyphens only."
	} else if in.Slug == Slugify(in.Title) {
		// The slug the headline makes, shown back in a re-rendered form or filled in
		// by the editor's script: a repeated headline still gets -2, not an error.
		in.slugFromTitle = true
	}
	if in.SectionID == 0 {
		v["section"] = "Choose a section."
	}
	if in.MediaID != 0 && strings.TrimSpace(in.ImageAlt) == "" {
		v["image_alt"] = "Describe the photo for readers who cannot see it."
	}
	switch in.Status {
	case StatusDraft, StatusReview, StatusUnpublished:
	case StatusScheduled, StatusPublished:
		if in.PublishedAt.IsZero() {
			v["published_at"] = "Give a publication time."
		}
	default:
		v["status"] = "Unknown status."
	}
	if len(v) > 0 {
		return v
	}
	return nil
}

// Create saves a new article with its authors and tags in one transaction.
func (as *ArticleStore) Create(ctx context.Context, now time.Time, in ArticleInput) (int64, error) {
	html, err := as.prepare(&in)
	if err != nil {
		return 0, err
	}
	var id int64
	err = as.s.tx(ctx, func(tx *sql.Tx) error {
		if id, err = insertArticle(ctx, tx, now, in, html); err != nil {
			return err
		}
		return afterSave(ctx, tx, now, id, 1, "", in)
	})
	return id, err
}

// prepare validates an article about to be saved and renders its body: the first
// step of every save, before the write transaction opens.
func (as *ArticleStore) prepare(in *ArticleInput) (template.HTML, error) {
	err := in.Validate()
	if img := as.s.San.ForeignImage(in.Body); img != "" {
		v, _ := AsValidation(err)
		if v == nil {
			v = ValidationError{}
		}
		v["body"] = fmt.Sprintf("The image %s is on another site. Readers' browsers would not show it (the site shows only its own photos) and it could change or vanish: upload it to the media library and insert it from there.", truncateRunes(img, 100))
		err = v
	}
	if err != nil {
		return "", err
	}
	html, err := as.s.San.ArticleHTML(in.Body)
	if err != nil {
		return "", fmt.Errorf("render body: %w", err)
	}
	return html, nil
}

// insertArticle writes a validated article with its authors and tags inside tx;
// html is the body already sanitised from in.Body.
// insertArticle writes a new story with its authors, its tags (by name, and tagIDs
// an import has already made) and its status.
//
// A live story is written as a draft and given its status last, as Bulk does: the
// search triggers re-index a live story on every author and tag linked to it, each
// time taking its whole text out of the index and back in, while a draft is not
// indexed at all. So the story is indexed once, by the same triggers. (Measured on an
// import: a third of the search index's writes, and of the pages one transaction keeps dirty.)
func insertArticle(ctx context.Context, tx *sql.Tx, now time.Time, in ArticleInput, html template.HTML, tagIDs ...int64) (int64, error) {
	if in.slugFromTitle {
		var err error
		if in.Slug, err = freeSlug(ctx, in.Slug, articleSlugTaken(tx)); err != nil {
			return 0, err
		}
	}
	status := in.Status
	if in.live() {
		status = StatusDraft
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO articles (title, slug, dek, body_src, body_html, dateline, wire,
		section_id, media_id, image_alt, image_caption, image_credit, status, published_at, updated_at,
		correction, comments_open, created_at, modified_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Title, in.Slug, in.Dek, in.Body, string(html), in.Dateline, in.Wire,
		in.SectionID, sql.NullInt64{Int64: in.MediaID, Valid: in.MediaID != 0},
		in.ImageAlt, in.ImageCaption, in.ImageCredit, status, nullTime(in.PublishedAt), nullTime(in.UpdatedAt),
		in.Correction, in.CommentsOpen, fmtTime(now), fmtTime(now)).Scan(&id)
	if isUnique(err) {
		return 0, ValidationError{"slug": "Another article already uses this slug."}
	}
	if err != nil {
		return 0, err
	}
	if err := setAuthorsAndTags(ctx, tx, id, in.AuthorIDs, in.Tags); err != nil {
		return 0, err
	}
	for _, tagID := range tagIDs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING", id, tagID); err != nil {
			return 0, err
		}
	}
	if status != in.Status {
		_, err = tx.ExecContext(ctx, "UPDATE articles SET status = ? WHERE id = ?", in.Status, id)
	}
	return id, err
}

func setAuthorsAndTags(ctx context.Context, tx *sql.Tx, id int64, authors []int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM article_authors WHERE article_id = ?", id); err != nil {
		return err
	}
	for i, uid := range authors {
		if _, err := tx.ExecContext(ctx, "INSERT INTO article_authors (article_id, user_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			id, uid, i); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM article_tags WHERE article_id = ?", id); err != nil {
		return err
	}
	for _, name := range tags {
		tagID, _, err := tagTx(ctx, tx, strings.TrimSpace(name))
		if err != nil {
			return err
		}
		if tagID == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING", id, tagID); err != nil {
			return err
		}
	}
	return nil
}

// renameTx gives an article a new slug inside the caller's transaction (so an edit that
// changes the slug saves both or neither), keeping the old slug as a redirect.
func renameTx(ctx context.Context, tx *sql.Tx, now time.Time, id int64, newSlug string) error {
	var old string
	if err := tx.QueryRowContext(ctx, "SELECT slug FROM articles WHERE id = ?", id).Scan(&old); errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	} else if err != nil {
		return err
	}
	if old == newSlug {
		return nil
	}
	// A slug handed back to its article is no longer a redirect.
	if _, err := tx.ExecContext(ctx, "DELETE FROM slug_redirects WHERE old_slug = ?", newSlug); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE articles SET slug = ?, modified_at = ? WHERE id = ?", newSlug, fmtTime(now), id); isUnique(err) {
		return ValidationError{"slug": "Another article already uses this slug."}
	} else if err != nil {
		return err
	}
	// Delete and insert rather than update: the redirect triggers (cache versions) watch those two.
	if _, err := tx.ExecContext(ctx, "DELETE FROM slug_redirects WHERE old_slug = ?", old); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO slug_redirects (old_slug, article_id) VALUES (?, ?)", old, id)
	return err
}

// LastModified is the newest modification time of anything readers can see; pages use it for ETags.
func (as *ArticleStore) LastModified(ctx context.Context) (time.Time, error) {
	var s sql.NullString
	err := as.s.R.QueryRowContext(ctx, "SELECT max(modified_at) FROM articles").Scan(&s)
	return parseNullTime(s), err
}
