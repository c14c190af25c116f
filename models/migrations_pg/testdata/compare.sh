#!/bin/sh
# Runs triggers.sql on a copy of a migrated SQLite site and on a PostgreSQL database that
# holds ../0001_schema.sql, and compares report.sql's output. Prints nothing but "same" when
# they agree.
#   usage: compare.sh SITE.db PGDATABASE      (psql connection from PGHOST, PGUSER, …)
set -eu
here=$(dirname "$0")
db=$1 pgdb=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$db" "$tmp/site.db"
# The app turns foreign keys on in its DSN; the sqlite3 shell needs telling.
{ echo 'PRAGMA foreign_keys = ON;'; cat "$here/triggers.sql" "$here/report.sql"; } |
    sqlite3 -bail "$tmp/site.db" >"$tmp/sqlite.out"
{ cat "$here/triggers.sql"; echo '\o '"$tmp/pg.out"; cat "$here/report.sql"; } |
    psql -q -At -v ON_ERROR_STOP=1 -d "$pgdb" >/dev/null
diff -u "$tmp/sqlite.out" "$tmp/pg.out" && echo same
