-- WordPress import: what came from which export, so a re-run imports nothing twice,
-- and the old permalinks that now answer 301 to their article.

-- One row per imported thing. site is the export's wp:base_site_url, so two blogs
-- imported into one paper never mistake each other's ids. local_id points into the
-- table kind names (users, sections, articles, comments); there is no foreign key
-- because it spans tables, and a row kept after its target is deleted means an
-- editor removed it on purpose and a re-run must not bring it back.
CREATE TABLE wp_imports (
    site        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('author', 'post', 'comment')),
    wp_id       TEXT NOT NULL,
    local_id    INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (site, kind, wp_id)
);

-- Old addresses of imported posts: the permalink path ('/2019/05/03/sea-wall', decoded,
-- no trailing slash) and the plain form ('/?p=123').
CREATE TABLE wp_redirects (
    old_path   TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);

-- A featured image the export referenced but did not bring (the file was not beside
-- the XML, or was not a usable image): its old URL, so an editor can fetch it later.
ALTER TABLE articles ADD COLUMN imported_image_url TEXT NOT NULL DEFAULT '';
