package models

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"
)

// TestTranslatePG pins the statement translation every PostgreSQL query goes through:
// a placeholder numbered wrong, or one rewritten inside a string, would send readers'
// words to the wrong column.
func TestTranslatePG(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"SELECT ?2, ?1, ?", "SELECT $2, $1, $3"},
		{"SELECT '?' || ? FROM t -- what?\nWHERE x = ?", "SELECT '?' || $1 FROM t -- what?\nWHERE x = $2"},
		{`SELECT "we?ird" FROM t WHERE s = 'it''s ?' AND n = ?`, `SELECT "we?ird" FROM t WHERE s = 'it''s ?' AND n = $1`},
		{"SELECT id FROM articles a INDEXED BY articles_live WHERE x = ?", "SELECT id FROM articles a  WHERE x = $1"},
		{"SELECT id FROM t NOT INDEXED WHERE title NOT LIKE ?", "SELECT id FROM t  WHERE title NOT ILIKE $1"},
		{"WHERE to_addr = ? COLLATE NOCASE AND kind = ?", "WHERE to_addr = $1  AND kind = $2"},
		{"SELECT x LIMIT -1 OFFSET ?", "SELECT x LIMIT ALL OFFSET $1"},
		{"SELECT alike, likely FROM t /* LIKE ? */", "SELECT alike, likely FROM t /* LIKE ? */"},
		{"CREATE FUNCTION f() AS $$ SELECT ? LIKE 'x' $$; SELECT ?", "CREATE FUNCTION f() AS $$ SELECT ? LIKE 'x' $$; SELECT $1"},
	} {
		if got := translatePG(tt.in, nil); got != tt.want {
			t.Errorf("translatePG(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
	named := []driver.NamedValue{{Name: "viewer", Ordinal: 1}, {Name: "article", Ordinal: 2}}
	got := pgSQL("SELECT x::text FROM c WHERE a = :article AND (u = :viewer OR v = :viewer) AND t = ':viewer'", named)
	if want := "SELECT x::text FROM c WHERE a = $2 AND (u = $1 OR v = $1) AND t = ':viewer'"; got != want {
		t.Errorf("named:\n got %q\nwant %q", got, want)
	}
}

// A periodic chore runs on one server at a time: while one holds it, another server's
// turn is skipped (on PostgreSQL; SQLite has one server, where it always runs).
func TestExclusivelyRunsAChoreOnce(t *testing.T) {
	s := newTestDB(t)
	other := nodes(t, s, 2)[1] // a second server on the same database

	ctx := context.Background()
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := s.Exclusively(ctx, "digest", func() error { close(inside); <-release; return nil })
		done <- err
	}()
	<-inside
	ranSame, err := other.Exclusively(ctx, "digest", func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	ranOther, err := other.Exclusively(ctx, "purge", func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if want := !s.pg; ranSame != want {
		t.Errorf("the same chore on a second server while the first runs it: ran %v, want %v", ranSame, want)
	}
	if !ranOther {
		t.Error("a different chore did not run")
	}
	if ran, err := other.Exclusively(ctx, "digest", func() error { return nil }); err != nil || !ran {
		t.Errorf("the chore after the first server finished: ran %v, %v; want it to run", ran, err)
	}
}

// A database that refuses writes is an outage to report (503 and what to fix), not a
// server error, on either engine: here the real error of a read-only transaction.
func TestReadOnlyWritesAreUnwritable(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	begin := s.dialect("PRAGMA query_only = 1", "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
	conn, err := s.W.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(ctx, "INSERT INTO sections (name, slug) VALUES ('World', 'world')")
	uw, ok := AsUnwritable(err)
	if !ok || !strings.Contains(uw.Fix, "read-only") {
		t.Errorf("a write to a read-only database: %v, classified %v", err, uw)
	}
	// Undo it before the connection goes back to the pool.
	conn.ExecContext(ctx, s.dialect("PRAGMA query_only = 0", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"))
	if _, ok := AsUnwritable(ValidationError{"name": "taken"}); ok {
		t.Error("a validation error was classified as an outage")
	}
}
