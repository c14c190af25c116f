-- The edited front page and corrections on the record (issue 10).

-- front_picks are the editors' choices for the front page: the lead, the top stories
-- and each section block's picks (a section pick belongs to its story's own section).
-- A story is picked at most once (the key), so no story can be placed twice; one lead
-- at a time. pinned_until NULL keeps a pick until it is removed; a time lets it lapse
-- by itself, and the front page's cached copy expires at that time.
CREATE TABLE front_picks (
    article_id   INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    slot         TEXT NOT NULL CHECK (slot IN ('lead', 'top', 'section')),
    position     INTEGER NOT NULL,
    pinned_until TEXT,
    user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX front_picks_one_lead ON front_picks (slot) WHERE slot = 'lead';

-- Corrections, clarifications and updates appended to a story. The current text is
-- here; every earlier text of an amended record is kept in correction_texts.
CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('correction', 'clarification', 'update')),
    body       TEXT NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    amended_at TEXT                    -- the last change of its text, NULL if never amended
);
CREATE INDEX corrections_article ON corrections (article_id, created_at, id);
CREATE INDEX corrections_created ON corrections (created_at DESC, id DESC);

CREATE TABLE correction_texts (
    id            INTEGER PRIMARY KEY,
    correction_id INTEGER NOT NULL REFERENCES corrections(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL, -- who wrote this text
    created_at    TEXT NOT NULL,                                   -- when it was written
    replaced_at   TEXT NOT NULL
);
CREATE INDEX correction_texts_correction ON correction_texts (correction_id, id);

-- Both are public content: the page cache must see every change (pattern of 0006).
-- correction_texts are shown only to staff, so they leave the cache alone.
CREATE TRIGGER front_picks_site_ins AFTER INSERT ON front_picks BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER front_picks_site_upd AFTER UPDATE ON front_picks BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER front_picks_site_del AFTER DELETE ON front_picks BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER corrections_site_ins AFTER INSERT ON corrections BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER corrections_site_upd AFTER UPDATE ON corrections BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER corrections_site_del AFTER DELETE ON corrections BEGIN UPDATE cache_versions SET site = site + 1; END;
