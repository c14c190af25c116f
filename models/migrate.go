package models

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies, in lexical order, every embedded migration not yet recorded in
// schema_migrations, each in its own transaction. Migrations are forward-only:
// never edit one that has shipped; add the next number. done hears each one applied.
func migrate(ctx context.Context, db *sql.DB, done func(name string)) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// A binary older than the database would run code that does not know the schema
	// (and could write rows the newer code no longer expects): refuse before anything.
	applied, err := appliedMigrations(ctx, db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, unknown := compareMigrations(applied); len(unknown) > 0 {
		return newerDatabase(unknown)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
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
