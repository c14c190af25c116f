package models_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/models/generate"
)

// The reader queries of every page kind, timed on a generated archive. By default the
// archive is 2,000 stories and 20,000 comments, generated once per test binary. Point
// BROADSHEET_BENCH_DB at a bigger database made by `broadsheet generate` (for example
// data/broadsheet.db after --articles 1000000 --comments 10000000) to measure that instead:
//
//	BROADSHEET_BENCH_DB=/path/broadsheet.db go test -tags sqlite_fts5 -run '^$' -bench Archive ./models
//
// Each benchmark reports p50 and p99 per operation besides the mean.

var archive struct {
	once sync.Once
	s    *models.Store
	now  time.Time
	p    benchParams
	err  error
	dir  string
}

// benchParams are the pages measured, chosen from the archive itself.
type benchParams struct {
	section, tag, author int64
	deepPage             int
	article              models.Article
	common, rare         string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if archive.s != nil {
		archive.s.Close()
	}
	if archive.dir != "" {
		os.RemoveAll(archive.dir)
	}
	os.Exit(code)
}

func benchArchive(b *testing.B) (*models.Store, time.Time, benchParams) {
	b.Helper()
	archive.once.Do(func() {
		ctx := context.Background()
		archive.now = time.Now().UTC()
		path := os.Getenv("BROADSHEET_BENCH_DB")
		if path == "" {
			if archive.dir, archive.err = os.MkdirTemp("", "broadsheet-bench"); archive.err != nil {
				return
			}
			path = filepath.Join(archive.dir, "bench.db")
		}
		if archive.s, archive.err = models.Open(path, filepath.Join(filepath.Dir(path), "uploads")); archive.err != nil {
			return
		}
		if archive.dir != "" {
			if _, archive.err = generate.Run(ctx, archive.s, generate.Options{Articles: 2000, Comments: 20000, Now: archive.now, Seed: 1}); archive.err != nil {
				return
			}
		}
		archive.p, archive.err = chooseParams(ctx, archive.s, archive.now)
	})
	if archive.err != nil {
		b.Fatal(archive.err)
	}
	return archive.s, archive.now, archive.p
}

// chooseParams picks the busiest section, tag and writer, the story with the biggest
// discussion, a common word and a rare one.
func chooseParams(ctx context.Context, s *models.Store, now time.Time) (benchParams, error) {
	var p benchParams
	var body string
	err := s.R.QueryRowContext(ctx, `SELECT
		(SELECT key FROM live_counts WHERE scope = 'section' ORDER BY n DESC LIMIT 1),
		(SELECT key FROM live_counts WHERE scope = 'tag' ORDER BY n DESC LIMIT 1),
		(SELECT key FROM live_counts WHERE scope = 'author' ORDER BY n DESC LIMIT 1),
		coalesce((SELECT body_src FROM articles WHERE body_src LIKE '%was mentioned too.%' LIMIT 1), '')`).Scan(&p.section, &p.tag, &p.author, &body)
	if err != nil {
		return p, err
	}
	var id int64
	if err := s.R.QueryRowContext(ctx, `SELECT article_id FROM comments WHERE status = 'approved'
		GROUP BY article_id ORDER BY count(*) DESC LIMIT 1`).Scan(&id); err != nil {
		return p, err
	}
	if p.article, err = s.Articles.Get(ctx, id); err != nil {
		return p, err
	}
	sec, err := s.Articles.Published(ctx, now, models.Filter{SectionID: p.section}, models.Page{Number: 1, Size: 12})
	p.deepPage = min(5000, sec.Pages)
	p.common = "council"
	p.rare = "cathedral lighthouse"
	if m := regexp.MustCompile(`of (\w+) was mentioned too`).FindStringSubmatch(body); m != nil {
		p.rare = m[1]
	}
	return p, err
}

