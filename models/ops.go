package models

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// UnwritableError is a write that failed because of where the database lives, not
// because of what was written: the file or its folder is read-only, the disk is full,
// or the disk failed. Handlers answer 503; the operator must act, so Fix says how.
type UnwritableError struct {
	Fix string
	Err error
}

func (e *UnwritableError) Error() string { return "the database cannot be written: " + e.Fix }
func (e *UnwritableError) Unwrap() error { return e.Err }

// AsUnwritable finds, anywhere in err's chain, a SQLite or PostgreSQL error that means
// the database cannot take writes, and describes it. It is how every write path (most
// call the driver directly) is classified without wrapping each one.
func AsUnwritable(err error) (*UnwritableError, bool) {
	var uw *UnwritableError
	if errors.As(err, &uw) {
		return uw, true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pgUnwritable(pe, err)
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return nil, false
	}
	var fix string
	switch se.Code {
	case sqlite3.ErrReadonly:
		fix = "the database file or its folder is read-only: give the user running Broadsheet write access to the data folder, broadsheet.db, broadsheet.db-wal and broadsheet.db-shm, or remount the disk read-write"
	case sqlite3.ErrFull:
		fix = "the disk holding the data folder is full: free space there (old backups, logs) and the site takes writes again"
	case sqlite3.ErrIoErr:
		fix = "the disk holding the data folder failed a read or write (" + se.Error() + "): check the disk and the system log"
	case sqlite3.ErrCantOpen:
		fix = "the database's journal files cannot be created in the data folder: make the folder writable by the user running Broadsheet"
	default:
		return nil, false
	}
	return &UnwritableError{Fix: fix, Err: err}, true
}

// pgUnwritable is AsUnwritable for PostgreSQL's error codes.
func pgUnwritable(pe *pgconn.PgError, err error) (*UnwritableError, bool) {
	var fix string
	switch {
	case pe.Code == "25006": // read_only_sql_transaction
		fix = "the PostgreSQL database is read-only (a standby, or default_transaction_read_only is on): point -db at the primary, or let the database take writes"
	case pe.Code == "53100": // disk_full
		fix = "the disk of the PostgreSQL server is full: free space there and the site takes writes again"
	case strings.HasPrefix(pe.Code, "53") || pe.Code == "58030": // insufficient resources, io_error
		fix = "the PostgreSQL server could not write (" + pe.Message + "): check its disk, memory and log"
	default:
		return nil, false
	}
	return &UnwritableError{Fix: fix, Err: err}, true
}

// CheckWritable writes the one probe row, proving that the database, its journal and
// the disk take a write now. An *UnwritableError says what to fix.
func (s *Store) CheckWritable(ctx context.Context, now time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO write_probe (id, at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at`, fmtTime(now))
	if uw, ok := AsUnwritable(err); ok {
		return uw
	}
	return err
}

// MigrationStatus compares the migrations this binary carries with those applied to
// the database: pending ones are not applied yet, unknown ones were applied by a newer
// binary. Both empty means the schema is current.
func (s *Store) MigrationStatus(ctx context.Context) (pending, unknown []string, err error) {
	applied, err := appliedMigrations(ctx, s.R)
	if err != nil {
		return nil, nil, err
	}
	pending, unknown = s.compareMigrations(applied)
	return pending, unknown, nil
}

// compareMigrations splits applied against the embedded migrations.
func (s *Store) compareMigrations(applied []string) (pending, unknown []string) {
	known, _ := fs.Glob(migrationFS, s.migrationDir()+"/*.sql") // the pattern is valid
	sort.Strings(known)
	done := map[string]bool{}
	for _, v := range applied {
		done[v] = true
	}
	ours := map[string]bool{}
	for _, k := range known {
		ours[k] = true
		if !done[k] {
			pending = append(pending, k)
		}
	}
	for _, v := range applied {
		if !ours[v] {
			unknown = append(unknown, v)
		}
	}
	sort.Strings(unknown)
	return pending, unknown
}

// newerDatabase refuses to run against a schema this binary does not know.
func newerDatabase(unknown []string) error {
	names := make([]string, len(unknown))
	for i, u := range unknown {
		names[i] = path.Base(u)
	}
	return fmt.Errorf("this database was upgraded by a newer Broadsheet (it has migrations %s that this binary does not know), "+
		"so this older binary refuses to run against it: run the newer binary, or restore a backup taken before the upgrade",
		strings.Join(names, ", "))
}

// CommentCounts is how many comments there are in each status, for the metrics.
func (s *Store) CommentCounts(ctx context.Context) (map[string]int64, error) {
	// Held comments are few (an index range); approved ones are summed from the counts
	// kept per story (migration 0006), so a scrape never reads ten million comment rows.
	var pending, approved int64
	err := s.R.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM comments WHERE status = 'pending'),
		(SELECT coalesce(sum(approved), 0) FROM discussions)`).Scan(&pending, &approved)
	return map[string]int64{CommentPending: pending, CommentApproved: approved}, err
}

