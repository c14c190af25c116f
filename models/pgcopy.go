package models

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Moving a site from SQLite to PostgreSQL copies the tables as they are, ids and all:
// the derived rows too (discussions, cache_versions, live_counts, search_docs), with
// the target's triggers off, so that counts are copied rather than counted again on
// top of the copy. Foreign keys stay checked (they are not user triggers).

// TableCopy is one table of a copy from SQLite to PostgreSQL.
type TableCopy struct {
	Table  string
	Source int64         // rows in the SQLite snapshot
	Target int64         // rows in PostgreSQL once the copy is committed
	Took   time.Duration // time to copy the table's rows
	// Mended counts the text values PostgreSQL could not hold as SQLite had them (bytes
	// that are not UTF-8, NUL), stored mended as the store mends new input (see pgText).
	Mended int64
}

// ErrTargetNotEmpty: the PostgreSQL database already holds a site's stories, accounts or comments.
var ErrTargetNotEmpty = errors.New("the PostgreSQL database already holds articles, users or comments: copy only into a new, empty database")

// sqliteOnlyTable reports whether a SQLite table has no counterpart in PostgreSQL by
// design: FTS5's index (search_docs.document is PostgreSQL's), SQLite's own tables,
// and the migration record, which each engine keeps for its own migrations.
func sqliteOnlyTable(name string) bool {
	return strings.HasPrefix(name, "search_index") || strings.HasPrefix(name, "sqlite_") || name == "schema_migrations"
}

// pgTable is a table of the PostgreSQL schema as the copy sees it.
type pgTable struct {
	name     string
	columns  []string        // the columns to copy: in both schemas, not generated
	text     map[string]bool // the columns of text types (text, citext)
	identity string          // the identity column among them, if any, whose numbering continues after the copy
}

