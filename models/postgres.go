package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// Broadsheet runs on PostgreSQL with the same store code as on SQLite. The SQL in this
// package is written once, in the dialect both engines share; what differs is handled in
// three places only:
//
//   - here, statement by statement on the way to pgx: placeholders are numbered the
//     PostgreSQL way, SQLite's planner hints are dropped, LIKE ignores case as SQLite's
//     does (see pgSQL), and text arguments are made text PostgreSQL can hold (pgText);
//   - the schema, which has its own migrations in migrations_pg/ (types, triggers written
//     as PL/pgSQL, full-text search as a tsvector column);
//   - a few statements chosen with Store.dialect where the engines have no common
//     spelling (search, aggregates into strings, JSON lists).
//
// Domain rules (validation, sanitising, moderation, slugs) are therefore written once.

// IsPostgres reports whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// OpenPostgres connects to the PostgreSQL database at url (postgres://…), applies pending
// migrations from migrations_pg/, and returns a store over it. uploadsDir is the local
// media folder, used unless the caller points Media.Files at object storage.
func OpenPostgres(url, uploadsDir string) (*Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	if cfg.MaxConns < 20 { // pgxpool's default is the CPU count, too few for a web node's readers
		cfg.MaxConns = 20
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// pgxpool makes and checks the connections; database/sql, which the store's code is
	// written against, keeps those it borrowed (writers 4, readers the rest but 2) rather
	// than returning each after one statement: a cached page's version read costs a
	// round trip, not an acquire, a release and a session reset besides. The 2 left in
	// pgxpool are for the locks taken outside database/sql (Exclusively, migrations).
	writers, readers := 4, int(cfg.MaxConns)-4-2
	open := func(n int) *sql.DB {
		db := sql.OpenDB(pgConnector{stdlib.GetPoolConnector(pool)})
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		return db
	}
	addrKey, err := NewAddressKey()
	if err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{W: open(writers), R: open(readers), uploads: uploadsDir, addr: addrKey, pg: true, pool: pool}
	if err := s.W.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", cfg.ConnConfig.Database, err)
	}
	if err := migrate(ctx, s, func(name string) { s.Migrated = append(s.Migrated, name) }); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.finishOpen(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Engine names the database engine: "sqlite" or "postgres".
func (s *Store) Engine() string { return s.dialect("sqlite", "postgres") }

// MigratePostgres applies pending migrations to the PostgreSQL database at url and
// closes it again: what a test template or an operator's `migrate` step needs.
func MigratePostgres(url string) error {
	s, err := OpenPostgres(url, "")
	if err != nil {
		return err
	}
	return s.Close()
}

// dialect returns the SQLite or the PostgreSQL spelling of a statement, for the few
// that the engines do not share.
func (s *Store) dialect(sqlite, postgres string) string {
	if s.pg {
		return postgres
	}
	return sqlite
}

// writeLockKey is the PostgreSQL advisory lock every write transaction holds (see
// Store.tx). Any constant works; this one spells "bsht".
const writeLockKey = 0x62736874

// isRetryable reports whether err is a transient conflict that a whole transaction
// may simply run again (a PostgreSQL deadlock or serialization failure).
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// pgConnector hands database/sql connections that translate each statement (pgSQL).
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return pgConn{conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is pgx's database/sql connection with every statement passed through pgSQL and
// every boolean argument stored as 0/1, as the schema keeps flags (the same as SQLite).
type pgConn struct{ c *stdlib.Conn }

func (p pgConn) Prepare(q string) (driver.Stmt, error) { return p.c.Prepare(pgSQL(q, nil)) }
func (p pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return p.c.PrepareContext(ctx, pgSQL(q, nil))
}
func (p pgConn) Close() error                           { return p.c.Close() }
func (p pgConn) Begin() (driver.Tx, error)              { return p.c.Begin() }
func (p pgConn) Ping(ctx context.Context) error         { return p.c.Ping(ctx) }
func (p pgConn) ResetSession(ctx context.Context) error { return p.c.ResetSession(ctx) }
func (p pgConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return p.c.BeginTx(ctx, o)
}
func (p pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return p.c.ExecContext(ctx, pgSQL(q, args), args)
}
func (p pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return p.c.QueryContext(ctx, pgSQL(q, args), args)
}
func (p pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case bool:
		if v {
			nv.Value = int64(1)
		} else {
			nv.Value = int64(0)
		}
	case string:
		// A hostile form or address must get the same answer on both engines (a 404 for
		// a slug that cannot exist, a refused login), never a 500.
		nv.Value, _ = pgText(v)
	}
	return nil
}

// pgText makes s storable as PostgreSQL text, which holds valid UTF-8 without NUL and
// refuses the statement otherwise (SQLite keeps any bytes): bytes that are not UTF-8
// become U+FFFD and NUL is dropped. changed reports whether s had any of those.
func pgText(s string) (_ string, changed bool) {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s, false
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", ""), true
}

// pgStatements caches pgSQL's translations: the store's statements are a few hundred
// constant strings, and lists of ids add one per length. Past the cap, translations
// are simply not kept.
var pgStatements = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const pgStatementsCap = 4096

// pgSQL translates a statement from the store's shared dialect to PostgreSQL's:
//   - `?` becomes `$N`, numbered as SQLite numbers them (a bare ? is one more than the
//     largest so far, ?N is N), and `:name` becomes the position of the argument named
//     name (sql.Named), which pgx passes in order;
//   - `INDEXED BY name` and `NOT INDEXED` (SQLite's planner hints) are dropped, and so is
//     `COLLATE NOCASE`: the columns compared that way are citext in PostgreSQL's schema;
//   - LIKE becomes ILIKE (SQLite's LIKE ignores case), and `LIMIT -1` (no limit) `LIMIT ALL`.
//
// Strings, quoted names, comments and $$-bodies are left alone.
func pgSQL(q string, args []driver.NamedValue) string {
	var names map[string]int
	key := q
	for _, a := range args {
		if a.Name != "" {
			if names == nil {
				names = map[string]int{}
			}
			names[a.Name] = a.Ordinal
			key += "\x00" + a.Name + "=" + strconv.Itoa(a.Ordinal)
		}
	}
	pgStatements.RLock()
	out, ok := pgStatements.m[key]
	pgStatements.RUnlock()
	if ok {
		return out
	}
	out = translatePG(q, names)
	pgStatements.Lock()
	if len(pgStatements.m) < pgStatementsCap {
		pgStatements.m[key] = out
	}
	pgStatements.Unlock()
	return out
}

func translatePG(q string, names map[string]int) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	highest := 0
	isWord := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	// skipSpace returns the index of the next non-space byte from i.
	skipSpace := func(i int) int {
		for i < len(q) && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r') {
			i++
		}
		return i
	}
	word := func(i int) (string, int) {
		j := i
		for j < len(q) && isWord(q[j]) {
			j++
		}
		return q[i:j], j
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"': // a string or a quoted name, '' and "" doubled inside
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c {
						j += 2
						continue
					}
					j++
					break
				}
				j++
			}
			b.WriteString(q[i:j])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end
		case c == '$' && i+1 < len(q) && (q[i+1] == '$' || q[i+1] >= 'a' && q[i+1] <= 'z'):
			// A dollar-quoted body ($$…$$ or $tag$…$tag$), as in the PostgreSQL migrations.
			k := strings.IndexByte(q[i+1:], '$')
			if k < 0 {
				b.WriteByte(c)
				i++
				continue
			}
			tag := q[i : i+1+k+1]
			end := strings.Index(q[i+len(tag):], tag)
			if end < 0 {
				b.WriteString(q[i:])
				i = len(q)
				continue
			}
			stop := i + len(tag) + end + len(tag)
			b.WriteString(q[i:stop])
			i = stop
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				fmt.Sscan(q[i+1:j], &n)
			}
			if n > highest {
				highest = n
			}
			fmt.Fprintf(&b, "$%d", n)
			i = j
		case c == ':' && names != nil && i+1 < len(q) && isWord(q[i+1]) && (i == 0 || q[i-1] != ':'):
			w, j := word(i + 1)
			if n, ok := names[w]; ok {
				fmt.Fprintf(&b, "$%d", n)
			} else {
				b.WriteString(q[i:j])
			}
			i = j
		case isWord(c) && (i == 0 || !isWord(q[i-1])):
			w, j := word(i)
			switch strings.ToUpper(w) {
			case "INDEXED": // INDEXED BY name: a SQLite planner hint
				k := skipSpace(j)
				if by, after := word(k); strings.EqualFold(by, "BY") {
					_, after = word(skipSpace(after))
					i = after
					continue
				}
			case "NOT": // NOT INDEXED, likewise; NOT LIKE falls through to LIKE
				k := skipSpace(j)
				if next, after := word(k); strings.EqualFold(next, "INDEXED") {
					i = after
					continue
				}
			case "LIKE":
				b.WriteString("ILIKE")
				i = j
				continue
			case "COLLATE":
				if next, after := word(skipSpace(j)); strings.EqualFold(next, "NOCASE") {
					i = after
					continue
				}
			case "LIMIT":
				if k := skipSpace(j); strings.HasPrefix(q[k:], "-1") && (k+2 == len(q) || !isWord(q[k+2])) {
					b.WriteString("LIMIT ALL")
					i = k + 2
					continue
				}
			}
			b.WriteString(w)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// migrateLockKey is the advisory lock under which one node at a time migrates.
