package models

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Versions are the content versions a cached page is built from (migration 0006):
// triggers bump them on every write, so a page cached under one set of versions is
// current exactly while the database still holds the same ones. Several servers on
// one database therefore share the rule without talking to each other.
type Versions struct {
	Site       int64 // stories, sections, tags, bylines, settings, photos
	Comments   int64 // any comment anywhere
	Discussion int64 // the comments of the one article asked about (0 if none yet)
	Approved   int   // that article's approved comments
}

// versionsQuery reads all three in one statement; it runs on every cacheable request,
// so it is prepared once (see Open) rather than parsed each time.
const versionsQuery = `SELECT v.site, v.comments, coalesce(d.version, 0), coalesce(d.approved, 0)
	FROM cache_versions v LEFT JOIN discussions d ON d.article_id = ?
	WHERE v.id = 1`

// Versions returns the current content versions, with articleID's discussion version
// (pass 0 when the page is not one article's).
func (s *Store) Versions(ctx context.Context, articleID int64) (Versions, error) {
	var v Versions
	err := s.versions.QueryRowContext(ctx, articleID).Scan(&v.Site, &v.Comments, &v.Discussion, &v.Approved)
	return v, err
}

// Global are the versions that are not one article's: the site's, every comment's
// and the accounts' (migration 0021).
type Global struct {
	Site, Comments, Users int64
}

// siteVersionsQuery reads the global versions alone: the page cache's hot path,
// shared by every request that arrived while the previous read was under way.
const siteVersionsQuery = `SELECT site, comments, users FROM cache_versions WHERE id = 1`

// SiteVersions returns the global versions (Versions without an article).
func (s *Store) SiteVersions(ctx context.Context) (Global, error) {
	var g Global
	err := s.siteVersions.QueryRowContext(ctx).Scan(&g.Site, &g.Comments, &g.Users)
	return g, err
}

// NextPublication is the earliest publication time after now of a story waiting for
// its time (zero if none). Scheduled stories need no job to appear, so a page cached
// now stays current only until then; the page cache uses it as the expiry. It changes
// only with the site version, so callers keep it beside that.
func (as *ArticleStore) NextPublication(ctx context.Context, now time.Time) (time.Time, error) {
	var s sql.NullString
	err := as.s.R.QueryRowContext(ctx, `SELECT min(published_at) FROM articles
		WHERE status IN ('published', 'scheduled') AND published_at > ?`, fmtTime(now)).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return parseNullTime(s), err
}
