package handlers

import (
	"context"
	"html/template"
	"slices"
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
	HTML          template.HTML // the lists rendered ("widgets" in partials/widgets.html), once for every page
}

// widgetCache holds the last widgets read. Their rankings are approximate by nature
// (reads reach the database once a minute), so each server ranks afresh every 30
// seconds or so, in the background (RankWidgetsEvery). Counting a week of comments is
// the dearest read on the site (40 ms at 140,000 comments in the week, and it grows
// with them), so no reader waits for it: when requests ranked for themselves on
// finding the rankings old, a busy story's 24 reading connections all counted at once,
// and everything, comment posting included, stood still for up to a second every
// 30 s. The first ranking runs as the server starts, beside it; until it is in, pages
// show no widgets, as on a new site.
//
// What the widgets show of each story (headline, slug, whether it is still to be
// seen) is read afresh, by id, whenever the site snapshot moves, so it is never older
// than the page around it. Each change to what the widgets show moves the generation,
// which cached pages record.
type widgetCache struct {
	mu     sync.Mutex
	read   []int64 // the rankings, as ids
	talked []int64
	ranked uint64 // rankings read so far: widgets built from older ones never replace newer
	w      widgets
	snap   *siteSnapshot // w was read under snap
	gen    uint64
}

// RankWidgetsEvery ranks the stories for the reader widgets now and then every d until
// ctx ends; main runs it in a goroutine beside the server.
func (a *App) RankWidgetsEvery(ctx context.Context, d time.Duration) {
	rank := func() {
		if err := a.rankWidgets(ctx); err != nil {
			a.Log.Error("rank the reader widgets", "err", err)
		}
	}
	rank()
	every(ctx, d, rank)
}

// rankWidgets reads the rankings; the next request reads the stories they list.
func (a *App) rankWidgets(ctx context.Context) error {
	now := a.Now()
	read, err := a.Store.Articles.MostRead(ctx, now, widgetSize)
	if err != nil {
		return err
	}
	talked, err := a.Store.Articles.MostCommented(ctx, now, widgetSize)
	if err != nil {
		return err
	}
	c := &a.widgets
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read, c.talked, c.snap = read, talked, nil
	c.ranked++
	return nil
}

// loadWidgets returns the widgets to show under snap and their generation, reading the
// stories afresh when the snapshot or the rankings moved. Every cacheable request asks
// (see readState), so new rankings show on the next request even while every page is
// served from the cache.
func (a *App) loadWidgets(ctx context.Context, snap *siteSnapshot) (widgets, uint64, error) {
	c := &a.widgets
	for {
		c.mu.Lock()
		if c.snap == snap {
			w, gen := c.w, c.gen
			c.mu.Unlock()
			return w, gen, nil
		}
		read, talked, ranked := c.read, c.talked, c.ranked
		c.mu.Unlock()
		byID, err := a.Store.Articles.Visible(ctx, a.Now(), append(slices.Clip(read), talked...))
		if err != nil {
			return widgets{}, 0, err
		}
		pick := func(ranking []int64) (out []models.Article) {
			for _, id := range ranking {
				if art, ok := byID[id]; ok {
					out = append(out, art)
				}
			}
			return out
		}
		w := widgets{MostRead: pick(read), MostCommented: pick(talked)}
		if w.HTML, err = a.Views.Fragment("home", "widgets", w); err != nil {
			return widgets{}, 0, err
		}

		c.mu.Lock()
		if c.ranked != ranked {
			c.mu.Unlock()
			continue // ranked afresh while this request read: build from the new rankings
		}
		if !sameWidgets(c.w, w) {
			c.gen++
		}
		c.w, c.snap = w, snap
		gen := c.gen
		c.mu.Unlock()
		return w, gen, nil
	}
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
	if !cameAsHead(c.Request()) {
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