const migrateLockKey = writeLockKey + 1

// pgSessionLock takes a session-level advisory lock on its own pooled connection and
// returns the function that releases it: held across several transactions (migrations)
// or for as long as a job runs.
func (s *Store) pgSessionLock(ctx context.Context, key int64) (unlock func(), err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		conn.Release()
		return nil, err
	}
	return func() {
		conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
		conn.Release()
	}, nil
}

// jsonIDs is a table of the ids in a JSON array passed as one argument ("[1,2,3]"),
// in a column named value: one statement for any number of ids.
func (s *Store) jsonIDs() string {
	return s.dialect("json_each(?)", "(SELECT CAST(value AS BIGINT) AS value FROM json_array_elements_text(CAST(? AS JSON))) ids")
}

// Exclusively runs fn unless another server on the same database is running the job
// of that name right now, in which case it reports ran = false and leaves the job to
// it: periodic chores (mail digests, purges) then run once across a cluster, not once
// per node. On SQLite there is one server, and fn simply runs.
func (s *Store) Exclusively(ctx context.Context, job string, fn func() error) (ran bool, err error) {
	if !s.pg {
		return true, fn()
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	// hashtext gives the job's name a lock number; the class keeps it apart from the
	// write and migration locks above.
	const class = 0x626a6f62 // "bjob"
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, hashtext($2))", class, job).Scan(&ran); err != nil || !ran {
		return false, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, hashtext($2))", class, job)
	return true, fn()
}

// Tables names the tables of the database, in name order: the site's own, and on
// SQLite the full-text index's shadow tables too.
func (s *Store) Tables(ctx context.Context) ([]string, error) {
	return queryAll(ctx, s.R, func(sc scanner) (string, error) {
		var n string
		return n, sc.Scan(&n)
	}, s.dialect("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
		"SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"))
}
