package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

//go:embed migrations/*.sql migrations_pg/*.sql
var migrationFS embed.FS

// migrationDir is where the engine's migrations live: SQLite's and PostgreSQL's are
// kept side by side, each forward-only, each numbered on its own.
func (s *Store) migrationDir() string { return s.dialect("migrations", "migrations_pg") }

// migrate applies, in lexical order, every embedded migration not yet recorded in
// schema_migrations, each in its own transaction. Migrations are forward-only:
// never edit one that has shipped; add the next number. done hears each one applied.
func migrate(ctx context.Context, s *Store, done func(name string)) error {
	db := s.W
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// A binary older than the database would run code that does not know the schema
	// (and could write rows the newer code no longer expects): refuse before anything.
	if s.pg {
		// Two nodes starting together must not both apply a migration.
		unlock, err := s.pgSessionLock(ctx, migrateLockKey)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer unlock()
	}
	applied, err := appliedMigrations(ctx, db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, unknown := s.compareMigrations(applied); len(unknown) > 0 {
		return newerDatabase(unknown)
	}
	names, err := fs.Glob(migrationFS, s.migrationDir()+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", name).Scan(&n); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if n > 0 {
			continue
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
			name, fmtTime(time.Now())); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		done(name)
	}
	return nil
}

// appliedMigrations names the migrations recorded in db.
func appliedMigrations(ctx context.Context, db *sql.DB) ([]string, error) {
	return queryAll(ctx, db, func(sc scanner) (string, error) {
		var v string
		return v, sc.Scan(&v)
	}, "SELECT version FROM schema_migrations")
}

// PostgresSchemaID names the PostgreSQL migrations this binary carries (a hash of
// them), so that test databases built from one schema are never used with another.
func PostgresSchemaID() string {
	h := sha256.New()
	names, _ := fs.Glob(migrationFS, "migrations_pg/*.sql") // the pattern is valid
	sort.Strings(names)
	for _, n := range names {
		b, _ := migrationFS.ReadFile(n)
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
