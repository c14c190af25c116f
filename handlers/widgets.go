package handlers

import (
	"context"
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
}

// widgetTTL is how often a server recomputes the rankings.
const widgetTTL = 30 * time.Second

// widgetCache holds the last widgets read. Their rankings are approximate by nature
// (reads reach the database once a minute), so each server recomputes them at most
// every widgetTTL: counting a week of comments is the dearest read on the site, and it
// is not repeated when the site changes. What they show of each story (headline,
// slug, whether it is still to be seen) is read afresh, by id, whenever the site
// snapshot moves, so it is never older than the page around it. Each change to what
// the widgets show moves the generation, which cached pages record.
//
// One request at a time ranks afresh; the others keep the rankings they have until it
// is done, as they would have a moment earlier. When every request that found the
// rankings expired counted for itself, a busy story's readers all counted at once:
// 40 ms each at 140,000 comments in the week, times 24 connections on one core, and
// everything, comment posting included, stood still for half a second every 30 s.
type widgetCache struct {
	mu      sync.Mutex
	read    []int64 // the rankings, as ids, until expires
	talked  []int64
	expires time.Time
	ranking bool   // a request is ranking afresh
	ranked  uint64 // rankings read so far: widgets built from older ones never replace newer
	w       widgets
	snap    *siteSnapshot // w was read under snap
	gen     uint64
}

// loadWidgets returns the widgets to show under snap and their generation, ranking
// afresh once widgetTTL has passed (unless another request is doing so) and reading
// the stories afresh when the snapshot moved. Every cacheable request asks (see
// readState), so rankings move on time even while every page is served from the cache.
// Until a server's first rankings are in, the requests that did not read them show none.
func (a *App) loadWidgets(ctx context.Context, snap *siteSnapshot) (widgets, uint64, error) {
	now := a.Now()
	c := &a.widgets
	for {
		c.mu.Lock()
		rerank := !now.Before(c.expires) && !c.ranking
		if c.snap == snap && !rerank {
			w, gen := c.w, c.gen
			c.mu.Unlock()
			return w, gen, nil
		}
		read, talked, ranked := c.read, c.talked, c.ranked
		c.ranking = c.ranking || rerank
		c.mu.Unlock()

		w, err := a.readWidgets(ctx, now, rerank, &read, &talked)
		c.mu.Lock()
		if rerank {
			c.ranking = false
			if err == nil {
				c.read, c.talked, c.expires = read, talked, now.Add(widgetTTL)
				c.ranked++
			}
		}
		if err != nil {
			c.mu.Unlock()
			return widgets{}, 0, err
		}
		if !rerank && c.ranked != ranked {
			c.mu.Unlock()
			continue // the rankings moved while this request read: build from the new ones
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

// readWidgets reads the stories of the rankings, ranking afresh first if rerank.
func (a *App) readWidgets(ctx context.Context, now time.Time, rerank bool, read, talked *[]int64) (widgets, error) {
	var err error
	if rerank {
		if *read, err = a.Store.Articles.MostRead(ctx, now, widgetSize); err != nil {
			return widgets{}, err
		}
		if *talked, err = a.Store.Articles.MostCommented(ctx, now, widgetSize); err != nil {
			return widgets{}, err
		}
	}
	byID, err := a.Store.Articles.Visible(ctx, now, append(slices.Clip(*read), *talked...))
	if err != nil {
		return widgets{}, err
	}
	pick := func(ranking []int64) (out []models.Article) {
		for _, id := range ranking {
			if art, ok := byID[id]; ok {
				out = append(out, art)
			}
		}
		return out
	}
	return widgets{MostRead: pick(*read), MostCommented: pick(*talked)}, nil
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
