-- The same writes on both engines; compare.sh runs it on a copy of a freshly migrated
-- SQLite site and on a PostgreSQL database holding ../0001_schema.sql, then compares
-- what the triggers keep (report.sql). Plain SQL that both engines accept.

INSERT INTO sections (id, name, slug) VALUES (1, 'World', 'world'), (2, 'Arts', 'arts');
INSERT INTO users (id, email, name, slug, role, created_at) VALUES
    (1, 'ann@example.com', 'Ann Writer', 'ann', 'editor', '2026-11-29T10:00:00Z'),
    (2, 'bob@example.com', 'Bob Hack', 'bob', 'author', '2026-11-29T10:00:00Z'),
    (3, 'cy@example.com', 'Cy Reader', 'cy', 'commenter', '2026-11-29T10:00:00Z');
INSERT INTO tags (id, name, slug) VALUES (2, 'Zeta', 'zeta'), (1, 'Alpha', 'alpha'), (3, 'Beta', 'beta');

-- A draft, then published; tags and authors linked before and after publication.
INSERT INTO articles (id, title, slug, dek, body_src, section_id, status, created_at, modified_at)
    VALUES (1, 'Sea wall holds', 'sea-wall', 'The storm passed', 'Waves *broke* over the wall.', 1, 'draft',
            '2026-11-29T10:00:00Z', '2026-11-29T10:00:00Z');
INSERT INTO article_tags (article_id, tag_id) VALUES (1, 2);
INSERT INTO article_authors (article_id, user_id, position) VALUES (1, 2, 0);
UPDATE articles SET status = 'published', published_at = '2026-11-29T11:00:00Z' WHERE id = 1;
INSERT INTO article_tags (article_id, tag_id) VALUES (1, 1);
INSERT INTO article_authors (article_id, user_id, position) VALUES (1, 1, 1);

-- Published at once; scheduled; a second story in section 2 with the same tags.
INSERT INTO articles (id, title, slug, body_src, section_id, status, published_at, created_at, modified_at)
    VALUES (2, 'Café opens', 'cafe', 'Coffee and cake.', 2, 'published', '2026-11-29T09:00:00Z',
            '2026-11-29T09:00:00Z', '2026-11-29T09:00:00Z'),
           (3, 'Vote tomorrow', 'vote', 'Polls open at seven.', 1, 'scheduled', '2026-11-30T07:00:00Z',
            '2026-11-29T09:00:00Z', '2026-11-29T09:00:00Z');
INSERT INTO article_tags (article_id, tag_id) VALUES (2, 3), (2, 1), (3, 2);
INSERT INTO article_authors (article_id, user_id) VALUES (2, 1), (3, 2);
-- Links written out of id order: search_docs lists tags and authors in id order on both.
INSERT INTO articles (id, title, slug, dek, body_src, section_id, status, published_at, created_at, modified_at)
    VALUES (4, 'Harbour news', 'harbour', 'Boats, nets', 'The quay reopened.', 2, 'published',
            '2026-11-29T08:00:00Z', '2026-11-29T08:00:00Z', '2026-11-29T08:00:00Z');
INSERT INTO article_tags (article_id, tag_id) VALUES (4, 3);
INSERT INTO article_tags (article_id, tag_id) VALUES (4, 1), (4, 2);
INSERT INTO article_authors (article_id, user_id, position) VALUES (4, 2, 0), (4, 1, 1);

-- Comments: approved, held, replies (root_id left to the trigger), a guest.
INSERT INTO comments (id, article_id, parent_id, user_id, body_src, body_html, status, created_at)
    VALUES (1, 1, NULL, 3, 'First', '<p>First</p>', 'approved', '2026-11-29T12:00:00Z');
INSERT INTO comments (id, article_id, parent_id, user_id, body_src, body_html, status, created_at)
    VALUES (2, 1, NULL, 3, 'Held', '<p>Held</p>', 'pending', '2026-11-29T12:01:00Z');
INSERT INTO comments (id, article_id, parent_id, user_id, body_src, body_html, status, created_at)
    VALUES (3, 1, 1, 2, 'Reply', '<p>Reply</p>', 'approved', '2026-11-29T12:02:00Z');
INSERT INTO comments (id, article_id, parent_id, user_id, body_src, body_html, status, created_at)
    VALUES (4, 1, 3, NULL, 'Guest reply', '<p>Guest reply</p>', 'pending', '2026-11-29T12:03:00Z');
INSERT INTO comments (id, article_id, parent_id, user_id, body_src, body_html, status, created_at)
    VALUES (5, 2, NULL, 1, 'On the cafe', '<p>On the cafe</p>', 'approved', '2026-11-29T12:04:00Z'),
           (6, 2, 5, 3, 'Agreed', '<p>Agreed</p>', 'approved', '2026-11-29T12:05:00Z'),
           (7, 3, NULL, 3, 'Early', '<p>Early</p>', 'approved', '2026-11-29T12:06:00Z');
