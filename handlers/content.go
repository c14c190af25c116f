package handlers

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// versionsRead are the content versions one request read, with the article whose
// discussion version they include (0 for none).
type versionsRead struct {
	site, comments      int64
	article, discussion int64
	approved            int // the article's approved comments
}

// siteSnapshot is what almost every page shows and rarely changes: the settings, the
// sections, and when the next scheduled story goes live. One copy per server is reused
// while the site version holds and that time has not come; anything derived from it
// (widgets, article bundles, cached pages) remembers the snapshot it was built under
// and is current only while that snapshot is.
type siteSnapshot struct {
	version  int64
	until    time.Time // the next scheduled publication (zero: none)
	site     models.Settings
	sections []models.Section
}

// readState reads the content versions for this request (one statement), with the
// discussion version of articleID when the page is known to be that article's.
func (a *App) readState(c echo.Context, articleID int64) (*cacheState, error) {
	ctx := c.Request().Context()
	v, err := a.Store.Versions(ctx, articleID)
	if err != nil {
		return nil, err
	}
	snap, err := a.snapshot(ctx, v.Site)
	if err != nil {
		return nil, err
	}
	_, gen, err := a.loadWidgets(ctx, snap)
	if err != nil {
		return nil, err
	}
	st := &cacheState{
		v:       versionsRead{site: v.Site, comments: v.Comments, article: articleID, discussion: v.Discussion, approved: v.Approved},
		snap:    snap,
		widgets: gen,
		until:   snap.until,
	}
	c.Set(cacheStateKey, st)
	return st, nil
}

// state is this request's versions: read by the page cache for anonymous pages, or
// here on first use for the others (logged-in pages, the newsroom).
func (a *App) state(c echo.Context) (*cacheState, error) {
	if st, ok := c.Get(cacheStateKey).(*cacheState); ok {
		return st, nil
	}
	return a.readState(c, 0)
}

// scopeToArticle says the page being built is article id's: it then depends on that
// discussion's version instead of every comment's. The discussion version is read now,
// before the page reads the comments, unless the request already has it.
func (a *App) scopeToArticle(c echo.Context, id int64) error {
	st, err := a.state(c)
	if err != nil {
		return err
	}
	if st.v.article != id {
		v, err := a.Store.Versions(c.Request().Context(), id)
		if err != nil {
			return err
		}
		st.v.article, st.v.discussion, st.v.approved = id, v.Discussion, v.Approved
	}
	st.articleID = id
	return nil
}

// changesAt says the page being built changes by itself at t (a discussion closing by age).
func (a *App) changesAt(c echo.Context, t time.Time) {
	if st, ok := c.Get(cacheStateKey).(*cacheState); ok && t.After(a.Now()) && (st.until.IsZero() || t.Before(st.until)) {
		st.until = t
	}
}

// snapshot returns the site snapshot for site version, loading a new one when the
// version moved or the next scheduled story has gone live.
func (a *App) snapshot(ctx context.Context, version int64) (*siteSnapshot, error) {
	now := a.Now()
	if s := a.snap.Load(); s != nil && s.version == version && (s.until.IsZero() || now.Before(s.until)) {
		return s, nil
	}
	s := &siteSnapshot{version: version}
	var err error
	if s.site, err = a.Store.Settings.Get(ctx); err != nil {
		return nil, err
	}
	if s.sections, err = a.Store.Sections.All(ctx); err != nil {
		return nil, err
	}
	if s.until, err = a.Store.Articles.NextPublication(ctx, now); err != nil {
		return nil, err
	}
	// Two requests may load at once; never replace a newer snapshot with an older one.
	if old := a.snap.Load(); old == nil || old.version <= version {
		a.snap.Store(s)
	}
	return s, nil
}
