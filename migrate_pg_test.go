package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"broadsheet/models"
	"broadsheet/models/sample"
	"broadsheet/models/storetest"
)

// readerView is what a reader sees of a site's published stories: each story by its
// slug, its numbered comment threads with scores, and its corrections.
type readerView struct {
	articles    map[string]models.Article
	threads     map[string]models.Paged[*models.Comment]
	corrections map[string][]models.Correction
	versions    models.Versions
}

func viewOf(t *testing.T, s *models.Store, now time.Time) readerView {
	t.Helper()
	ctx := context.Background()
	v := readerView{articles: map[string]models.Article{}, threads: map[string]models.Paged[*models.Comment]{},
		corrections: map[string][]models.Correction{}}
	list, err := s.Articles.Published(ctx, now, models.Filter{}, models.Page{Number: 1, Size: 100})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("%s: published stories: %v (%d)", s.Engine(), err, len(list.Items))
	}
	for _, a := range list.Items {
		full, err := s.Articles.PublishedBySlug(ctx, now, a.Slug)
		if err != nil {
			t.Fatalf("%s: %s: %v", s.Engine(), a.Slug, err)
		}
		v.articles[a.Slug] = full
		if v.threads[a.Slug], err = s.Comments.Thread(ctx, a.ID, 0, models.Page{Number: 1, Size: 50}); err != nil {
			t.Fatal(err)
		}
		if v.corrections[a.Slug], err = s.Corrections.ForArticle(ctx, a.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if v.versions, err = s.Versions(ctx, 0); err != nil {
		t.Fatal(err)
	}
	return v
}

// openPostgres opens the site moved to the database at url, closed when the test ends.
func openPostgres(t *testing.T, url, dir string) *models.Store {
	t.Helper()
	pg, err := models.OpenPostgres(url, uploadsDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	return pg
}

// countRows counts a table's rows.
func countRows(t *testing.T, s *models.Store, table string) int64 {
	t.Helper()
	var n int64
	if err := s.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The sample paper, with a vote, a correction and a live story added, reads the same on
// PostgreSQL after the copy; new comments and stories number on from the copied ones;
// a second copy into the same database is refused and changes nothing.
func TestSqliteToPostgresCopiesTheSamplePaper(t *testing.T) {
	cleanEnv(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	url := storetest.PostgresDatabase(t) // first: without PostgreSQL the test skips before seeding
	dir := newSite(t)
	src, err := openSite(site{data: dir}, false)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := src.Users.Create(ctx, now, models.NewUser{Email: "ada@example.com", Name: "Ada Admin",
		Role: models.RoleAdmin, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sample.Seed(ctx, src, now, admin); err != nil {
		t.Fatal(err)
	}
	list, err := src.Articles.Published(ctx, now, models.Filter{}, models.Page{Number: 1, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	var discussed, live models.Article
	for _, a := range list.Items {
		if a.CommentCount > 0 && discussed.ID == 0 {
			discussed = a
		} else if live.ID == 0 {
			live = a
		}
	}
	thread, err := src.Comments.Thread(ctx, discussed.ID, 0, models.Page{Number: 1, Size: 50})
	if err != nil || len(thread.Items) == 0 {
		t.Fatalf("no comments on %q: %v", discussed.Slug, err)
	}
	if _, err := src.Comments.Vote(ctx, now, thread.Items[0].ID, admin, models.VoteUp); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Corrections.File(ctx, now, discussed.ID, models.CorrectionInput{Kind: "correction",
		Body: "An earlier version of this story gave the wrong date for the vote.", UserID: admin.ID}); err != nil {
		t.Fatal(err)
	}
	if err := src.Live.Start(ctx, now, live.ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Live.Post(ctx, now, live.ID, admin.ID, models.LiveEntryInput{Title: "Polls close", Body: "Counting starts in the town hall."}); err != nil {
		t.Fatal(err)
	}
	want := viewOf(t, src, now)
	wantLive, err := src.Live.Coverage(ctx, live.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want.threads[discussed.Slug].Items[0].Score != 1 {
		t.Fatalf("the vote did not count: %+v", want.threads[discussed.Slug].Items[0])
	}
	src.Close()

	r := runCLI("", "migrate", "sqlite-to-postgres", "-data", dir, "-db", url)
	if r.code != 0 {
		t.Fatalf("migrate sqlite-to-postgres: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, says := range []string{"Row counts:", "live_entries", "Copied ", "broadsheet media copy-to-s3"} {
		if !strings.Contains(r.stdout, says) {
			t.Errorf("no %q in the output:\n%s", says, r.stdout)
		}
	}

	pg := openPostgres(t, url, dir)
	got := viewOf(t, pg, now)
	if !reflect.DeepEqual(got.versions, want.versions) {
		t.Errorf("cache versions: %+v on PostgreSQL, %+v on SQLite", got.versions, want.versions)
	}
	for slug, a := range want.articles {
		if !reflect.DeepEqual(got.articles[slug], a) {
			t.Errorf("story %s differs:\n got %+v\nwant %+v", slug, got.articles[slug], a)
		}
		if !reflect.DeepEqual(got.threads[slug], want.threads[slug]) {
			t.Errorf("comments of %s differ:\n got %s\nwant %s", slug, threadLine(got.threads[slug]), threadLine(want.threads[slug]))
		}
		if !reflect.DeepEqual(got.corrections[slug], want.corrections[slug]) {
			t.Errorf("corrections of %s differ: %+v, want %+v", slug, got.corrections[slug], want.corrections[slug])
		}
	}
	if gotLive, err := pg.Live.Coverage(ctx, live.ID); err != nil || !reflect.DeepEqual(gotLive, wantLive) {
		t.Errorf("live coverage on PostgreSQL: %+v (%v), want %+v", gotLive, err, wantLive)
	}
	hits, err := pg.Articles.Search(ctx, now, models.SearchInput{Query: discussed.Title}, models.Page{Number: 1, Size: 10})
	if err != nil || len(hits.Items) == 0 || hits.Items[0].ID != discussed.ID {
		t.Errorf("searching PostgreSQL for %q: %v %+v", discussed.Title, err, hits.Items)
	}

	// New rows number on from the copied ones.
	var lastComment, lastArticle int64
	pg.R.QueryRow("SELECT max(id) FROM comments").Scan(&lastComment)
	pg.R.QueryRow("SELECT max(id) FROM articles").Scan(&lastArticle)
	c, err := pg.Comments.Post(ctx, now, models.NewComment{ArticleID: discussed.ID, User: &admin, Body: "Posted after the move."})
	if err != nil || c.ID <= lastComment {
		t.Errorf("a new comment got id %d (%v), want one above %d", c.ID, err, lastComment)
	}
	id, err := pg.Articles.Create(ctx, now, models.ArticleInput{Title: "The first story on PostgreSQL", Body: "Written after the move.",
		SectionID: discussed.Section.ID, AuthorIDs: []int64{admin.ID}, Status: models.StatusPublished, PublishedAt: now, CommentsOpen: true})
	if err != nil || id <= lastArticle {
		t.Errorf("a new story got id %d (%v), want one above %d", id, err, lastArticle)
	}

	// A second copy is refused, and the database keeps what it has.
	comments, articles := countRows(t, pg, "comments"), countRows(t, pg, "articles")
	r = runCLI("", "migrate", "sqlite-to-postgres", "-data", dir, "-db", url)
	if r.code != exitFailure || !strings.Contains(r.stderr, "already holds articles, users or comments") || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("a second copy: exit %d, stderr %q", r.code, r.stderr)
	}
	if countRows(t, pg, "comments") != comments || countRows(t, pg, "articles") != articles {
		t.Error("the refused copy changed the database")
	}
}

// threadLine is a thread as a reader sees it: number, author, score and text of each comment.
func threadLine(p models.Paged[*models.Comment]) string {
	var b strings.Builder
	var walk func([]*models.Comment)
	walk = func(cs []*models.Comment) {
		for _, c := range cs {
			fmt.Fprintf(&b, "[#%d %d %s %+d %.20q]", c.Number, c.ID, c.Name, c.Score, c.BodySrc)
			walk(c.Replies)
		}
	}
	walk(p.Items)
	return b.String()
}

// generatedSite is a new PostgreSQL database and a SQLite site generated with that
// many stories and comments.
func generatedSite(t *testing.T, articles, comments string) (url, dir string) {
	t.Helper()
	cleanEnv(t)
	url = storetest.PostgresDatabase(t) // first: without PostgreSQL the test skips before generating
	dir = filepath.Join(t.TempDir(), "site")
	if r := runCLI("", "generate", "-data", dir, "-articles", articles, "-comments", comments); r.code != 0 {
		t.Fatalf("generate: exit %d\n%s", r.code, r.stderr)
	}
	return url, dir
}

// sqliteExec runs a statement on the site's SQLite database behind the store's back,
// foreign keys off: the kind of row an old database may hold.
func sqliteExec(t *testing.T, dir, statement string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "broadsheet.db")+"?_foreign_keys=off")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(statement); err != nil {
		t.Fatal(err)
	}
}

// A generated archive of some size moves whole: the command's own count comparison
// passes, and the stories and comments are all there.
func TestSqliteToPostgresCopiesAGeneratedArchive(t *testing.T) {
	url, dir := generatedSite(t, "2000", "20000")
	// SQLite keeps any bytes; PostgreSQL text holds only UTF-8 without NUL.
	sqliteExec(t, dir, "UPDATE comments SET body_src = CAST(X'4869FF00' AS TEXT) WHERE id = 7")
	start := time.Now()
	r := runCLI("", "migrate", "sqlite-to-postgres", "-data", dir, "-db", url)
	if r.code != 0 || strings.Contains(r.stdout, "DIFFERENT") {
		t.Fatalf("migrate sqlite-to-postgres: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("copied 2,000 stories and 20,000 comments in %s", time.Since(start).Round(time.Millisecond))
	pg := openPostgres(t, url, dir)
	if n := countRows(t, pg, "articles"); n != 2000 {
		t.Errorf("%d stories on PostgreSQL, want 2000", n)
	}
	if n := countRows(t, pg, "comments"); n != 20000 {
		t.Errorf("%d comments on PostgreSQL, want 20000", n)
	}
	var body string
	if err := pg.R.QueryRow("SELECT body_src FROM comments WHERE id = 7").Scan(&body); err != nil || body != "Hi\uFFFD" ||
		!strings.Contains(r.stdout, "1 text value(s) held bytes PostgreSQL cannot store") {
		t.Errorf("a comment with a stray byte and a NUL: %q (%v) on PostgreSQL\n%s", body, err, r.stdout)
	}
}

// Without -db, or with a -db that is not PostgreSQL, the command says what it needs.
func TestSqliteToPostgresUsage(t *testing.T) {
	cleanEnv(t)
	dir := newSite(t)
	for _, args := range [][]string{
		{"migrate", "sqlite-to-postgres", "-data", dir},
		{"migrate", "sqlite-to-postgres", "-data", dir, "-db", filepath.Join(dir, "other.db")},
		{"migrate", "sqlite-to-postgres", "-data", dir, "-db", "postgres://x@localhost/db", "extra"},
	} {
		if r := runCLI("", args...); r.code != exitUsage || !strings.Contains(r.stderr, "broadsheet migrate") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if r := runCLI("", "migrate", "sqlite-to-postgres", "--help"); r.code != 0 || !strings.Contains(r.stdout, "broadsheet media copy-to-s3") ||
		!strings.Contains(r.stdout, "not in it") {
		t.Errorf("help: exit %d\n%s", r.code, r.stdout)
	}
}

// A copy that fails half-way (here on a vote for a comment that is not there, which
// PostgreSQL's foreign keys refuse even with the triggers off) leaves the database as
// it was: empty, so it can be fixed and run again.
func TestSqliteToPostgresLeavesNothingBehindWhenItFails(t *testing.T) {
	url, dir := generatedSite(t, "20", "60")
	sqliteExec(t, dir, "INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (999999, 1, 1, '2026-11-29T10:00:00Z')")
	r := runCLI("", "migrate", "sqlite-to-postgres", "-data", dir, "-db", url)
	if r.code != exitFailure || !strings.Contains(r.stderr, "nothing was copied") || !strings.Contains(r.stderr, "comment_votes") {
		t.Fatalf("a copy with a broken reference: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	pg := openPostgres(t, url, dir)
	for table, want := range map[string]int64{"articles": 0, "users": 0, "comments": 0, "cache_versions": 1} {
		if n := countRows(t, pg, table); n != want {
			t.Errorf("%s holds %d rows after the failed copy, want %d", table, n, want)
		}
	}
}
