package models

import (
	"context"
	"time"
)

// SitemapEntry is what a sitemap says about one story: a lean row, no body.
type SitemapEntry struct {
	Slug        string
	Title       string
	PublishedAt time.Time
	ModifiedAt  time.Time
}

// LastMod is when the story last changed as readers see it (never before it appeared).
func (e SitemapEntry) LastMod() time.Time {
	if e.ModifiedAt.After(e.PublishedAt) {
		return e.ModifiedAt
	}
	return e.PublishedAt
}

// SitemapEntries lists visible stories oldest first, one page at a time. Oldest first
// keeps every full page the same as new stories arrive, so crawlers re-read only the last.
//
// The total is the kept count; the page's ids are counted off the index of live stories
// from whichever end is nearer (the last pages, the ones that change, are read from the
// newest end), and the entries come from articles_live_id, so no row is read.
func (as *ArticleStore) SitemapEntries(ctx context.Context, now time.Time, p Page) (Paged[SitemapEntry], error) {
	var out Paged[SitemapEntry]
	t := fmtTime(now)
	var err error
	if out.Total, err = as.VisibleCount(ctx, now); err != nil {
		return out, err
	}
	out.setPage(p)
	dir, limit, offset := "", p.limit(), p.offset()
	if offset >= out.Total {
		return out, nil
	}
	if fromEnd := out.Total - offset - limit; fromEnd < offset {
		dir, limit, offset = " DESC", min(limit, out.Total-offset), max(fromEnd, 0)
	}
	out.Items, err = as.entries(ctx, `SELECT a.id FROM articles a INDEXED BY articles_live WHERE `+visible+`
		ORDER BY a.published_at`+dir+`, a.id`+dir+` LIMIT ? OFFSET ?`, "", t, limit, offset)
	return out, err
}

// VisibleCount is how many stories readers can see now, from the kept counts.
func (as *ArticleStore) VisibleCount(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := as.s.R.QueryRowContext(ctx, listingFor(Filter{}).total, fmtTime(now)).Scan(&n)
	return n, err
}

// PublishedSince lists up to limit visible stories published after since, newest first
// (the Google News sitemap).
func (as *ArticleStore) PublishedSince(ctx context.Context, now, since time.Time, limit int) ([]SitemapEntry, error) {
	return as.entries(ctx, `SELECT a.id FROM articles a INDEXED BY articles_live WHERE `+visible+` AND a.published_at >= ?
		ORDER BY a.published_at DESC, a.id DESC LIMIT ?`, " DESC", fmtTime(now), fmtTime(since), limit)
}

// entries reads the sitemap entries of the stories whose ids the query ids picks, in
// order of publication (dir "" or " DESC"), from articles_live_id alone: the rows would
// be read past their bodies to reach the times.
func (as *ArticleStore) entries(ctx context.Context, ids, dir string, args ...any) ([]SitemapEntry, error) {
	return queryAll(ctx, as.s.R, func(sc scanner) (SitemapEntry, error) {
		var e SitemapEntry
		var pub, mod string
		err := sc.Scan(&e.Slug, &e.Title, &pub, &mod)
		e.PublishedAt, e.ModifiedAt = parseTime(pub), parseTime(mod)
		return e, err
	}, `SELECT a.slug, a.title, a.published_at, a.modified_at FROM (`+ids+`) pick
		JOIN articles a INDEXED BY articles_live_id ON a.id = pick.id AND a.status IN ('published', 'scheduled')
		ORDER BY a.published_at`+dir+`, a.id`+dir, args...)
}

// InUse lists the tags that at least one visible story carries, by name: the tags with
// live stories (kept counts), each checked with one probe of the tag link index.
func (ts *TagStore) InUse(ctx context.Context, now time.Time) ([]Tag, error) {
	return queryAll(ctx, ts.s.R, scanTag, `SELECT t.id, t.name, t.slug
		FROM live_counts c JOIN tags t ON t.id = c.key
		WHERE c.scope = 'tag' AND c.n > 0 AND EXISTS (SELECT 1 FROM article_tags at WHERE at.tag_id = t.id AND at.live_at <= ?)
		ORDER BY t.name`, fmtTime(now))
}

// Bylined lists the writers with at least one visible story, by name: found, like
// InUse, from the kept counts, not by reading every account (most are readers).
func (us *UserStore) Bylined(ctx context.Context, now time.Time) ([]Author, error) {
	return queryAll(ctx, us.s.R, func(sc scanner) (Author, error) {
		var au Author
		return au, sc.Scan(&au.ID, &au.Name, &au.Slug, &au.Bio)
	}, `SELECT u.id, u.name, u.slug, u.bio FROM live_counts c JOIN users u ON u.id = c.key
		WHERE c.scope = 'author' AND c.n > 0 AND u.role IN ('admin', 'editor', 'author')
		  AND EXISTS (SELECT 1 FROM article_authors aa WHERE aa.user_id = u.id AND aa.live_at <= ?)
		ORDER BY u.name`, fmtTime(now))
}
