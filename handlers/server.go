// Package handlers is Broadsheet's HTTP layer: routes, middleware, and the
// handlers that ask models for data and hand it to views.
package handlers

import (
	"fmt"
	"hash/maphash"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/sessions"
	"github.com/prometheus/client_golang/prometheus"

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
	CacheBytes    int64    // memory for cached pages and stories (default 64 MB)

	// Operations and limits; zero values take the defaults below.
	MetricsToken   string        // a scraper sending "Authorization: Bearer TOKEN" may read /metrics from anywhere
	DiskFloor      int64         // /readyz fails with less free space than this on the data folder's disk
	TrustedProxies []*net.IPNet  // X-Forwarded-For is believed only from these peers
	RateLimits     RateLimits    // per action; see limits.go
	FormBytes      int64         // body limit of a form post
	CommentBytes   int64         // body limit of a comment post
	MaxFormFields  int           // fields in one form post
	LivePoll       time.Duration // how often a server reads the version of a live story someone watches

	// MediaURL is the public address of the photo files (a public bucket or a CDN in
	// front of it), no trailing slash; pages then point there instead of at /media/.
	// Empty: photos are served by the site.
	MediaURL string
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
	// Metrics is this App's Prometheus registry, served at /metrics. Other parts of the
	// program register their own series on it (the mail outbox its queue length).
	Metrics *prometheus.Registry
	metrics *metrics

	// Caches. Each entry remembers the content versions it was built from and is used
	// only while the database still holds them (see pagecache.go).
	widgets      widgetCache                  // the reader widgets
	snap         atomic.Pointer[siteSnapshot] // settings, sections, next scheduled publication
	pages        *lru[*cachedPage]            // anonymous pages
	memberPages  *lru[*memberPage]            // pages as every member sees them, but for the name (memberpages.go)
	participants *lru[participation]          // whether a member took part in a discussion, by its version
	sessionsSeen *lru[sessionSeen]            // session cookies already decoded (session.go)
	accounts     *lru[accountSeen]            // logged-in readers' accounts, by the accounts' version (session.go)
	nameMark     string                       // rendered where a member's name goes in their shared pages
	cutMark      string                       // where a page rendered for the page cache may be cut into parts (cut.go)
	deflaters    sync.Pool                    // DEFLATE writers for pages' parts (deflatePart)
	deflated     *lru[[]byte]                 // pages' parts compressed, by their content (cut.go)
	pageBuffers  sync.Pool                    // buffers pages are put together in (memberpages.go, shell.go)
	bundles      *lru[*articleBundle]         // stories with the stories shown around them
	commentHTML  *lru[template.HTML]          // comments and pages of comments rendered, shared by every page showing them
	seeds        [2]maphash.Seed              // hash content into cache keys: comments' text (reuseComments), pages' parts (partKey)
	plainTexts   *lru[string]                 // comments' and live entries' text for the structured data, by their HTML
	ldLists      *lru[[]byte]                 // pages of comments as structured data, by the key of their rendering
	siteReads    sharedRead                   // the site and comments versions, read once for many requests
	discussions  *lru[discussionSeen]         // stories' discussion versions, by the comments version seen
	threadReads  *lru[*models.ThreadsRead]    // pages of threads as anonymous readers' last read them (readThreads)
	rendering    flight                       // misses being rendered, so each renders once
	live         *liveHub                     // live stories watched by readers' streams on this server

	gzip, brotli    *codec                   // compress cached pages (encoding.go)
	securityHeaders [2]*headerLines          // set on every answer, without HSTS and with it; the CSP names the photos' origin
	date            atomic.Pointer[dateLine] // this second's Date header (appendDate)
	mediaBase       string                   // where pages point for photo files, ending in "/"
}

