-- Live coverage: a story marked live carries timestamped entries written from the
-- newsroom's live desk. A row in live_stories marks the story live; closing it sets
-- ended_at, after which the story reads as a normal article with its entries kept as
-- a timeline.
--   version: bumped by every entry written, edited or deleted, so a reader's open
--            stream (server-sent events) notices a change by reading one integer.
CREATE TABLE live_stories (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at   TEXT,                      -- NULL while the story is live
    version    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE live_entries (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES live_stories (article_id) ON DELETE CASCADE,
    author_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title      TEXT NOT NULL DEFAULT '',  -- a key event's line in the key events list
    body_src   TEXT NOT NULL,
    body_html  TEXT NOT NULL,             -- sanitised by Sanitizer.ArticleHTML
    key_event  INTEGER NOT NULL DEFAULT 0,
    pinned     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX live_entries_article ON live_entries (article_id, created_at DESC, id DESC);
-- At most one pinned entry per story, held by the database rather than by care.
CREATE UNIQUE INDEX live_entries_one_pin ON live_entries (article_id) WHERE pinned;

-- Entries are public content: every write bumps the site version (the story's page and
-- the cards that say "Live" are cached under it) and the story's own version (the
-- streams of readers watching it).
CREATE TRIGGER live_stories_site_ins AFTER INSERT ON live_stories BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER live_stories_site_upd AFTER UPDATE OF started_at, ended_at ON live_stories BEGIN
    UPDATE cache_versions SET site = site + 1;
    UPDATE live_stories SET version = version + 1 WHERE article_id = NEW.article_id;
END;
CREATE TRIGGER live_stories_site_del AFTER DELETE ON live_stories BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER live_entries_ins AFTER INSERT ON live_entries BEGIN
    UPDATE cache_versions SET site = site + 1;
    UPDATE live_stories SET version = version + 1 WHERE article_id = NEW.article_id;
END;
CREATE TRIGGER live_entries_upd AFTER UPDATE ON live_entries BEGIN
    UPDATE cache_versions SET site = site + 1;
    UPDATE live_stories SET version = version + 1 WHERE article_id IN (OLD.article_id, NEW.article_id);
END;
CREATE TRIGGER live_entries_del AFTER DELETE ON live_entries BEGIN
    UPDATE cache_versions SET site = site + 1;
    UPDATE live_stories SET version = version + 1 WHERE article_id = OLD.article_id;
END;
