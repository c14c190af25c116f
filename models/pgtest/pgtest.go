// Package pgtest gives each test its own database on a real PostgreSQL server: by
// default the one on 127.0.0.1:5432 (user postgres, trust authentication), or the server
// named by BROADSHEET_TEST_POSTGRES (a postgres:// URL of its maintenance database).
//
// A test's database is a copy of a template that already holds the migrated schema, so
// a test pays for CREATE DATABASE, not for the migrations; the template is built once
// per schema (its name carries the schema's hash) and kept, like a build cache.
// Databases are created with byte-order collation ("C"), which is how SQLite compares
// text. Without a server the tests skip with the reason, except under CI=true.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// AdminURL is the maintenance database the tests create and drop databases through.
func AdminURL() string {
	if u := os.Getenv("BROADSHEET_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Selected reports whether the store tests are to run on PostgreSQL
// (BROADSHEET_TEST_DB=postgres) rather than on SQLite files.
func Selected() bool { return os.Getenv("BROADSHEET_TEST_DB") == "postgres" }

// Available connects to the server, or explains why not: a test that needs PostgreSQL
// skips with that reason, or fails under CI=true, where it must never be skipped.
func Available(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, AdminURL())
	if err == nil {
		conn.Close(ctx)
		return
	}
	msg := fmt.Sprintf("PostgreSQL is not reachable at %s (%v): start it (see README, Tests) or set BROADSHEET_TEST_POSTGRES", redact(AdminURL()), err)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

var serial atomic.Int64

// Database creates an empty-but-migrated database for one test and returns its URL;
// the database is dropped when the test ends (after the caller's own cleanups, so
// close the store in a t.Cleanup registered after this call). schema names the
// migrations (a hash of them); migrate applies them to a database at a URL, and runs
// once per schema for every test process together.
func Database(tb testing.TB, schema string, migrate func(url string) error) string {
	tb.Helper()
	Available(tb)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(ctx)
	template := "bs_tmpl_" + schema
	if err := ensureTemplate(ctx, admin, template, migrate); err != nil {
		tb.Fatal(err)
	}
	sweep.Do(func() { dropOrphans(ctx, admin) })
	name := fmt.Sprintf("bs_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, serial.Add(1))
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE `+template); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			tb.Error(err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Error(err)
		}
	})
	return withDatabase(AdminURL(), name)
}

var sweep sync.Once

// dropOrphans drops the test databases of test processes that are gone: a process
// killed by a timeout never runs its cleanups. Only on a server on this machine, whose
// process ids the names hold (bs_test_PID_…).
func dropOrphans(ctx context.Context, admin *pgx.Conn) {
	if h := admin.Config().Host; h != "127.0.0.1" && h != "localhost" && h != "::1" && !strings.HasPrefix(h, "/") {
		return
	}
	rows, err := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'bs\\_test\\_%'")
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range names {
		var pid int
		if _, err := fmt.Sscanf(name, "bs_test_%d_", &pid); err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
		}
	}
}

// ensureTemplate builds the template once: under an advisory lock (test processes run
// side by side), into a scratch database renamed into place only when complete.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, template string, migrate func(string) error) error {
	const lockKey = 0x62737467 // "bstg"
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", template).Scan(&exists); err != nil || exists {
		return err
	}
	scratch := template + "_build"
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+scratch+` WITH (FORCE)`); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+scratch+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		return err
	}
	if err := migrate(withDatabase(AdminURL(), scratch)); err != nil {
		return fmt.Errorf("migrating the test template: %w", err)
	}
	_, err := admin.Exec(ctx, `ALTER DATABASE `+scratch+` RENAME TO `+template)
	return err
}

// withDatabase is url with its database name replaced.
func withDatabase(url, name string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return url
	}
	rest := ""
	if i := strings.IndexByte(url, '?'); i >= 0 {
		rest = url[i:]
	}
	user := cfg.User
	if cfg.Password != "" {
		user += ":" + cfg.Password
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s%s", user, cfg.Host, cfg.Port, name, rest)
}

// redact hides a password in a URL for messages.
func redact(url string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil || cfg.Password == "" {
		return url
	}
	return strings.Replace(url, ":"+cfg.Password+"@", ":…@", 1)
}