// New builds an App: parses templates, fingerprints assets and configures the session store.
func New(cfg Config, store *models.Store, log *slog.Logger, viewsFS fs.FS) (*App, error) {
	if cfg.PerPage == 0 {
		cfg.PerPage = 12
	}
	if cfg.CacheBytes == 0 {
		cfg.CacheBytes = 64 << 20
	}
	if cfg.LivePoll == 0 {
		cfg.LivePoll = time.Second
	}
	cfg.withLimitDefaults()
	assets, err := public.NewAssets(public.FS)
	if err != nil {
		return nil, err
	}
	a := &App{Store: store, Assets: assets, Log: log, Now: time.Now, Config: cfg, Reads: models.NewReadCounter(store),
		pages: newLRU[*cachedPage](cfg.CacheBytes / 2), bundles: newLRU[*articleBundle](cfg.CacheBytes / 4),
		commentHTML: newLRU[template.HTML](cfg.CacheBytes / 4), deflated: newLRU[[]byte](cfg.CacheBytes / 16),
		plainTexts: newLRU[string](cfg.CacheBytes / 16), ldLists: newLRU[[]byte](cfg.CacheBytes / 16), discussions: newLRU[discussionSeen](4 << 20),
		threadReads: newLRU[*models.ThreadsRead](cfg.CacheBytes / 16), live: newLiveHub(),
		memberPages: newLRU[*memberPage](cfg.CacheBytes / 8), participants: newLRU[participation](1 << 20), nameMark: newMark("member"), cutMark: newMark("cut"),
		sessionsSeen: newLRU[sessionSeen](1 << 20), accounts: newLRU[accountSeen](1 << 20),
		gzip: newGzipCodec(), brotli: newBrotliCodec()}
	a.pageBuffers.New = func() any { return new([]byte) }
	a.seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	a.mediaBase, a.securityHeaders = models.MediaPath, newSecurityHeaders("")
	if cfg.MediaURL != "" {
		u, err := url.Parse(cfg.MediaURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("the media URL %q is not an absolute http(s) URL", cfg.MediaURL)
		}
		a.mediaBase = strings.TrimRight(cfg.MediaURL, "/") + "/"
		a.securityHeaders = newSecurityHeaders(u.Scheme + "://" + u.Host)
	}
	rend, err := views.NewRenderer(viewsFS, template.FuncMap{
		"photo":    func(m photoFiles, w int) string { return m.URLAt(a.mediaBase, w) },
		"srcset":   func(m photoFiles) string { return m.SrcSetAt(a.mediaBase) },
		"asset":    assets.URL,
		"date":     func(t time.Time, z *time.Location) string { return t.In(z).Format("2 January 2006") },
		"datetime": func(t time.Time, z *time.Location) string { return t.In(z).Format("2 January 2006, 15:04 MST") },
		"card":     func(a models.Article, z *time.Location) cardData { return cardData{A: a, Zone: z} },
		"clock":    func(t time.Time, z *time.Location) string { return t.In(z).Format("15:04") },
		"entry": func(e models.LiveEntry, z *time.Location, anchored bool) liveEntryData {
			return liveEntryData{E: e, Zone: z, Anchored: anchored}
		},
		"fielderr": func(e models.ValidationError, f string) fieldErr { return fieldErr{E: e, F: f} },
		"notefields": func(id int64, kind, body string, errs models.ValidationError, kinds []string) noteFields {
			return noteFields{ID: id, Kind: kind, Body: body, Errors: errs, Kinds: kinds}
		},
		"pickrow": func(p models.Pick, z *time.Location, now time.Time) pickRow { return pickRow{P: p, Zone: z, Now: now} },
		"golive":  goesLive,
	}, cfg.Dev)
	if err != nil {
		return nil, err
	}
	a.Views = rend
	a.Metrics = prometheus.NewRegistry()
	a.metrics = a.newMetrics(a.Metrics)

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

// liveEntryData is one live entry for the "live-entry" partial.
type liveEntryData struct {
	E        models.LiveEntry
	Zone     *time.Location
	Anchored bool // carries the id that links point to (false for the pinned copy)
}

// photoFiles is a photo in the library, as a template holds it: models.Media, or a
// story's models.Image, which carries one.
type photoFiles interface {
	URLAt(base string, w int) string
	SrcSetAt(base string) string
}

type cardData struct {
	A    models.Article
	Zone *time.Location
}
