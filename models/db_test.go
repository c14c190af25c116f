package models

import (
	"context"
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
	dir := tb.TempDir()
	var s *Store
	var err error
	if pgtest.Selected() {
		url := pgtest.Database(tb, PostgresSchemaID(), MigratePostgres)
		s, err = OpenPostgres(url, filepath.Join(dir, "uploads"))
	} else {
		s, err = Open(filepath.Join(dir, "test.db"), filepath.Join(dir, "uploads"))
	}
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
