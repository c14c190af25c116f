package handlers

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"broadsheet/models"
	"broadsheet/models/generate"
	"broadsheet/views"
)

// Every page kind of a large archive, each request a cache miss: before each one the
// site's content version moves, as any saved story moves it, so the page, the site
// snapshot, the widgets and the story's bundle are all read and rendered afresh (the
// comments' renderings are kept by their own versions). The database is warm: this is
// the first view of a page after an edit, not the first after a restart.
//
// By default the archive is 2,000 stories and 20,000 comments, generated once per test
// binary. Point BROADSHEET_BENCH_DB at a database made by `broadsheet generate` to
// measure that one instead (the benchmark moves its version counter, nothing else):
//
//	broadsheet generate -data /tmp/big -articles 1000000 -comments 10000000
//	BROADSHEET_BENCH_DB=/tmp/big/broadsheet.db go test -tags sqlite_fts5 -run '^$' -bench Archive -benchtime 200x ./handlers
//
// Each page reports its median and 99th percentile besides the mean.
func BenchmarkArchive(b *testing.B) {
	a, pages := archiveSite(b)
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			bump := func() {
				if _, err := a.Store.W.ExecContext(context.Background(), `UPDATE cache_versions SET site = site + 1`); err != nil {
					b.Fatal(err)
				}
			}
			clients := 0
			get := func() {
				req := httptest.NewRequest(http.MethodGet, p.path, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				// Each request from another reader, as on a busy site: search limits each reader's rate.
				clients++
				req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", clients>>16&255, clients>>8&255, clients&255)
				rec := httptest.NewRecorder()
				a.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", p.path, rec.Code)
				}
			}
			bump()
			get() // fail early, and warm what a running site has warm
			hits := testutil.ToFloat64(a.metrics.cacheHits)
			b.ReportAllocs()
			var took []time.Duration
			for b.Loop() {
				b.StopTimer()
				bump()
				b.StartTimer()
				start := time.Now()
				get()
				took = append(took, time.Since(start))
			}
			if n := testutil.ToFloat64(a.metrics.cacheHits) - hits; n != 0 {
				b.Fatalf("%s: %v answers came from the page cache; every one should be rendered afresh", p.path, n)
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// archivePage is one page measured: a name for the benchmark and its address.
type archivePage struct{ name, path string }

var archive struct {
	once  sync.Once
	app   *archiveApp
	pages []archivePage
	err   error
}

type archiveApp struct {
	*App
	h http.Handler
}

// archiveSite opens (or generates) the archive once per test binary and chooses the
// pages to measure from it.
func archiveSite(b *testing.B) (*archiveApp, []archivePage) {
	b.Helper()
	archive.once.Do(func() {
		archive.app, archive.pages, archive.err = openArchive(context.Background())
	})
	if archive.err != nil {
		b.Fatal(archive.err)
	}
	return archive.app, archive.pages
}

func openArchive(ctx context.Context) (*archiveApp, []archivePage, error) {
	path := os.Getenv("BROADSHEET_BENCH_DB")
	generated := path == ""
	if generated {
		dir, err := os.MkdirTemp("", "broadsheet-archive")
		if err != nil {
			return nil, nil, err
		}
		// The store stays open for the life of the binary; the folder goes with the machine's temp.
		path = filepath.Join(dir, "broadsheet.db")
	}
	store, err := models.Open(path, filepath.Join(filepath.Dir(path), "uploads"))
	if err != nil {
		return nil, nil, err
	}
	if generated {
		if _, err := generate.Run(ctx, store, generate.Options{Articles: 2000, Comments: 20000, Now: time.Now().UTC(), Seed: 1}); err != nil {
			return nil, nil, err
		}
	}
	key := []byte(strings.Repeat("k", 32))
	app, err := New(Config{BaseURL: "http://news.test", SessionKeys: [][]byte{key, key}}, store,
		slog.New(slog.NewTextHandler(io.Discard, nil)), views.FS)
	if err != nil {
		return nil, nil, err
	}
	if err := app.rankWidgets(ctx); err != nil { // as the ranking job does when a server starts
		return nil, nil, err
	}
	pages, err := archivePages(ctx, store.R, app.Config.PerPage)
	return &archiveApp{App: app, h: app.Routes()}, pages, err
}

// archivePages picks the busiest section, tag and writer, the story with the biggest
// discussion (its first and last discussion page), a common word and a rare one (one
// of the invented place names that only a few stories mention), and the middle and
// last story sitemaps.
func archivePages(ctx context.Context, db *sql.DB, perPage int) ([]archivePage, error) {
	var section, tag, author, story, body string
	var sectionLive, threads, lastLive int
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT s.slug FROM live_counts c JOIN sections s ON s.id = c.key WHERE c.scope = 'section' ORDER BY c.n DESC LIMIT 1),
		(SELECT count(*) FROM articles WHERE status IN ('published', 'scheduled') AND published_at <= ?
			AND section_id = (SELECT key FROM live_counts WHERE scope = 'section' ORDER BY n DESC LIMIT 1)),
		(SELECT t.slug FROM live_counts c JOIN tags t ON t.id = c.key WHERE c.scope = 'tag' ORDER BY c.n DESC LIMIT 1),
		(SELECT u.slug FROM live_counts c JOIN users u ON u.id = c.key WHERE c.scope = 'author' ORDER BY c.n DESC LIMIT 1),
		(SELECT a.slug FROM discussions d JOIN articles a ON a.id = d.article_id
			WHERE a.status = 'published' ORDER BY d.approved DESC LIMIT 1),
		(SELECT d.threads FROM discussions d JOIN articles a ON a.id = d.article_id
			WHERE a.status = 'published' ORDER BY d.approved DESC LIMIT 1),
		(SELECT max(id) FROM articles WHERE status IN ('published', 'scheduled')),
		coalesce((SELECT body_src FROM articles WHERE status = 'published' AND body_src LIKE '%was mentioned too.%' LIMIT 1), '')`,
		time.Now().UTC().Format(time.RFC3339)).Scan(&section, &sectionLive, &tag, &author, &story, &threads, &lastLive, &body)
	if err != nil {
		return nil, fmt.Errorf("choosing the pages to measure: %w", err)
	}
	rare := "lighthouse"
	if m := regexp.MustCompile(`of (\w+) was mentioned too`).FindStringSubmatch(body); m != nil {
		rare = m[1]
	}
	deep := max(2, min(5000, (sectionLive+perPage-1)/perPage))
	// The same deep page as a reader reaches it by the Older link: after the last story
	// of the page before.
	var after int64
	if err := db.QueryRowContext(ctx, `SELECT a.id FROM articles a JOIN sections s ON s.id = a.section_id
		WHERE s.slug = ? AND a.status IN ('published', 'scheduled') AND a.published_at <= ?
		ORDER BY a.published_at DESC, a.id DESC LIMIT 1 OFFSET ?`,
		section, time.Now().UTC().Format(time.RFC3339), (deep-1)*perPage-1).Scan(&after); err != nil {
		return nil, fmt.Errorf("choosing the story before page %d: %w", deep, err)
	}
	lastDiscussion := max(1, (threads+threadsPerPage-1)/threadsPerPage)
	lastSitemap := max(1, (lastLive+sitemapSize-1)/sitemapSize)
	return []archivePage{
		{"front", "/"},
		{"section/page1", "/section/" + section},
		{fmt.Sprintf("section/page%d", deep), fmt.Sprintf("/section/%s?page=%d", section, deep)},
		{fmt.Sprintf("section/page%d-by-older-link", deep), fmt.Sprintf("/section/%s?page=%d&after=%d", section, deep, after)},
		{"tag", "/tag/" + tag},
		{"author", "/author/" + author},
		{"article/discussion1", "/articles/" + story},
		{fmt.Sprintf("article/discussion%d", lastDiscussion), fmt.Sprintf("/articles/%s?cpage=%d", story, lastDiscussion)},
		{"search/common", "/search?q=council"},
		{"search/rare", "/search?q=" + url.QueryEscape(rare)},
		{"sitemap/index", "/sitemap.xml"},
		{fmt.Sprintf("sitemap/articles-%d", (lastSitemap+1)/2), fmt.Sprintf("/sitemaps/articles-%d.xml", (lastSitemap+1)/2)}, // farthest from either end
		{fmt.Sprintf("sitemap/articles-%d", lastSitemap), fmt.Sprintf("/sitemaps/articles-%d.xml", lastSitemap)},
		{"feed/site", "/feed.rss"},
		{"feed/section", "/section/" + section + "/feed.atom"},
	}, nil
}
