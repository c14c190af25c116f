-- WordPress import, second round: the old addresses of categories, tags and authors
-- (so /category/x/, /tag/y/feed/ and /author/z/ answer 301 to our pages), and the
-- web address a guest commenter left, which WordPress shows with their name.

-- old_path is decoded, without a trailing slash ('/category/world', '/blog/tag/climate').
-- local_id points into sections, tags or users as kind says; a row whose target was
-- deleted simply stops redirecting.
CREATE TABLE wp_term_redirects (
    old_path TEXT PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('section', 'tag', 'author')),
    local_id INTEGER NOT NULL
);

ALTER TABLE comments ADD COLUMN guest_url TEXT NOT NULL DEFAULT '';
