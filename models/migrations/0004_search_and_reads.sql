-- Full-text search and read counts.
--
-- How search stays current without any Go code in the article write paths:
--
--   articles ─┐
--   article_tags ─┼─ triggers ─→ search_docs (one row per published/scheduled story,
--   article_authors ─┤                         the text readers can search for)
--   tags, users ─┘                               │ the three standard triggers
--                                                ↓
--                                   search_index (FTS5, external content = search_docs)
--
-- Any insert, update or delete that touches what a reader can search for rebuilds that
-- story's search_docs row inside the same transaction (delete, then insert if the story is
-- published or scheduled), and search_docs' own triggers mirror the change into the FTS5
-- index with the exact old values FTS5 needs to remove a row. Drafts, stories under review
-- and unpublished stories are never indexed; whether a scheduled story's time has come is
-- decided at query time with the same rule as every other reader query.
--
-- The body is indexed from body_src (the editor's Markdown): body_html would index tag and
-- attribute names. Snippets strip the little Markdown punctuation that shows (models/sanitize.go).
-- To rebuild everything by hand (never needed in normal running):
--   INSERT INTO search_refresh (id) SELECT id FROM articles;             -- search_docs from articles
--   INSERT INTO search_index (search_index) VALUES ('rebuild');          -- the index from search_docs

CREATE TABLE search_docs (
    id      INTEGER PRIMARY KEY,   -- = articles.id
    title   TEXT NOT NULL,
    dek     TEXT NOT NULL,
    body    TEXT NOT NULL,
    tags    TEXT NOT NULL,         -- tag names, one per line
    authors TEXT NOT NULL          -- author names, one per line
);

CREATE VIRTUAL TABLE search_index USING fts5(
    title, dek, body, tags, authors,
    content = 'search_docs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_index (rowid, title, dek, body, tags, authors)
    VALUES (new.id, new.title, new.dek, new.body, new.tags, new.authors);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_index (search_index, rowid, title, dek, body, tags, authors)
    VALUES ('delete', old.id, old.title, old.dek, old.body, old.tags, old.authors);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_index (search_index, rowid, title, dek, body, tags, authors)
    VALUES ('delete', old.id, old.title, old.dek, old.body, old.tags, old.authors);
    INSERT INTO search_index (rowid, title, dek, body, tags, authors)
    VALUES (new.id, new.title, new.dek, new.body, new.tags, new.authors);
END;

-- search_refresh holds the ids whose search_docs row must be rebuilt; inserting into it
-- rebuilds the row (so each trigger below names the rebuild once instead of repeating it).
-- It is always empty between statements.
CREATE TABLE search_refresh (id INTEGER PRIMARY KEY);

CREATE TRIGGER search_refresh_ai AFTER INSERT ON search_refresh BEGIN
    DELETE FROM search_docs WHERE id = new.id;
    INSERT INTO search_docs (id, title, dek, body, tags, authors)
    SELECT a.id, a.title, a.dek, a.body_src,
           coalesce((SELECT group_concat(t.name, char(10)) FROM article_tags at JOIN tags t ON t.id = at.tag_id
                     WHERE at.article_id = a.id), ''),
           coalesce((SELECT group_concat(u.name, char(10)) FROM article_authors aa JOIN users u ON u.id = aa.user_id
                     WHERE aa.article_id = a.id), '')
    FROM articles a
    WHERE a.id = new.id AND a.status IN ('published', 'scheduled');
    DELETE FROM search_refresh WHERE id = new.id;
END;

CREATE TRIGGER articles_search_ai AFTER INSERT ON articles BEGIN
    INSERT OR IGNORE INTO search_refresh (id) VALUES (new.id);
END;
CREATE TRIGGER articles_search_au AFTER UPDATE OF title, dek, body_src, status ON articles BEGIN
    INSERT OR IGNORE INTO search_refresh (id) VALUES (new.id);
END;
CREATE TRIGGER articles_search_ad AFTER DELETE ON articles BEGIN
    DELETE FROM search_docs WHERE id = old.id;
END;
CREATE TRIGGER article_tags_search_ai AFTER INSERT ON article_tags BEGIN
    INSERT OR IGNORE INTO search_refresh (id) VALUES (new.article_id);
END;
CREATE TRIGGER article_tags_search_ad AFTER DELETE ON article_tags BEGIN
    INSERT OR IGNORE INTO search_refresh (id) VALUES (old.article_id);
END;
CREATE TRIGGER article_authors_search_ai AFTER INSERT ON article_authors BEGIN
    INSERT OR IGNORE INTO search_refresh (id) VALUES (new.article_id);
END;
CREATE TRIGGER article_authors_search_ad AFTER DELETE ON article_authors BEGIN
    INSERT OR IGNORE INTO search_refresh (id) VALUES (old.article_id);
END;
CREATE TRIGGER tags_search_au AFTER UPDATE OF name ON tags BEGIN
    INSERT OR IGNORE INTO search_refresh (id) SELECT article_id FROM article_tags WHERE tag_id = new.id;
END;
CREATE TRIGGER users_search_au AFTER UPDATE OF name ON users BEGIN
    INSERT OR IGNORE INTO search_refresh (id) SELECT article_id FROM article_authors WHERE user_id = new.id;
END;

-- Index the stories that exist already.
INSERT INTO search_refresh (id) SELECT id FROM articles;

-- Reads per story per hour. Every app server keeps its own counts in memory and adds them
-- here now and then (count = count + excluded.count), so servers never overwrite each other.
CREATE TABLE article_reads (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    hour       TEXT NOT NULL,             -- UTC hour, '2026-11-29T10'
    count      INTEGER NOT NULL,
    PRIMARY KEY (article_id, hour)
) WITHOUT ROWID;
CREATE INDEX article_reads_hour ON article_reads (hour);
