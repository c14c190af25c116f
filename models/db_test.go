package models

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"broadsheet/models/pgtest"
)

// newTestDB opens a fresh, migrated database in a temp folder (never bare :memory:,
// where each pooled connection would see its own empty database).
// With BROADSHEET_TEST_DB=postgres it is a fresh PostgreSQL database instead (pgtest).
func newTestDB(tb testing.TB) *Store {
	tb.Helper()
	if !pgtest.Selected() {
		return sqliteStore(tb)
	}
	s, err := OpenPostgres(pgtest.Database(tb, PostgresSchemaID(), MigratePostgres), filepath.Join(tb.TempDir(), "uploads"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// sqliteStore is newTestDB on SQLite whichever engine the other tests run on: the
// tests of SQLite's query plans use it (PostgreSQL plans from the tables' sizes and
// takes no hint).
func sqliteStore(tb testing.TB) *Store {
	tb.Helper()
	dir := tb.TempDir()
	s, err := Open(filepath.Join(dir, "test.db"), filepath.Join(dir, "uploads"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// testNow is the pinned clock of model tests.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func TestMigrateFromEmptyIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.db")
	for i := 0; i < 2; i++ { // the second open must find nothing to do
		s, err := Open(path, dir)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		var n int
		if err := s.R.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		names, _ := migrationFS.ReadDir("migrations")
		if n != len(names) {
			t.Errorf("open #%d: %d migrations recorded, want %d", i+1, n, len(names))
		}
		for _, table := range []string{"articles", "users", "sections", "tags", "media", "comments", "settings"} {
			if err := s.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
		s.Close()
	}
}

func TestWritesDoNotSeeBusy(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		go func(i int) {
			_, err := s.Sections.Create(ctx, "Section "+string(rune('A'+i%26))+string(rune('a'+i/26)), "")
			errs <- err
		}(i)
	}
	for i := 0; i < 50; i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent write: %v", err)
		}
	}
}

// sqliteOnly marks a test of something only the SQLite engine has (pragmas, the file,
// its backup): on PostgreSQL it skips, saying why.
func sqliteOnly(tb testing.TB, s *Store, what string) {
	tb.Helper()
	if s.pg {
		tb.Skip("SQLite only: " + what)
	}
}

// TestEveryConnectionPlansWithoutBoundValues checks that the writer and each of the
// reader pool's connections (held all at once, so the pool must open every one) have
// the query planner stability guarantee on (sqlite_lib.go). Without it, a statement
// whose plan looked at its bound values is prepared again on every use, since the
// driver clears the bindings of each statement it keeps: nothing a test sees, but
// about a sixth of a comment post's CPU.
func TestEveryConnectionPlansWithoutBoundValues(t *testing.T) {
	s := newTestDB(t)
	sqliteOnly(t, s, "the planner setting is SQLite's")
	ctx := context.Background()
	check := func(name string, q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) {
		var on int
		if err := q.QueryRowContext(ctx, "SELECT broadsheet_stable_plans()").Scan(&on); err != nil || on != 1 {
			t.Errorf("%s: stable plans %d, %v; want 1", name, on, err)
		}
	}
	check("writer", s.W)
	for i := range 8 {
		conn, err := s.R.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		check(fmt.Sprintf("reader %d", i+1), conn)
	}
}

// TestBulkLoadTakesTheCacheItIsGiven checks that a bulk load's page cache is the size
// asked for (generate's -bulk-cache), the default when none is, and SQLite's default
// again once the load is closed, so the writer does not keep gigabytes afterwards.
func TestBulkLoadTakesTheCacheItIsGiven(t *testing.T) {
	s := newTestDB(t)
	sqliteOnly(t, s, "the page cache setting is SQLite's")
	ctx := context.Background()
	cache := func() int {
		var kib int
		if err := s.W.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&kib); err != nil {
			t.Fatal(err)
		}
		return kib
	}
	for _, c := range []struct{ asked, want int64 }{{64 << 20, -64 << 10}, {0, -DefaultBulkCache >> 10}} {
		b, err := s.Bulk(ctx, c.asked)
		if err != nil {
			t.Fatal(err)
		}
		if got := cache(); int64(got) != c.want {
			t.Errorf("bulk load asked for %d bytes: cache_size %d, want %d", c.asked, got, c.want)
		}
		if err := b.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if got := cache(); got != -2000 {
			t.Errorf("after the load: cache_size %d, want SQLite's default -2000", got)
		}
	}
}
