-- The core newsroom schema. Times are UTC text in RFC 3339 form ('2026-11-29T10:00:00Z'),
-- which sorts correctly as text and round-trips through time.Time without driver surprises.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,   -- display name ("NAME said:")
    slug            TEXT NOT NULL UNIQUE,                  -- /author/SLUG
    bio             TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL DEFAULT 'commenter'
                    CHECK (role IN ('admin', 'editor', 'author', 'commenter')),
    password_hash   TEXT NOT NULL DEFAULT '',              -- '' = cannot log in (e.g. imported authors)
    -- Bumped to end every session of this user at once (logout everywhere, password change, block).
    session_version INTEGER NOT NULL DEFAULT 1,
    blocked         INTEGER NOT NULL DEFAULT 0,
    deactivated     INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);

CREATE TABLE sections (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    slug        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    slug TEXT NOT NULL UNIQUE
);

-- Photos. Files live under data/uploads, named by the SHA-256 of their bytes; one row per original.
CREATE TABLE media (
    id         INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,          -- content address of the re-encoded original
    ext        TEXT NOT NULL,                 -- 'jpg' or 'png'
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    sizes      TEXT NOT NULL DEFAULT '',      -- comma-separated widths made for srcset, e.g. '480,960,1600'
    alt        TEXT NOT NULL DEFAULT '',
    caption    TEXT NOT NULL DEFAULT '',
    credit     TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE articles (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    dek              TEXT NOT NULL DEFAULT '',
    body_src         TEXT NOT NULL DEFAULT '',   -- Markdown as the editor typed it
    body_html        TEXT NOT NULL DEFAULT '',   -- sanitised HTML, the only form served
    dateline         TEXT NOT NULL DEFAULT '',   -- place, e.g. 'TEHRAN'
    wire             TEXT NOT NULL DEFAULT '',   -- wire source, e.g. 'Reuters'
    section_id       INTEGER NOT NULL REFERENCES sections(id) ON DELETE RESTRICT,
    media_id         INTEGER REFERENCES media(id) ON DELETE SET NULL,
    -- Alt text, caption and credit are per use of a photo, so they live on the article too.
    image_alt        TEXT NOT NULL DEFAULT '',
    image_caption    TEXT NOT NULL DEFAULT '',
    image_credit     TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'review', 'scheduled', 'published', 'unpublished')),
    published_at     TEXT,                        -- when readers may see it (also the schedule time)
    updated_at       TEXT,                        -- last reader-visible update, shown as "Updated"
    correction       TEXT NOT NULL DEFAULT '',    -- optional correction note shown on the page
    comments_open    INTEGER NOT NULL DEFAULT 1,
    version          INTEGER NOT NULL DEFAULT 1,  -- optimistic locking for concurrent editors
    created_at       TEXT NOT NULL,
    modified_at      TEXT NOT NULL                -- any change, for ETags and caches
);
CREATE INDEX articles_visible ON articles (status, published_at DESC);
CREATE INDEX articles_section ON articles (section_id, status, published_at DESC);

CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, user_id)
);
CREATE INDEX article_authors_user ON article_authors (user_id);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id);

-- Old slugs of renamed articles answer 301 to the current one.
CREATE TABLE slug_redirects (
    old_slug   TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments(id) ON DELETE CASCADE,
    user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,  -- NULL for guests
    guest_name   TEXT NOT NULL DEFAULT '',
    guest_email  TEXT NOT NULL DEFAULT '',
    body_src     TEXT NOT NULL,            -- what the commenter typed, for editing
    body_html    TEXT NOT NULL,            -- sanitised, the only form served
    status       TEXT NOT NULL DEFAULT 'approved'
                 CHECK (status IN ('pending', 'approved', 'spam', 'deleted')),
    held_reasons TEXT NOT NULL DEFAULT '', -- comma-separated rules that held it: first,links,word,guest
    ip           TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    edited_at    TEXT
);
CREATE INDEX comments_article ON comments (article_id, created_at, id);
CREATE INDEX comments_status ON comments (status, created_at DESC);
CREATE INDEX comments_user ON comments (user_id, created_at DESC);

CREATE TABLE comment_reports (
    comment_id  INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    resolved    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (comment_id, user_id)
);

-- Site settings as key/value text; models/settings.go gives them types and defaults.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
