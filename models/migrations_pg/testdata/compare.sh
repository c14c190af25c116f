#!/bin/sh
# Runs triggers.sql on a copy of an empty, migrated SQLite site and on an empty PostgreSQL
# database that holds ../0001_schema.sql (the writes land there: use a scratch database),
# then compares report.sql's output from both. Prints "same" when they agree, else the diff.
#   usage: compare.sh SITE.db PGDATABASE      (psql connection from PGHOST, PGUSER, …)
# An empty site: mkdir D && touch D/broadsheet.db && go run -tags sqlite_fts5 . migrate -data D
# A scratch database (byte-order collation, as the schema expects):
#   createdb -T template0 -E UTF8 --lc-collate C --lc-ctype C NAME
#   psql -v ON_ERROR_STOP=1 -1 -d NAME -f models/migrations_pg/0001_schema.sql
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
