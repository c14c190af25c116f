// Package models holds Broadsheet's data and the rules that keep it true. It alone speaks SQL.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mattn/go-sqlite3"
)

// Store is the one handle on the database that the rest of the program holds.
// Writes go through a single connection (SQLite has one writer anyway, and one
// connection with immediate transactions means no request ever sees SQLITE_BUSY);
// reads go through a pool.
type Store struct {
	W *sql.DB // the single writer connection: write through tx, exec or inTurn (writeQueue)
	R *sql.DB // the reader pool

	turns       writeQueue    // who has the writer next, on SQLite (nil on PostgreSQL)
	checkpoints *checkpointer // copies SQLite's log into the database file (checkpoint.go)

	Articles    *ArticleStore
	Sections    *SectionStore
	Tags        *TagStore
	Users       *UserStore
	Media       *MediaStore
	Settings    *SettingsStore
	Comments    *CommentStore
	Audit       *AuditStore
	Mail        *MailStore // the outbox
	Limits      *RateLimiter
	Live        *LiveStore       // live coverage
	Front       *FrontStore      // the editors' front-page picks
	Corrections *CorrectionStore // corrections, clarifications and updates on stories

	San *Sanitizer // the only producer of trusted HTML

	addr AddressKey // hashes client addresses before they are stored (see address.go)

	// Migrated names the migrations this Open applied, oldest first, so that
	// `broadsheet migrate` and the start-up log can say what changed.
	Migrated []string

	uploads string // the local uploads folder, whose disk DiskFree watches

	versions     *sql.Stmt // versionsQuery, prepared on the reader pool
	siteVersions *sql.Stmt // siteVersionsQuery, likewise

	pg   bool          // PostgreSQL rather than SQLite (see postgres.go)
	pool *pgxpool.Pool // PostgreSQL's connection pool, which W and R borrow from
}

// Open opens (creating if needed) the SQLite database at path, checks that the
// driver was built with FTS5, and applies pending migrations.
func Open(path, uploadsDir string) (*Store, error) { return OpenDriver("sqlite3", path, uploadsDir) }

