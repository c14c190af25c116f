package models

// This file speaks to the SQLite library directly, for what the driver does not
// expose: a setting for every connection, and the library's memory use; and to the C
// allocator SQLite uses.
//
// glibc's malloc gives each thread that contends for it an arena of its own, up to
// eight per core, and returns little of an arena's freed memory to the system. The
// reader pool's connections run on whichever threads Go hands them, so the server's
// resident memory crept upward under load on a million stories while Go's heap and
// SQLite's own count stayed flat (171 -> 198 MB in four minutes; with two arenas
// 170 -> 185-187 MB in two runs). So the process keeps to two arenas, unless MALLOC_ARENA_MAX
// says otherwise.
//
// Every SQLite connection this process opens is set to plan each statement without
// looking at the values bound to it (SQLite's "query planner stability guarantee").
//
// Why: SQLite 3.5x lets a plan depend on bound values (a LIMIT ?, an `x = ?` filter
// that no index serves, a LIKE ? pattern) and then marks the statement to be prepared
// again whenever those values change; clearing the bindings counts as a change.
// mattn's driver clears the bindings of every statement it returns to its
// per-connection cache, so each such statement was parsed and planned again on every
// use, the cache notwithstanding: in a profile of comment posting under readers,
// sqlite3Reprepare was a sixth of the time. The plans our statements need do not
// depend on those values: visibility rules are literals in the SQL (so the partial
// indexes match), and the LIKE searches of the newsroom start with a wildcard.
//
// How: an auto-extension is SQLite's hook for configuring each new connection; the
// driver exposes no handle to set it per connection from Go. The same hook registers
// broadsheet_stable_plans(), which reports the setting so a test can check it on
// every pooled connection. The declarations are SQLite's stable C API; the library
// itself is the one the driver links.

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_context sqlite3_context;
typedef struct sqlite3_value sqlite3_value;
extern int sqlite3_db_config(sqlite3 *, int, ...);
extern int sqlite3_auto_extension(void (*)(void));
extern long long sqlite3_memory_used(void);
extern sqlite3 *sqlite3_context_db_handle(sqlite3_context *);
extern void sqlite3_result_int(sqlite3_context *, int);
extern int sqlite3_create_function(sqlite3 *, const char *, int, int, void *,
	void (*)(sqlite3_context *, int, sqlite3_value **),
	void (*)(sqlite3_context *, int, sqlite3_value **),
	void (*)(sqlite3_context *));

enum { dbconfigEnableQPSG = 1007, utf8 = 1 };

static void stablePlansFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
	int on = 0;
	sqlite3_db_config(sqlite3_context_db_handle(ctx), dbconfigEnableQPSG, -1, &on);
	sqlite3_result_int(ctx, on);
}

static int stablePlans(sqlite3 *db, char **errmsg, const void *api) {
	int rc = sqlite3_db_config(db, dbconfigEnableQPSG, 1, (int *)0);
	if (rc != 0) return rc;
	return sqlite3_create_function(db, "broadsheet_stable_plans", 0, utf8, 0, stablePlansFunc, 0, 0);
}

static void limitArenas(void) {
#ifdef __GLIBC__
	if (getenv("MALLOC_ARENA_MAX") == NULL) mallopt(M_ARENA_MAX, 2);
#endif
}

static int registerStablePlans(void) {
	return sqlite3_auto_extension((void (*)(void))stablePlans);
}
*/
import "C"

import "fmt"

// SQLiteMemory is the memory SQLite holds in this process, all connections together
// (page caches, prepared statements, schemas): the part of the server's resident
// memory that Go's own statistics do not show.
func SQLiteMemory() int64 { return int64(C.sqlite3_memory_used()) }

// init limits the allocator's arenas and registers the hook before any connection can
// be opened; both hold for the whole process, as SQLite's auto-extensions do.
func init() {
	C.limitArenas()
	if rc := C.registerStablePlans(); rc != 0 {
		panic(fmt.Sprintf("sqlite3_auto_extension: error %d", rc))
	}
}
