-- Rate limits, shared by every app server on this database: one row per key (an
-- action and a client address or account) counting hits in the current fixed window.
-- WITHOUT ROWID keeps the upsert on the primary key a single B-tree write.
CREATE TABLE rate_limits (
    key    TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL, -- start of the window, in Unix seconds
    hits   INTEGER NOT NULL
) WITHOUT ROWID;

-- One row that /readyz rewrites to prove the database still takes writes. No trigger
-- watches it, so a probe never invalidates a cached page.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
);
