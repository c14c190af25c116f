package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// widgetSize is how many stories each reader widget lists.
const widgetSize = 5

// widgets are the "most read" and "most commented" lists shown beside the news.
type widgets struct {
	MostRead      []models.Article
	MostCommented []models.Article
}

// widgetTTL is how often a server recomputes the rankings.
const widgetTTL = 30 * time.Second

// widgetCache holds the last widgets read. Their rankings are approximate by nature
// (reads reach the database once a minute), so each server recomputes them at most
// every widgetTTL, saving two aggregate queries per page; what they show of each story
// (headline, slug) is never older than the site snapshot they were read under. Each
// recomputation that changes them moves the generation, which cached pages record.
type widgetCache struct {
	mu      sync.Mutex
	w       widgets
	snap    *siteSnapshot
	expires time.Time
	gen     uint64
}

// loadWidgets returns the widgets to show under snap and their generation, reading
// them afresh when they were read under another snapshot or widgetTTL has passed.
// Every cacheable request asks (see readState), so rankings move on time even while
// every page is served from the cache.
func (a *App) loadWidgets(ctx context.Context, snap *siteSnapshot) (widgets, uint64, error) {
	now := a.Now()
	a.widgets.mu.Lock()
	if a.widgets.snap == snap && now.Before(a.widgets.expires) {
		w, gen := a.widgets.w, a.widgets.gen
		a.widgets.mu.Unlock()
		return w, gen, nil
	}
	a.widgets.mu.Unlock()

	var w widgets
	var err error
	if w.MostRead, err = a.Store.Articles.MostRead(ctx, now, widgetSize); err != nil {
		return w, 0, err
	}
	if w.MostCommented, err = a.Store.Articles.MostCommented(ctx, now, widgetSize); err != nil {
		return w, 0, err
	}
	a.widgets.mu.Lock()
	defer a.widgets.mu.Unlock()
	if !sameWidgets(a.widgets.w, w) {
		a.widgets.gen++
	}
	a.widgets.w, a.widgets.snap, a.widgets.expires = w, snap, now.Add(widgetTTL)
	return w, a.widgets.gen, nil
}

// sameWidgets reports whether two widget sets list the same stories.
func sameWidgets(x, y widgets) bool {
	same := func(p, q []models.Article) bool {
		if len(p) != len(q) {
			return false
		}
		for i := range p {
			if p[i].ID != q[i].ID || p[i].Title != q[i].Title {
				return false
			}
		}
		return true
	}
	return same(x.MostRead, y.MostRead) && same(x.MostCommented, y.MostCommented)
}

// countRead notes that a reader opened a story. It only touches memory; FlushReadsEvery
// writes the counts. HEAD requests and editors' previews are not reads.
// A hit from the page cache is counted by sendHit.
func (a *App) countRead(c echo.Context, art models.Article) {
	if !isHead(c) {
		a.Reads.Add(art.ID, a.Now())
	}
}

// FlushReadsEvery adds the counted reads to the database every d until ctx ends;
// main runs it in a goroutine beside the server.
func (a *App) FlushReadsEvery(ctx context.Context, d time.Duration) {
	every(ctx, d, func() {
		if err := a.Reads.Flush(ctx, a.Now()); err != nil {
			a.Log.Error("flush read counts", "err", err)
		}
	})
}

// Close writes what the App still holds only in memory (the read counts); main calls
// it after the server has stopped taking requests.
func (a *App) Close(ctx context.Context) error {
	return a.Reads.Flush(ctx, a.Now())
}