// CopyToPostgres copies the whole site in s (SQLite) into dst (PostgreSQL, migrated and
// empty), reading one SQLite snapshot (so s may be serving meanwhile; later writes are
// not in the copy) and writing in one PostgreSQL transaction (so a failed copy leaves
// dst as it was). progress hears each table once it is copied. The result has every
// copied table with its row counts on both sides, read after the commit.
func (s *Store) CopyToPostgres(ctx context.Context, dst *Store, progress func(TableCopy)) ([]TableCopy, error) {
	if s.pg || !dst.pg {
		return nil, errors.New("copy to PostgreSQL: want a SQLite store to copy from and a PostgreSQL one to copy to")
	}
	conn, err := dst.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// The store's write lock: no node on dst writes while the copy runs.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", writeLockKey); err != nil {
		return nil, err
	}
	var held int64
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM users)
		+ (SELECT count(*) FROM comments)`).Scan(&held); err != nil {
		return nil, err
	}
	if held > 0 {
		return nil, ErrTargetNotEmpty
	}
	tables, err := pgCopyTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	var copies []TableCopy
	err = s.Export(ctx, func(x *Snapshot) error {
		if err := x.matchColumns(ctx, tables); err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.Exec(ctx, "ALTER TABLE "+t.name+" DISABLE TRIGGER USER"); err != nil {
				return err
			}
		}
		// A new database starts with a few rows of its own (the cache versions, the
		// archive's count); the site's rows replace them.
		for _, t := range slices.Backward(tables) {
			if _, err := tx.Exec(ctx, "DELETE FROM "+t.name); err != nil {
				return err
			}
		}
		for _, t := range tables {
			c, err := x.copyTable(ctx, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			copies = append(copies, c)
			if progress != nil {
				progress(c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if t.identity != "" {
			// The next row gets max(id)+1 (or 1 in an empty table).
			if _, err := tx.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + 1, false) FROM %s",
				t.name, t.identity, t.identity, t.name)); err != nil {
				return nil, fmt.Errorf("number %s: %w", t.name, err)
			}
		}
		if _, err := tx.Exec(ctx, "ALTER TABLE "+t.name+" ENABLE TRIGGER USER"); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	for i, c := range copies {
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+c.Table).Scan(&copies[i].Target); err != nil {
			return copies, err
		}
	}
	// Fresh statistics for the planner now, rather than when autovacuum comes round.
	_, err = conn.Exec(ctx, "ANALYZE")
	return copies, err
}

// pgCopyTables lists the PostgreSQL schema's tables (but the migration record), in an
// order in which each table comes after the tables its foreign keys point to, with
// the columns a copy writes.
func pgCopyTables(ctx context.Context, tx pgx.Tx) ([]pgTable, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, a.attname, a.attidentity <> '', a.attgenerated <> '',
		       format_type(a.atttypid, a.atttypmod) IN ('text', 'citext')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
		  AND c.relname <> 'schema_migrations'
		ORDER BY c.relname, a.attnum`)
	if err != nil {
		return nil, err
	}
	byName := map[string]*pgTable{}
	var names []string
	for rows.Next() {
		var table, column string
		var identity, generated, text bool
		if err := rows.Scan(&table, &column, &identity, &generated, &text); err != nil {
			rows.Close()
			return nil, err
		}
		t := byName[table]
		if t == nil {
			t = &pgTable{name: table, text: map[string]bool{}}
			byName[table] = t
			names = append(names, table)
		}
		if generated {
			continue
		}
		t.columns = append(t.columns, column)
		t.text[column] = text
		if identity {
			t.identity = column
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT c.relname, r.relname
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	refers := map[string][]string{} // table → the tables it refers to
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		if from != to { // a table referring to itself (replies to comments) is checked at the end of its COPY
			refers[from] = append(refers[from], to)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Take, again and again, the first table (by name) whose references are all taken.
	var ordered []pgTable
	taken := map[string]bool{}
	for len(ordered) < len(names) {
		progressed := false
		for _, name := range names {
			if taken[name] || slices.ContainsFunc(refers[name], func(to string) bool { return !taken[to] }) {
				continue
			}
			taken[name] = true
			ordered = append(ordered, *byName[name])
			progressed = true
		}
		if !progressed {
			return nil, errors.New("the PostgreSQL schema's foreign keys go round in a circle: no order to copy the tables in")
		}
	}
	return ordered, nil
}

// matchColumns narrows each PostgreSQL table's columns to those SQLite has too, and
// refuses a schema pair that would lose data: a SQLite table or column without a
// place in PostgreSQL, or a PostgreSQL table SQLite lacks (schemas of different ages).
func (x *Snapshot) matchColumns(ctx context.Context, tables []pgTable) error {
	sqliteColumns := map[string][]string{}
	err := x.each(ctx, func(sc scanner) error {
		var table, column string
		if err := sc.Scan(&table, &column); err != nil {
			return err
		}
		if !sqliteOnlyTable(table) {
			sqliteColumns[table] = append(sqliteColumns[table], column)
		}
		return nil
	}, `SELECT m.name, c.name FROM sqlite_schema m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' ORDER BY m.name, c.cid`)
	if err != nil {
		return err
	}
	for i, t := range tables {
		have, ok := sqliteColumns[t.name]
		if !ok {
			return fmt.Errorf("the SQLite database has no table %s: run this binary's `broadsheet migrate` on it first", t.name)
		}
		delete(sqliteColumns, t.name)
		var both []string
		for _, c := range t.columns {
			if slices.Contains(have, c) {
				both = append(both, c)
			}
		}
		for _, c := range have {
			if !slices.Contains(t.columns, c) {
				return fmt.Errorf("SQLite's %s.%s has no column in the PostgreSQL schema to go to", t.name, c)
			}
		}
		tables[i].columns = both
		if !slices.Contains(both, t.identity) {
			tables[i].identity = "" // numbered by PostgreSQL as the rows arrive (login_failures.rowid)
		}
	}
	if len(sqliteColumns) > 0 {
		extra := slices.Sorted(maps.Keys(sqliteColumns))
		return fmt.Errorf("SQLite's tables %s have no counterpart in the PostgreSQL schema", strings.Join(extra, ", "))
	}
	return nil
}

// copyTable streams one table from the snapshot into PostgreSQL with COPY.
func (x *Snapshot) copyTable(ctx context.Context, tx pgx.Tx, t pgTable) (TableCopy, error) {
	start := time.Now()
	c := TableCopy{Table: t.name}
	conn, err := x.conn(ctx)
	if err != nil {
		return c, err
	}
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&c.Source); err != nil {
		return c, err
	}
	// Every column is read as SQLite stores it, except that text is asked for as text:
	// the driver would turn a DATETIME column's text into a time.Time, and back into
	// text of another form.
	selects := make([]string, len(t.columns))
	for i, col := range t.columns {
		selects[i] = `"` + col + `"`
		if t.text[col] {
			selects[i] = `CAST("` + col + `" AS TEXT)`
		}
	}
	src, err := conn.QueryContext(ctx, "SELECT "+strings.Join(selects, ", ")+" FROM "+t.name)
	if err != nil {
		return c, err
	}
	defer src.Close()
	values := make([]any, len(t.columns))
	dests := make([]any, len(t.columns))
	for i := range values {
		dests[i] = &values[i]
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromFunc(func() ([]any, error) {
		if !src.Next() {
			return nil, src.Err()
		}
		if err := src.Scan(dests...); err != nil {
			return nil, err
		}
		for i, v := range values {
			if text, ok := v.(string); ok {
				var changed bool
				if values[i], changed = pgText(text); changed {
					c.Mended++
				}
			}
		}
		return values, nil
	}))
	c.Took = time.Since(start)
	return c, err
}