-- Moderation: approve the held one, remove a reply, hold an approved thread.
UPDATE comments SET status = 'approved' WHERE id = 2;
UPDATE comments SET status = 'deleted' WHERE id = 3;
UPDATE comments SET status = 'spam' WHERE id = 5;
-- Several rows in one statement (SQLite runs triggers per row, PostgreSQL at statement end).
UPDATE comments SET status = 'pending' WHERE article_id = 2;
UPDATE comments SET status = 'approved' WHERE article_id = 2 AND parent_id IS NOT NULL;
UPDATE comments SET body_src = 'First!', edited_at = '2026-11-29T12:10:00Z' WHERE id = 1;

-- Votes: cast, changed, withdrawn, and removed with their comment.
INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (1, 2, 1, '2026-11-29T13:00:00Z');
INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (1, 1, -1, '2026-11-29T13:00:00Z');
UPDATE comment_votes SET value = 1 WHERE comment_id = 1 AND user_id = 1;
INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (2, 1, 1, '2026-11-29T13:01:00Z');
INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (2, 2, -1, '2026-11-29T13:01:00Z');
DELETE FROM comment_votes WHERE comment_id = 2 AND user_id = 1;
INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (6, 2, -1, '2026-11-29T13:02:00Z');
DELETE FROM comments WHERE id = 2;
-- Deleting a comment takes its replies with it (4 under 3).
DELETE FROM comments WHERE id = 3;

-- Renames reach the search text; a section move and an unpublish move the counts.
UPDATE tags SET name = 'Zebra' WHERE id = 2;
UPDATE users SET name = 'Ann Editor' WHERE id = 1;
UPDATE users SET password_hash = 'x', session_version = session_version + 1 WHERE id = 2;
UPDATE articles SET section_id = 2 WHERE id = 1;
UPDATE articles SET status = 'unpublished' WHERE id = 2;
UPDATE articles SET title = 'Sea wall holds again', modified_at = '2026-11-29T14:00:00Z' WHERE id = 1;
DELETE FROM article_tags WHERE article_id = 1 AND tag_id = 1;

-- The front page, corrections, settings, a slug redirect.
INSERT INTO front_picks (article_id, slot, position, created_at) VALUES (1, 'lead', 0, '2026-11-29T15:00:00Z');
INSERT INTO front_picks (article_id, slot, position, created_at) VALUES (3, 'top', 0, '2026-11-29T15:00:00Z');
UPDATE front_picks SET position = 1 WHERE article_id = 3;
DELETE FROM front_picks WHERE article_id = 3;
INSERT INTO corrections (id, article_id, kind, body, user_id, created_at)
    VALUES (1, 1, 'correction', 'The wall is 3 m high.', 1, '2026-11-29T15:05:00Z');
UPDATE corrections SET body = 'The wall is 4 m high.', amended_at = '2026-11-29T15:06:00Z' WHERE id = 1;
INSERT INTO settings (key, value) VALUES ('site_name', 'Broadsheet');
UPDATE settings SET value = 'The Broadsheet' WHERE key = 'site_name';
-- An upsert's update path fires the update triggers on both engines.
INSERT INTO settings (key, value) VALUES ('site_name', 'Broadsheet Daily')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES (1, 1, -1, '2026-11-29T15:10:00Z')
    ON CONFLICT (comment_id, user_id) DO UPDATE SET value = excluded.value;
INSERT INTO slug_redirects (old_slug, article_id) VALUES ('old-sea-wall', 1);

-- Live coverage: a story goes live, entries are written, edited, pinned and deleted, it ends.
INSERT INTO live_stories (article_id, started_at) VALUES (1, '2026-11-29T16:00:00Z');
INSERT INTO live_entries (id, article_id, author_id, body_src, body_html, created_at, updated_at)
    VALUES (1, 1, 1, 'Water rising', '<p>Water rising</p>', '2026-11-29T16:01:00Z', '2026-11-29T16:01:00Z');
INSERT INTO live_entries (id, article_id, author_id, body_src, body_html, created_at, updated_at)
    VALUES (2, 1, 1, 'Gates shut', '<p>Gates shut</p>', '2026-11-29T16:02:00Z', '2026-11-29T16:02:00Z');
UPDATE live_entries SET pinned = 1, key_event = 1 WHERE id = 2;
DELETE FROM live_entries WHERE id = 1;
UPDATE live_stories SET ended_at = '2026-11-29T18:00:00Z' WHERE article_id = 1;

-- A story deleted with its links, comments and an autosave.
INSERT INTO article_autosaves (user_id, article_id, form, saved_at) VALUES (2, 3, 'title=Vote', '2026-11-29T17:00:00Z');
INSERT INTO article_autosaves (user_id, article_id, form, saved_at) VALUES (2, 0, 'title=New', '2026-11-29T17:00:00Z');
DELETE FROM articles WHERE id = 3;