// timed runs op b.N times and reports the median and the 99th percentile.
func timed(b *testing.B, op func(ctx context.Context) error) {
	b.Helper()
	ctx := context.Background()
	if err := op(ctx); err != nil { // warm the page cache, and fail early
		b.Fatal(err)
	}
	b.ReportAllocs()
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if err := op(ctx); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// list asks for one page of a story list and checks it is not empty.
func list(s *models.Store, now time.Time, f models.Filter, page int) func(context.Context) error {
	return func(ctx context.Context) error {
		got, err := s.Articles.Published(ctx, now, f, models.Page{Number: page, Size: 12})
		if err == nil && len(got.Items) == 0 {
			return errors.New("empty page")
		}
		return err
	}
}

func BenchmarkArchiveFront(b *testing.B) {
	s, now, _ := benchArchive(b)
	timed(b, func(ctx context.Context) error {
		if err := list(s, now, models.Filter{}, 1)(ctx); err != nil {
			return err
		}
		_, err := s.Articles.LatestBySection(ctx, now, 4, nil)
		return err
	})
}

func BenchmarkArchiveSection(b *testing.B) {
	s, now, p := benchArchive(b)
	b.Run("page1", func(b *testing.B) { timed(b, list(s, now, models.Filter{SectionID: p.section}, 1)) })
	b.Run("deep", func(b *testing.B) { timed(b, list(s, now, models.Filter{SectionID: p.section}, p.deepPage)) })
}

func BenchmarkArchiveTag(b *testing.B) {
	s, now, p := benchArchive(b)
	timed(b, list(s, now, models.Filter{TagID: p.tag}, 1))
}

func BenchmarkArchiveAuthor(b *testing.B) {
	s, now, p := benchArchive(b)
	timed(b, list(s, now, models.Filter{AuthorID: p.author}, 1))
}

// BenchmarkArchiveArticle is the story page's reads besides the discussion (which
// the comment store owns): the story, related stories and its neighbours.
func BenchmarkArchiveArticle(b *testing.B) {
	s, now, p := benchArchive(b)
	timed(b, func(ctx context.Context) error {
		a, err := s.Articles.PublishedBySlug(ctx, now, p.article.Slug)
		if err != nil {
			return err
		}
		if _, err := s.Articles.Related(ctx, now, a, 3); err != nil {
			return err
		}
		_, _, err = s.Articles.Neighbours(ctx, now, a)
		return err
	})
}

func BenchmarkArchiveSearch(b *testing.B) {
	s, now, p := benchArchive(b)
	for name, q := range map[string]string{"common": p.common, "rare": p.rare} {
		b.Run(name, func(b *testing.B) {
			timed(b, func(ctx context.Context) error {
				got, err := s.Articles.Search(ctx, now, models.SearchInput{Query: q}, models.Page{Number: 1, Size: 10})
				if err == nil && got.Total == 0 {
					return errors.New("nothing found for " + q)
				}
				return err
			})
		})
	}
}

func BenchmarkArchiveSitemap(b *testing.B) {
	s, now, _ := benchArchive(b)
	first, err := s.Articles.SitemapEntries(context.Background(), now, models.Page{Number: 1, Size: 1000})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("index", func(b *testing.B) {
		timed(b, func(ctx context.Context) error {
			if _, err := s.Articles.SitemapEntries(ctx, now, models.Page{Number: 1, Size: 1000}); err != nil {
				return err
			}
			_, err := s.Articles.LastModified(ctx)
			return err
		})
	})
	b.Run("lastpage", func(b *testing.B) {
		timed(b, func(ctx context.Context) error {
			_, err := s.Articles.SitemapEntries(ctx, now, models.Page{Number: first.Pages, Size: 1000})
			return err
		})
	})
}

func BenchmarkArchiveFeed(b *testing.B) {
	s, now, _ := benchArchive(b)
	timed(b, func(ctx context.Context) error {
		_, err := s.Articles.Published(ctx, now, models.Filter{}, models.Page{Number: 1, Size: 20})
		return err
	})
}
