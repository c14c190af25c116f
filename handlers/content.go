package handlers

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// versionsRead are the content versions one request read, with the article whose
// discussion version they include (0 for none).
type versionsRead struct {
	site, comments      int64
	users               int64 // the accounts' version (session.go)
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
	chrome   sync.Map // "year|section" → chrome: readers' masthead and footer (readerChrome)
}

// readState reads the content versions for this request, with the discussion version
// of articleID when the page is known to be that article's.
func (a *App) readState(c echo.Context, articleID int64) (*cacheState, error) {
	r := c.Request()
	st, err := a.readVersions(r.Context(), articleID, r.Method == http.MethodGet || r.Method == http.MethodHead)
	if err != nil {
		return nil, err
	}
	c.Set(cacheStateKey, st)
	return st, nil
}

// readVersions is readState outside a router's context (hitLane). Requests for pages
// share one read among those that arrive together (sharedRead); a form's submission
// reads alone. Waiting for the shared read's turn on a core busy with readers was most
// of a posted comment's time in the server (3.0 ms on average, 0.37 ms reading alone,
// with 24 connections reading the story), and a write is rarely one of many arriving
// at the same instant: for it the one statement is cheaper than the wait.
func (a *App) readVersions(ctx context.Context, articleID int64, shared bool) (*cacheState, error) {
	var g models.Global
	var err error
	if shared {
		g, err = a.siteReads.get(ctx, a.Store.SiteVersions)
	} else {
		g, err = a.Store.SiteVersions(ctx)
	}
	if err != nil {
		return nil, err
	}
	v := versionsRead{site: g.Site, comments: g.Comments, users: g.Users}
	if articleID != 0 {
		if err := a.readDiscussion(ctx, &v, articleID); err != nil {
			return nil, err
		}
	}
	snap, err := a.snapshot(ctx, v.site)
	if err != nil {
		return nil, err
	}
	_, gen, err := a.loadWidgets(ctx, snap)
	if err != nil {
		return nil, err
	}
	return &cacheState{v: v, snap: snap, widgets: gen, until: snap.until}, nil
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
		if err := a.readDiscussion(c.Request().Context(), &st.v, id); err != nil {
			return err
		}
	}
	st.articleID = id
	return nil
}

// discussionSeen is one story's discussion version and approved count as read together
// with the comments version: it stays true while the comments version does, since every
// comment written anywhere moves that.
type discussionSeen struct {
	comments, version int64
	approved          int
}

// readDiscussion adds article id's discussion version to v, from memory while the
// comments version v was read with is the one it was seen under, else from the database.
func (a *App) readDiscussion(ctx context.Context, v *versionsRead, id int64) error {
	key := strconv.FormatInt(id, 10)
	if d, ok := a.discussions.get(key); ok && d.comments == v.comments {
		v.article, v.discussion, v.approved = id, d.version, d.approved
		return nil
	}
	full, err := a.Store.Versions(ctx, id)
	if err != nil {
		return err
	}
	// full may be newer than v's comments version (a comment landed in between): that
	// only makes the page built under it newer than it claims, the safe direction.
	a.discussions.put(key, discussionSeen{comments: full.Comments, version: full.Discussion, approved: full.Approved}, 64)
	v.article, v.discussion, v.approved = id, full.Discussion, full.Approved
	return nil
}

// sharedRead lets concurrent requests share one read of the site and comments versions
// without ever handing a request a read that began before it arrived (that read could
// miss a write committed just before the request): a request waits for the next read
// to start, never joins one already under way. Alone, a request reads at once (after
// letting other runnable goroutines go first); under load, one statement serves every
// request that arrived during the previous one.
type sharedRead struct {
	mu   sync.Mutex
	busy bool      // a read is under way
	next *siteRead // the read that requests arriving now will share
}

type siteRead struct {
	done chan struct{}
	g    models.Global
	err  error
}

type readFunc func(context.Context) (models.Global, error)

func (sr *sharedRead) get(ctx context.Context, read readFunc) (models.Global, error) {
	sr.mu.Lock()
	if sr.next == nil {
		sr.next = &siteRead{done: make(chan struct{})}
	}
	r := sr.next
	lead := !sr.busy
	sr.busy = true
	sr.mu.Unlock()
	if lead {
		// Let the requests that are ready to run reach this point first and join r: on
		// a busy core there are many, and one statement then serves them all.
		runtime.Gosched()
		sr.mu.Lock()
		sr.next = nil // r begins now: requests from here on wait for the next read
		sr.mu.Unlock()
		sr.run(r, read)
	}
	select {
	case <-r.done:
		return r.g, r.err
	case <-ctx.Done():
		return models.Global{}, ctx.Err()
	}
}

// run performs read r, then starts the one that requests arriving meanwhile wait for.
// The read belongs to every request sharing it, so no one request's cancellation ends it.
// (A read in WAL mode never waits for a writer; SQLite's busy timeout bounds the rest.)
func (sr *sharedRead) run(r *siteRead, read readFunc) {
	r.g, r.err = read(context.Background()) // bounded by SQLite's busy timeout
	close(r.done)
	sr.mu.Lock()
	next := sr.next
	sr.next = nil
	sr.busy = next != nil
	sr.mu.Unlock()
	if next != nil {
		go sr.run(next, read)
	}
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
