// Package storetest opens a fresh store for a test on the engine the test run asks for:
// a SQLite file in a temporary folder by default, or, with BROADSHEET_TEST_DB=postgres,
// a database of its own on a real PostgreSQL server (see pgtest). Running a package's
// tests both ways is the store matrix (README, Tests).
package storetest

import (
	"path/filepath"
	"sync"
	"testing"

	"broadsheet/models"
	"broadsheet/models/pgtest"
)

// Open opens the store of the site in dir, closed when the test ends: a fresh, migrated
// one the first time, the same data when opened again with the same dir (a restart).
func Open(tb testing.TB, dir string) *models.Store {
	tb.Helper()
	var s *models.Store
	var err error
	if pgtest.Selected() {
		databases.Lock()
		url, ok := databases.byDir[dir]
		if !ok {
			url = PostgresDatabase(tb)
			databases.byDir[dir] = url
		}
		databases.Unlock()
		s, err = models.OpenPostgres(url, filepath.Join(dir, "uploads"))
	} else {
		s, err = models.Open(filepath.Join(dir, "test.db"), filepath.Join(dir, "uploads"))
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// PostgresDatabase creates a migrated, empty PostgreSQL database for one test (see
// pgtest.Database) and returns its URL, for a test that opens it itself.
func PostgresDatabase(tb testing.TB) string {
	tb.Helper()
	return pgtest.Database(tb, models.PostgresSchemaID(), models.MigratePostgres)
}

// databases remembers each site folder's PostgreSQL database, so that opening a folder
// again reaches the same data, as a SQLite file would.
var databases = struct {
	sync.Mutex
	byDir map[string]string
}{byDir: map[string]string{}}
