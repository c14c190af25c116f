package handlers

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"broadsheet/models"
	"broadsheet/views"
)

// statements counts every SQL statement the site sends, through a wrapper of the SQLite
// driver registered once for the test binary.
var statements atomic.Int64

func init() { sql.Register("sqlite3-counted", countingDriver{}) }

type countingDriver struct{}

func (countingDriver) Open(dsn string) (driver.Conn, error) {
	c, err := (&sqlite3.SQLiteDriver{}).Open(dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{c.(*sqlite3.SQLiteConn)}, nil
}

type countingConn struct{ *sqlite3.SQLiteConn }

func (c countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	statements.Add(1)
	return c.SQLiteConn.QueryContext(ctx, q, args)
}

func (c countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	statements.Add(1)
	return c.SQLiteConn.ExecContext(ctx, q, args)
}

func (c countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	s, err := c.SQLiteConn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return countingStmt{s.(*sqlite3.SQLiteStmt)}, nil
}

type countingStmt struct{ *sqlite3.SQLiteStmt }

func (s countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	statements.Add(1)
	return s.SQLiteStmt.QueryContext(ctx, args)
}

func (s countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	statements.Add(1)
	return s.SQLiteStmt.ExecContext(ctx, args)
}

// newCountedApp is newTestApp over the counting driver.
func newCountedApp(tb testing.TB) *testApp {
	tb.Helper()
	dir := tb.TempDir()
	store, err := models.OpenDriver("sqlite3-counted", filepath.Join(dir, "test.db"), filepath.Join(dir, "uploads"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	key := []byte(strings.Repeat("k", 32))
	app, err := New(Config{BaseURL: "http://news.test", SessionKeys: [][]byte{key, key}, PerPage: 5},
		store, slog.New(slog.NewTextHandler(io.Discard, nil)), views.FS)
	if err != nil {
		tb.Fatal(err)
	}
	app.Now = func() time.Time { return testNow }
	return &testApp{App: app, h: app.Routes(), tb: tb}
}

// counted runs fn and returns how many statements it sent.
func counted(fn func()) int64 {
	before := statements.Load()
	fn()
	return statements.Load() - before
}

// countedDesk is a counted app with an editor and n earlier stories in World,
// published an hour apart, each with tags.
func countedDesk(t *testing.T, n int, tags ...string) (*testApp, models.User, models.Section) {
	ta := newCountedApp(t)
	ed := ta.user("Mina Karimi", models.RoleEditor)
	world := ta.section("World")
	for i := range n {
		ta.article(fmt.Sprintf("Earlier story %d", i), world, ed, func(in *models.ArticleInput) {
			in.PublishedAt = testNow.Add(-time.Duration(i+2) * time.Hour)
			in.Tags = tags
		})
	}
	return ta, ed, world
}

// A cached article page costs one statement (the versions); the first view after a
// comment, the common miss on a busy story, at most three.
func TestArticlePageStatementCount(t *testing.T) {
	ta, ed, world := countedDesk(t, 5, "Talks")
	art := ta.article("Talks resume in Tehran", world, ed, func(in *models.ArticleInput) { in.Tags = []string{"Talks"} })
	for i := range 60 {
		ta.comment(art, ed, 0, fmt.Sprintf("Comment number %d", i))
	}
	path := "/articles/" + art.Slug
	cold := counted(func() { ta.get(path).Body.Close() })
	if hit := counted(func() { ta.get(path).Body.Close() }); hit != 1 {
		t.Errorf("cache hit sent %d statements, want 1", hit)
	}
	// Posted at the same instant: staff are exempt from flood control.
	if _, err := ta.Store.Comments.Post(context.Background(), ta.Now(), models.NewComment{ArticleID: art.ID, User: &ed, Body: "The newest comment"}); err != nil {
		t.Fatal(err)
	}
	var page string
	miss := counted(func() { page = body(t, ta.get(path)) })
	if !strings.Contains(page, "61 comments") { // the new one is on the second page of threads
		t.Fatal("the miss did not count the new comment")
	}
	if miss > 3 {
		t.Errorf("the first view after a comment sent %d statements, want at most 3", miss)
	}
	t.Logf("statements: cold %d, hit 1, miss after a comment %d", cold, miss)
}

// A feed reads its stories in one statement, whole, and no count (it has no pager).
// Here, the feed of a section read again after a story was published in it, with the
// site's state (sections, settings, widgets) read anew as well.
func TestFeedStatementCount(t *testing.T) {
	ta, ed, world := countedDesk(t, 3)
	path := "/section/" + world.Slug + "/feed.rss"
	ta.get(path).Body.Close()
	ta.article("Talks resume in Tehran", world, ed, nil)
	var feed string
	n := counted(func() { feed = body(t, ta.get(path)) })
	if !strings.Contains(feed, "Talks resume in Tehran") {
		t.Fatal("the feed read after a story was published does not list it")
	}
	// 10: the versions, the site's state and widgets read anew, the section and the
	// stories; reading the list's count as well made 11.
	if n > 10 {
		t.Errorf("the feed after a new story sent %d statements, want at most 10", n)
	}
}
