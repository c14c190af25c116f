package handlers

import (
	"context"
	"net/http"
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

func (a *App) loadWidgets(ctx context.Context) (w widgets, err error) {
	if w.MostRead, err = a.Store.Articles.MostRead(ctx, a.Now(), widgetSize); err != nil {
		return w, err
	}
	w.MostCommented, err = a.Store.Articles.MostCommented(ctx, a.Now(), widgetSize)
	return w, err
}

// countRead notes that a reader opened a story. It only touches memory; FlushReadsEvery
// writes the counts. HEAD requests and editors' previews are not reads.
func (a *App) countRead(c echo.Context, art models.Article) {
	if c.Request().Method == http.MethodGet {
		a.Reads.Add(art.ID, a.Now())
	}
}

// FlushReadsEvery adds the counted reads to the database every d until ctx ends;
// main runs it in a goroutine beside the server.
func (a *App) FlushReadsEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Reads.Flush(ctx, a.Now()); err != nil {
				a.Log.Error("flush read counts", "err", err)
			}
		}
	}
}

// Close writes what the App still holds only in memory (the read counts); main calls
// it after the server has stopped taking requests.
func (a *App) Close(ctx context.Context) error {
	return a.Reads.Flush(ctx, a.Now())
}