// OpenDriver is Open through the database/sql driver registered as driverName, which
// must be mattn's SQLite driver or a wrapper of it (tests wrap it to count statements).
func OpenDriver(driverName, path, uploadsDir string) (*Store, error) {
	// Pragmas ride in the DSN so that every pooled connection gets them.
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	// NORMAL in WAL mode can lose the last transactions on power loss but never corrupts;
	// for comments and edits that trade is right. Backups use VACUUM INTO.
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	// Each connection keeps its prepared statements: parsing and planning the SQL was
	// a third of a comment post's time. 128 covers the statements of the hot pages and posts.
	q.Set("_stmt_cache_size", "128")
	dsn := "file:" + path + "?" + q.Encode()
	// Until the site's own key is set (UseAddressKey), a random one: never a raw address.
	addrKey, err := NewAddressKey()
	if err != nil {
		return nil, err
	}

	w, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open(driverName, dsn+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	// Keep every reader connection open. database/sql keeps two idle by default and
	// closes the rest as they come back, so under load connections were closed and
	// opened again all the time, and each new one parsed the whole schema and prepared
	// its statements afresh (its statement cache starts empty): a profile of comment
	// posting under readers spent about a third of its time in SQLite's parser.
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(0)

	s := &Store{W: w, R: r, turns: make(writeQueue, 1), uploads: uploadsDir, addr: addrKey}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.PingContext(ctx); err != nil {
		s.Close()
		// SQLite in WAL mode must create its -shm file even to read, so a read-only
		// folder stops the start here: say what to fix rather than SQLite's words.
		if uw, ok := AsUnwritable(err); ok {
			err = uw
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := checkFTS5(ctx, w); err != nil {
		s.Close()
		return nil, err
	}
	if err := migrate(ctx, s, func(name string) { s.Migrated = append(s.Migrated, name) }); err != nil {
		s.Close()
		return nil, err
	}
	// Nothing else ever runs ANALYZE, and without statistics the planner can pick a
	// whole-archive scan. A database that cannot be written keeps its old statistics: it
	// still serves readers (see UnwritableError), so this is no reason to refuse to start.
	if _, err := w.ExecContext(ctx, optimizeEveryTable); err != nil {
		if _, unwritable := AsUnwritable(err); !unwritable {
			s.Close()
			return nil, fmt.Errorf("optimize %s: %w", path, err)
		}
	}
	if err := s.finishOpen(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := handOverCheckpoints(ctx, w); err != nil {
		s.Close()
		return nil, err
	}
	// The checkpointer's connection: the same settings, but it waits for readers only briefly.
	q.Set("_busy_timeout", strconv.Itoa(int(checkpointBusy/time.Millisecond)))
	if s.checkpoints, err = startCheckpoints("file:"+path+"?"+q.Encode(), s.turns); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// finishOpen prepares the hot statements and builds the stores over an opened,
// migrated database, on either engine.
func (s *Store) finishOpen(ctx context.Context) error {
	var err error
	if s.versions, err = s.R.PrepareContext(ctx, versionsQuery); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if s.siteVersions, err = s.R.PrepareContext(ctx, siteVersionsQuery); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	s.Articles = &ArticleStore{s}
	s.Sections = &SectionStore{s}
	s.Tags = &TagStore{s}
	s.Users = &UserStore{s}
	s.Media = &MediaStore{s: s, Files: LocalFiles{Dir: s.uploads}, MaxBytes: DefaultMaxUploadBytes, MaxDecodeBytes: DefaultMaxDecodeBytes}
	s.Settings = &SettingsStore{s}
	s.Comments = &CommentStore{s: s, pageOfScan: 500}
	s.Audit = &AuditStore{s}
	s.Mail = &MailStore{s}
	s.Limits = &RateLimiter{s: s}
	s.Live = &LiveStore{s}
	s.Front = &FrontStore{s}
	s.Corrections = &CorrectionStore{s}
	s.San = NewSanitizer()
	return nil
}

// Close refreshes the planner's statistics for what this process saw, then closes both
// pools; with WAL this checkpoints and leaves a clean file.
func (s *Store) Close() error {
	for _, st := range []*sql.Stmt{s.versions, s.siteVersions} {
		if st != nil {
			st.Close()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := errors.Join(s.checkpoints.close(), s.Optimize(ctx), s.R.Close(), s.W.Close())
	if s.pool != nil {
		s.pool.Close()
	}
	return err
}

// optimizeEveryTable gathers the statistics of every table that has none or whose
// size has changed a lot since (0x10002: every table, not only those this connection
// used). The analysis limit bounds each index to a few hundred rows, but a table
// without an index (the search index's own tables) is counted whole: on the
// million-story archive that took 9 seconds, so a bulk load ends with it rather than
// leaving it to the first start.
const optimizeEveryTable = "PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002"

// Optimize lets SQLite re-gather the statistics that have gone stale (PRAGMA optimize,
// bounded by the analysis limit), as its documentation advises at close and after bulk writes.
// PostgreSQL's autovacuum keeps its statistics itself.
func (s *Store) Optimize(ctx context.Context) error {
	if s.pg {
		return nil
	}
	_, err := s.exec(ctx, "PRAGMA analysis_limit = 400; PRAGMA optimize")
	return err
}

// Ping reports whether the database answers; /healthz uses it.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Backup writes a consistent copy of the live database to path, safely while the
// site runs. It never overwrites: an existing file is refused with ErrBackupExists.
// The copy holds e-mails and password hashes, so it is created 0600 before SQLite
// fills it (VACUUM INTO accepts an empty file); O_EXCL makes the refusal race-free.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.pg {
		return ErrBackupPostgres
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrBackupExists)
	} else if err != nil {
		return err
	}
	f.Close()
	if _, err := s.exec(ctx, "VACUUM INTO ?", path); err != nil {
		// A half-written copy must not pass for a backup later.
		return errors.Join(err, os.Remove(path))
	}
	return nil
}

// ErrBackupExists: the backup's target file is already there.
var ErrBackupExists = errors.New("already exists; a backup never overwrites a file, so choose a new name")

// ErrBackupPostgres: the built-in backup copies a SQLite file; PostgreSQL has its own tools.
var ErrBackupPostgres = errors.New("the database is PostgreSQL: back it up with pg_dump (see README, Growing past one machine)")

func checkFTS5(ctx context.Context, db *sql.DB) error {
	var n int
	err := db.QueryRowContext(ctx, "SELECT sqlite_compileoption_used('ENABLE_FTS5')").Scan(&n)
	if err == nil && n == 1 {
		return nil
	}
	return errors.New("this binary was built without SQLite FTS5: build and test with `-tags sqlite_fts5` (see README)")
}

// tx runs fn in one write transaction, rolling back on any error.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil || !isRetryable(err) || attempt == 5 {
			return err
		}
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.inTurn(ctx, func() error {
		tx, err := s.beginWrite(ctx)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			tx.Rollback()
			return err
		}
		err = tx.Commit()
		if errors.Is(err, sql.ErrTxDone) && ctx.Err() != nil {
			// database/sql rolled the transaction back as the request ended (its reader
			// went away): say that, rather than a failure of the store's own.
			return ctx.Err()
		}
		return err
	})
}

// writeQueue hands SQLite's one writer connection to writers in the order they ask
// for it. Left to itself, database/sql gives a connection that comes back to a random
// one of the callers waiting for it (connRequestSet.TakeRandom in database/sql), so with
// eight comments posted at once a post could lose the draw round after round instead
// of waiting for the seven ahead of it. In BenchmarkCommentPosting (checkpoints already
// off the writer) a write's wait and hold at the 99th percentile was 7.0-12.0 ms with
// the queue and 8.4-17.3 ms without. Go's channels wake blocked senders first come,
// first served, so a one-slot channel is a fair lock that a request can also give up
// on when its context ends. Every write takes its turn here (tx, exec, inTurn,
// inTurnValue; the offline bulk load runs alone), which is also how the checkpointer
// learns of writes. On PostgreSQL the queue is nil: writers there wait for the
// advisory lock (beginWrite), and PostgreSQL grants its locks in order.
type writeQueue chan struct{}

// enter waits for the writer's turn, or for ctx to end.
func (q writeQueue) enter(ctx context.Context) error {
	if q == nil {
		return nil
	}
	select {
	case q <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave hands the turn to the writer that has waited longest.
func (q writeQueue) leave() {
	if q != nil {
		<-q
	}
}

// inTurn runs fn, which writes through s.W, in its turn.
func (s *Store) inTurn(ctx context.Context, fn func() error) error {
	if err := s.turns.enter(ctx); err != nil {
		return err
	}
	defer s.leaveTurn()
	return fn()
}

// inTurnValue is inTurn for a write that returns a value (a new row's id, say).
func inTurnValue[T any](ctx context.Context, s *Store, fn func() (T, error)) (v T, err error) {
	err = s.inTurn(ctx, func() error {
		v, err = fn()
		return err
	})
	return v, err
}

// leaveTurn gives up the writer, and tells the checkpointer the log may have grown.
func (s *Store) leaveTurn() {
	s.turns.leave()
	s.checkpoints.wrote()
}

// exec runs one writing statement in its turn.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return inTurnValue(ctx, s, func() (sql.Result, error) { return s.W.ExecContext(ctx, query, args...) })
}

// beginWritePG opens a PostgreSQL write transaction (see beginWrite): one round trip,
// as two statements without arguments go together.
var beginWritePG = fmt.Sprintf("SELECT pg_advisory_xact_lock(%d); SET LOCAL synchronous_commit = off", writeLockKey)

// beginWrite starts a write transaction in which no other write transaction runs, on
// either engine: SQLite's immediate transactions on the one writer connection give that
// by themselves; on PostgreSQL every writer, on every node, first takes one advisory lock.
// The store's rules read and then write (comment numbers, flood control, login throttles,
// thread counts), and every write bumps the one cache_versions row anyway, so writers
// would queue on that row regardless: the lock makes the queue explicit and keeps each
// rule exactly as correct as on SQLite, without serialization failures to retry.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.W.BeginTx(ctx, nil)
	if err != nil || !s.pg {
		return tx, err
	}
	// The same durability as SQLite's synchronous=NORMAL (see Open): a commit returns
	// once PostgreSQL has it in its WAL buffers, which its WAL writer flushes within a
	// fraction of a second. A crash of the app loses nothing acknowledged; a crash of the
	// database server or a power cut can lose the last fraction of a second of writes,
	// never corrupting anything. Waiting for the flush of each commit, with writers taking
	// turns, would hold every writer behind one disk sync per post.
	if _, err := tx.ExecContext(ctx, beginWritePG); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(...any) error }

// intCol scans an integer column into an int or int64 by the shortest path. database/sql
// fills an int by formatting the driver's int64 as text and parsing it back, and an
// int64 through reflection; a page of comments did one or the other eight times a row.
type intCol[T int | int64] struct{ p *T }

func (d intCol[T]) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("scanning %T into an integer", src)
	}
	*d.p = T(v)
	return nil
}

// queryAll runs a read query (on a pool or in a transaction) and scans every row with scan.
func queryAll[T any](ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// oneRow turns "no row changed" into ErrNotFound.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	var pe *pgconn.PgError
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey) ||
		errors.As(err, &pe) && pe.Code == "23505" // unique_violation
}

// Time columns are RFC 3339 UTC text.
const timeLayout = time.RFC3339

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func parseNullTime(ns sql.NullString) time.Time {
	if !ns.Valid {
		return time.Time{}
	}
	return parseTime(ns.String)
}

func nullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: fmtTime(t), Valid: true}
}

// placeholders returns "?,?,?" for n arguments.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}