// MailCounts are the messages in the outbox by state (queued, sending, sent, failed);
// sent ones are pruned after a month.
func (s *Store) MailCounts(ctx context.Context) (map[string]int64, error) {
	type count struct {
		state string
		n     int64
	}
	rows, err := queryAll(ctx, s.R, func(sc scanner) (count, error) {
		var c count
		return c, sc.Scan(&c.state, &c.n)
	}, "SELECT state, count(*) FROM mail_outbox GROUP BY state")
	if err != nil {
		return nil, err
	}
	out := map[string]int64{"queued": 0, "sending": 0, "sent": 0, "failed": 0}
	for _, c := range rows {
		out[c.state] = c.n
	}
	return out, nil
}

// RateLimiter counts hits per key in fixed windows held in the database, so that
// every app server on one database shares the same counts. A hit is one statement
// on the writer connection.
type RateLimiter struct {
	s         *Store
	lastPrune atomic.Int64 // Unix seconds of the last sweep of old windows
}

// Limited says a key is over its limit until the window ends.
type Limited struct{ RetryAfter time.Duration }

func (e *Limited) Error() string { return fmt.Sprintf("rate limited for %s", e.RetryAfter) }

// Seconds is the wait rounded up to whole seconds, for Retry-After.
func (e *Limited) Seconds() int { return int((e.RetryAfter + time.Second - 1) / time.Second) }

// Hit counts one hit on each key in the window of length per that holds now, and
// returns *Limited if any key has gone over max hits in it. All keys are counted
// in one statement, so a refused hit still counts (a client that keeps hammering
// stays refused) and the keys cannot disagree.
func (rl *RateLimiter) Hit(ctx context.Context, now time.Time, max int, per time.Duration, keys ...string) error {
	if len(keys) == 0 || max <= 0 || per <= 0 {
		return nil
	}
	secs := int64(per / time.Second)
	if secs < 1 {
		secs = 1
	}
	window := now.Unix() / secs * secs
	args := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, k, window)
	}
	over := false
	err := rl.s.inTurn(ctx, func() error {
		rows, err := rl.s.W.QueryContext(ctx, `INSERT INTO rate_limits (key, window_start, hits) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, 1),", len(keys)), ",")+`
			ON CONFLICT (key) DO UPDATE SET hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END,
				window_start = excluded.window_start
			RETURNING hits`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var hits int
			if err := rows.Scan(&hits); err != nil {
				rows.Close()
				return err
			}
			over = over || hits > max
		}
		return errors.Join(rows.Err(), rows.Close())
	})
	if err != nil {
		return err
	}
	rl.prune(ctx, now)
	if over {
		return &Limited{RetryAfter: time.Unix(window+secs, 0).Sub(now)}
	}
	return nil
}

// pruneEvery is how often old windows are swept; the longest window a setting may
// use is a day, so rows a day old are dead.
const pruneEvery = 10 * time.Minute

// prune deletes windows older than a day, at most once per pruneEvery per server, so
// the table holds about a day of distinct clients and a hit stays one statement.
func (rl *RateLimiter) prune(ctx context.Context, now time.Time) {
	last := rl.lastPrune.Load()
	if now.Unix()-last < int64(pruneEvery/time.Second) || !rl.lastPrune.CompareAndSwap(last, now.Unix()) {
		return
	}
	// A failed sweep is retried at the next one; the hit it rode on has been counted.
	rl.s.exec(ctx, "DELETE FROM rate_limits WHERE window_start < ?", now.Add(-24*time.Hour).Unix())
}

// DiskFree is the space, in bytes, left for this user on the disk that holds the
// data folder (the uploads sit beside the database).
func (s *Store) DiskFree() (uint64, error) {
	var st syscall.Statfs_t
	err := syscall.Statfs(s.uploads, &st)
	if errors.Is(err, fs.ErrNotExist) { // no photo uploaded yet: the data folder itself
		err = syscall.Statfs(filepath.Dir(s.uploads), &st)
	}
	if err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}
