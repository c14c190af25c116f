-- An archive of a million stories: every reader query walks a short stretch of an index
-- instead of the whole archive.
--
-- "Live" below means status IN ('published', 'scheduled') with a publication time: the
-- part of the reader rule (models/article.go, `visible`) that does not depend on the
-- clock. The clock part (published_at <= now) is a range on the indexes below, so the
-- stories still waiting for their time are a short run at the top of each index.

-- Lists, newest first. Partial indexes hold only live stories and carry the sort key
-- with the id, so a page of ids is read from the index alone (OFFSET included). They
-- carry status too, though every entry's is live: SQLite counts an index as covering
-- only if it holds every column the query names, and the reader rule names status.
CREATE INDEX articles_live ON articles (published_at DESC, id DESC, status)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX articles_live_section ON articles (section_id, published_at DESC, id DESC, status)
    WHERE status IN ('published', 'scheduled');
-- Is story N visible, and what do a sitemap and search need of it? Search asks this of
-- up to 200 matches and a sitemap page of a thousand stories; the row itself
-- answers only after walking past the body (overflow pages) to status and the times.
CREATE INDEX articles_live_id ON articles (id, status, published_at, section_id, modified_at, slug, title)
    WHERE status IN ('published', 'scheduled');
-- max(modified_at) for ETags and the sitemaps.
CREATE INDEX articles_modified ON articles (modified_at);
-- Approved comments per story, counted from the index alone.
CREATE INDEX comments_article_status ON comments (article_id, status);

-- Tag and author pages list a tag's or writer's stories newest first. Sorting them by
-- the article's time would read every story of a large tag, so each link row carries
-- its story's publication time while the story is live (NULL otherwise), kept by the
-- triggers below from whichever code writes articles or links.
ALTER TABLE article_tags ADD COLUMN live_at TEXT;
ALTER TABLE article_authors ADD COLUMN live_at TEXT;

UPDATE article_tags SET live_at = (SELECT a.published_at FROM articles a
    WHERE a.id = article_tags.article_id AND a.status IN ('published', 'scheduled'));
UPDATE article_authors SET live_at = (SELECT a.published_at FROM articles a
    WHERE a.id = article_authors.article_id AND a.status IN ('published', 'scheduled'));

CREATE INDEX article_tags_live ON article_tags (tag_id, live_at DESC, article_id DESC) WHERE live_at IS NOT NULL;
CREATE INDEX article_authors_live ON article_authors (user_id, live_at DESC, article_id DESC) WHERE live_at IS NOT NULL;

CREATE TRIGGER article_tags_live_ai AFTER INSERT ON article_tags BEGIN
    UPDATE article_tags SET live_at = (SELECT a.published_at FROM articles a
        WHERE a.id = new.article_id AND a.status IN ('published', 'scheduled'))
    WHERE article_id = new.article_id AND tag_id = new.tag_id;
END;
CREATE TRIGGER article_authors_live_ai AFTER INSERT ON article_authors BEGIN
    UPDATE article_authors SET live_at = (SELECT a.published_at FROM articles a
        WHERE a.id = new.article_id AND a.status IN ('published', 'scheduled'))
    WHERE article_id = new.article_id AND user_id = new.user_id;
END;
CREATE TRIGGER articles_live_au AFTER UPDATE OF status, published_at ON articles BEGIN
    UPDATE article_tags SET live_at = CASE WHEN new.status IN ('published', 'scheduled') THEN new.published_at END
    WHERE article_id = new.id;
    UPDATE article_authors SET live_at = CASE WHEN new.status IN ('published', 'scheduled') THEN new.published_at END
    WHERE article_id = new.id;
END;

-- Pagers say "page 5 of 80 000": the number of live stories per list, kept by triggers,
-- so the total costs one row read. The stories still waiting for their time are
-- subtracted at query time (a short index range, see ArticleStore.total).
-- scope is 'all' (key 0), 'section', 'tag' or 'author' (key = that row's id).
CREATE TABLE live_counts (
    scope TEXT NOT NULL,
    key   INTEGER NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;

INSERT INTO live_counts (scope, key, n)
    SELECT 'all', 0, count(*) FROM articles
    WHERE status IN ('published', 'scheduled') AND published_at IS NOT NULL;
INSERT INTO live_counts (scope, key, n)
    SELECT 'section', section_id, count(*) FROM articles
    WHERE status IN ('published', 'scheduled') AND published_at IS NOT NULL GROUP BY section_id;
INSERT INTO live_counts (scope, key, n)
    SELECT 'tag', tag_id, count(*) FROM article_tags WHERE live_at IS NOT NULL GROUP BY tag_id;
INSERT INTO live_counts (scope, key, n)
    SELECT 'author', user_id, count(*) FROM article_authors WHERE live_at IS NOT NULL GROUP BY user_id;

CREATE TRIGGER articles_count_ai AFTER INSERT ON articles
WHEN new.status IN ('published', 'scheduled') AND new.published_at IS NOT NULL BEGIN
    INSERT INTO live_counts (scope, key, n) VALUES ('all', 0, 1), ('section', new.section_id, 1)
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER articles_count_ad AFTER DELETE ON articles
WHEN old.status IN ('published', 'scheduled') AND old.published_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE (scope, key) IN (VALUES ('all', 0), ('section', old.section_id));
END;
-- An update is the old row leaving its counts and the new row joining its own.
CREATE TRIGGER articles_count_au_old AFTER UPDATE OF status, published_at, section_id ON articles
WHEN old.status IN ('published', 'scheduled') AND old.published_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE (scope, key) IN (VALUES ('all', 0), ('section', old.section_id));
END;
CREATE TRIGGER articles_count_au_new AFTER UPDATE OF status, published_at, section_id ON articles
WHEN new.status IN ('published', 'scheduled') AND new.published_at IS NOT NULL BEGIN
    INSERT INTO live_counts (scope, key, n) VALUES ('all', 0, 1), ('section', new.section_id, 1)
        ON CONFLICT (scope, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER article_tags_count_au AFTER UPDATE OF live_at ON article_tags
WHEN (old.live_at IS NULL) <> (new.live_at IS NULL) BEGIN
    INSERT INTO live_counts (scope, key, n) VALUES ('tag', new.tag_id, iif(new.live_at IS NULL, -1, 1))
        ON CONFLICT (scope, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER article_tags_count_ad AFTER DELETE ON article_tags WHEN old.live_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE scope = 'tag' AND key = old.tag_id;
END;
CREATE TRIGGER article_authors_count_au AFTER UPDATE OF live_at ON article_authors
WHEN (old.live_at IS NULL) <> (new.live_at IS NULL) BEGIN
    INSERT INTO live_counts (scope, key, n) VALUES ('author', new.user_id, iif(new.live_at IS NULL, -1, 1))
        ON CONFLICT (scope, key) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER article_authors_count_ad AFTER DELETE ON article_authors WHEN old.live_at IS NOT NULL BEGIN
    UPDATE live_counts SET n = n - 1 WHERE scope = 'author' AND key = old.user_id;
END;
