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

// SitemapPages is how many story sitemaps of size stories the archive needs. Sitemap n
// holds the visible stories with ids from (n-1)*size+1 to n*size, so each is read by
// key, at the same cost anywhere in a million stories (an OFFSET halfway through
// walked half a million index entries), and a story stays in the same sitemap for
// good. Sitemaps over drafts and deleted stories hold fewer.
func (as *ArticleStore) SitemapPages(ctx context.Context, size int) (int, error) {
	var last int
	err := as.s.R.QueryRowContext(ctx, `SELECT coalesce(max(a.id), 0) FROM articles a INDEXED BY articles_live_id
		WHERE a.status IN ('published', 'scheduled')`).Scan(&last)
	return (last + size - 1) / size, err
}

// SitemapPage lists the visible stories of sitemap n (see SitemapPages), oldest first.
func (as *ArticleStore) SitemapPage(ctx context.Context, now time.Time, n, size int) ([]SitemapEntry, error) {
	return as.entries(ctx, `SELECT a.id FROM articles a INDEXED BY articles_live_id
		WHERE a.id > ? AND a.id <= ? AND `+visible, "", (n-1)*size, n*size, fmtTime(now))
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
