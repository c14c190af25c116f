-- The newsroom: every save of an article keeps a revision, and editorial actions
-- (publish, unpublish, delete, block …) are written to an audit log.

CREATE TABLE article_revisions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,                 -- the article's version this save produced
    title      TEXT NOT NULL,
    slug       TEXT NOT NULL,
    dek        TEXT NOT NULL DEFAULT '',
    body_src   TEXT NOT NULL DEFAULT '',
    dateline   TEXT NOT NULL DEFAULT '',
    wire       TEXT NOT NULL DEFAULT '',
    correction TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, id DESC);

-- Kept when the article is deleted (no foreign key on target): the log must outlive what it describes.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action     TEXT NOT NULL,                    -- e.g. 'article.publish', 'article.delete', 'user.block'
    target     TEXT NOT NULL,                    -- what it was done to, in words ('“Headline” (#12)')
    created_at TEXT NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at DESC, id DESC);
