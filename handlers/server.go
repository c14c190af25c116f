// Package handlers is Broadsheet's HTTP layer: routes, middleware, and the
// handlers that ask models for data and hand it to views.
package handlers

import (
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/sessions"

	"broadsheet/models"
	"broadsheet/public"
	"broadsheet/views"
)

// Config is what the operator chooses at start-up.
type Config struct {
	BaseURL       string   // absolute URL of the site, no trailing slash, e.g. https://news.example
	Dev           bool     // re-read templates from disk on every request
	SecureCookies bool     // mark the session cookie Secure (true whenever the site is served over TLS)
	SessionKeys   [][]byte // pairs of (hash key, block key); the first pair signs new cookies
	PerPage       int      // stories per list page
}

// App carries everything a handler needs. There are no package globals.
type App struct {
	Store    *models.Store
	Views    *views.Renderer
	Assets   *public.Assets
	Sessions *sessions.CookieStore
	Log      *slog.Logger
	Now      func() time.Time // tests pin the clock
	Config   Config
	Reads    *models.ReadCounter // story reads counted in memory, flushed by FlushReadsEvery
	widgets  widgetCache         // the reader widgets, reused for widgetTTL
}

// New builds an App: parses templates, fingerprints assets and configures the session store.
func New(cfg Config, store *models.Store, log *slog.Logger, viewsFS fs.FS) (*App, error) {
	if cfg.PerPage == 0 {
		cfg.PerPage = 12
	}
	assets, err := public.NewAssets(public.FS)
	if err != nil {
		return nil, err
	}
	a := &App{Store: store, Assets: assets, Log: log, Now: time.Now, Config: cfg, Reads: models.NewReadCounter(store)}
	rend, err := views.NewRenderer(viewsFS, template.FuncMap{
		"asset":    assets.URL,
		"date":     func(t time.Time, z *time.Location) string { return t.In(z).Format("2 January 2006") },
		"datetime": func(t time.Time, z *time.Location) string { return t.In(z).Format("2 January 2006, 15:04 MST") },
		"card":     func(a models.Article, z *time.Location) cardData { return cardData{A: a, Zone: z} },
		"fielderr": func(e models.ValidationError, f string) fieldErr { return fieldErr{E: e, F: f} },
	}, cfg.Dev)
	if err != nil {
		return nil, err
	}
	a.Views = rend

	// gorilla's defaults (SameSite=None, not HttpOnly, 30 days) are wrong for us.
	a.Sessions = sessions.NewCookieStore(cfg.SessionKeys...)
	a.Sessions.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int((14 * 24 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	a.Sessions.MaxAge(a.Sessions.Options.MaxAge) // the codecs keep their own 30 days unless told: refuse older cookies
	return a, nil
}

type cardData struct {
	A    models.Article
	Zone *time.Location
}
