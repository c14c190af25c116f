package generate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/models/storetest"
)

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func openStore(tb testing.TB) *models.Store {
	tb.Helper()
	return storetest.Open(tb, tb.TempDir())
}

func TestGenerateSmallArchive(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	var calls int
	sum, err := Run(ctx, s, Options{Articles: 200, Comments: 2000, Now: testNow, Seed: 7,
		Progress: func(a, c int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Articles != 200 || sum.Comments != 2000 || calls == 0 {
		t.Fatalf("summary %+v after %d progress calls; want 200 stories and 2000 comments", sum, calls)
	}
	var stories, comments, replies, maxDepth, readers int
	err = s.R.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM comments),
		(SELECT count(*) FROM comments WHERE parent_id IS NOT NULL),
		(SELECT count(DISTINCT user_id) FROM comments)`).Scan(&stories, &comments, &replies, &readers)
	if err != nil {
		t.Fatal(err)
	}
	if stories != 200 || comments != 2000 || replies == 0 || readers < 5 {
		t.Errorf("database holds %d stories, %d comments (%d replies) from %d readers", stories, comments, replies, readers)
	}
	// Stories are given their status in bulk when a transaction commits; what the
	// triggers derive from it must match the stories themselves, to the last one.
	var live, counted, indexed, tagged int
	err = s.R.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM articles WHERE status IN ('published', 'scheduled') AND published_at IS NOT NULL),
		(SELECT n FROM live_counts WHERE scope = 'all' AND key = 0),
		(SELECT count(*) FROM search_docs),
		(SELECT count(*) FROM article_tags at JOIN articles a ON a.id = at.article_id
			WHERE (at.live_at IS NOT NULL) <> (a.status IN ('published', 'scheduled')))`).Scan(&live, &counted, &indexed, &tagged)
	if err != nil || live < 190 || counted != live || indexed != live || tagged != 0 {
		t.Errorf("%d live stories, %d counted live, %d in the search index, %d tag links with the wrong live_at (%v)",
			live, counted, indexed, tagged, err)
	}
	// The load leaves the planner's statistics whole: the first start would otherwise
	// gather what is missing, counting the search index's tables row by row (9 seconds
	// before the first page on the million-story archive). 0x10003 lists what a start's
	// optimize (0x10002) would analyse, analysing nothing; empty tables are listed
	// always (no statistics are kept for them) and cost nothing.
	if s.Engine() == "sqlite" {
		for _, table := range toAnalyse(t, s) {
			var n int
			if err := s.R.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil || n > 0 {
				t.Errorf("after the load the site's first start would analyse %s, %d rows (%v)", table, n, err)
			}
		}
	}
	err = s.R.QueryRowContext(ctx, `WITH RECURSIVE d(id, depth) AS (
		SELECT id, 1 FROM comments WHERE parent_id IS NULL
		UNION ALL SELECT c.id, d.depth + 1 FROM comments c JOIN d ON c.parent_id = d.id)
		SELECT max(depth) FROM d`).Scan(&maxDepth)
	if err != nil || maxDepth < 3 || maxDepth > 5 {
		t.Errorf("deepest reply at depth %d (%v), want 3 to 5 (the site's default limit)", maxDepth, err)
	}

	all, err := s.Articles.Published(ctx, testNow, models.Filter{}, models.Page{Number: 1, Size: 10})
	if err != nil || all.Total < 190 || len(all.Items) != 10 {
		t.Fatalf("front page: %d listed, total %d, %v; want nearly all 200 visible", len(all.Items), all.Total, err)
	}
	lead := all.Items[0]
	whole, err := s.Articles.Get(ctx, lead.ID) // a list's cards carry no body
	if err != nil || len(lead.Authors) == 0 || whole.BodyHTML == "" || lead.Section.ID == 0 {
		t.Errorf("newest story %q has authors %v, body %d bytes, section %d (%v)", lead.Title, lead.Authors, len(whole.BodyHTML), lead.Section.ID, err)
	}
	for name, f := range map[string]models.Filter{
		"section": {SectionID: lead.Section.ID},
		"author":  {AuthorID: lead.Authors[0].ID},
		"tag":     {TagID: firstTag(t, all.Items)},
	} {
		got, err := s.Articles.Published(ctx, testNow, f, models.Page{Number: 1, Size: 10})
		if err != nil || got.Total == 0 || len(got.Items) == 0 {
			t.Errorf("%s page: %d stories, %v", name, got.Total, err)
		}
	}
	for _, word := range []string{"council", lead.Title} {
		res, err := s.Articles.Search(ctx, testNow, models.SearchInput{Query: word}, models.Page{Number: 1, Size: 10})
		if err != nil || res.Total == 0 {
			t.Errorf("search %q: %d found, %v", word, res.Total, err)
		}
	}

	if _, err := Run(ctx, s, Options{Articles: 1, Now: testNow}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second run into a paper with stories: %v, want ErrNotEmpty", err)
	}
}

// firstTag returns a tag carried by one of the stories.
func firstTag(t *testing.T, arts []models.Article) int64 {
	t.Helper()
	for _, a := range arts {
		if len(a.Tags) > 0 {
			return a.Tags[0].ID
		}
	}
	t.Fatal("no story on the front page has a tag")
	return 0
}

// toAnalyse names the tables a start's PRAGMA optimize would analyse.
func toAnalyse(t *testing.T, s *models.Store) []string {
	t.Helper()
	rows, err := s.W.QueryContext(context.Background(), "PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10003")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var stmt string // ANALYZE "main"."search_docs"
		if err := rows.Scan(&stmt); err != nil {
			t.Fatal(err)
		}
		_, quoted, _ := strings.Cut(stmt, `"main".`)
		tables = append(tables, strings.Trim(quoted, `"`))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return tables
}
