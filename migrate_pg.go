package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"broadsheet/models"
)

const sqliteToPostgresAbout = `Copies a site's SQLite database (in DIR) into a new PostgreSQL database, ids and all, so
that the site can run there (every node started with -db URL). The PostgreSQL database must exist
and be empty: it is migrated first, and a database that already holds articles, users or comments
is refused with nothing written. The copy is one transaction: if it fails, the database stays empty.

The SQLite side is read as one consistent snapshot, so a running site can be copied, but what is
written after the copy started is not in it: for the cut-over, stop the site, copy, then start it
on PostgreSQL. At the end the row counts of every table are compared; a difference is an error.

Photos are not in the database: they stay in DIR/uploads. For nodes that share them through an
S3 bucket, run ` + "`broadsheet media copy-to-s3`" + ` as well. Every node also needs the keys from DIR
(session.key or BROADSHEET_SESSION_KEYS, and address.key).`

// migrateSQLiteToPostgres is `broadsheet migrate sqlite-to-postgres -data DIR -db URL`.
func (r *cli) migrateSQLiteToPostgres(ctx context.Context, log *slog.Logger, args []string, out io.Writer) error {
	var st site
	fl := newFlagSet("migrate sqlite-to-postgres", "broadsheet migrate sqlite-to-postgres -data DIR -db postgres://USER@HOST/DB",
		sqliteToPostgresAbout)
	fl.siteFlags(&st)
	if err := noArguments(fl, args, r.stdout); err != nil {
		return err
	}
	if st.db == "" {
		return usageErrorf("name the PostgreSQL database to copy into: -db postgres://USER@HOST/DB (or BROADSHEET_DB)")
	}
	if !models.IsPostgres(st.db) {
		return usageErrorf("-db %q: want a postgres:// URL", st.db)
	}
	from, err := openSite(site{data: st.data}, false)
	if err != nil {
		return err
	}
	defer from.Close()
	to, err := models.OpenPostgres(st.db, uploadsDir(st.data))
	if err != nil {
		return err
	}
	defer to.Close()

	start := time.Now()
	fmt.Fprintf(out, "Copying the site in %s into %s:\n", st.data, redactedURL(st.db))
	copies, err := from.CopyToPostgres(ctx, to, func(c models.TableCopy) {
		fmt.Fprintf(out, "  %-20s %10d rows  %s\n", c.Table, c.Source, c.Took.Round(time.Millisecond))
		if c.Mended > 0 {
			fmt.Fprintf(out, "  %-20s %10d text value(s) held bytes PostgreSQL cannot store (not UTF-8, or NUL):\n"+
				"  %-20s %10s stored with U+FFFD in their place and without the NUL, as the site stores new input\n", "", c.Mended, "", "")
		}
	})
	if errors.Is(err, models.ErrTargetNotEmpty) {
		return fmt.Errorf("%w; nothing was written", err)
	} else if err != nil {
		return fmt.Errorf("nothing was copied (the PostgreSQL database is as it was): %w", err)
	}

	fmt.Fprintf(out, "\nRow counts:\n  %-20s %10s %10s\n", "table", "SQLite", "PostgreSQL")
	var differ []string
	var rows int64
	for _, c := range copies {
		mark := ""
		if c.Source != c.Target {
			mark = "  DIFFERENT"
			differ = append(differ, c.Table)
		}
		rows += c.Target
		fmt.Fprintf(out, "  %-20s %10d %10d%s\n", c.Table, c.Source, c.Target, mark)
	}
	if len(differ) > 0 {
		return fmt.Errorf("the row counts of %s differ between SQLite and PostgreSQL", strings.Join(differ, ", "))
	}
	fmt.Fprintf(out, "\nCopied %d tables, %d rows, in %s. Start the site with -db (or BROADSHEET_DB) naming this database.\n",
		len(copies), rows, time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(out, "Photos stay in "+uploadsDir(st.data)+": to keep them in an S3 bucket, run `broadsheet media copy-to-s3`.")
	return nil
}

// redactedURL is a database URL fit to print: without its password.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}
