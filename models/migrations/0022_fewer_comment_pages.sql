-- Every comment posted writes one page of the log for each index of comments it enters,
-- so an index no query needs costs every post. By the plans of every statement the test
-- suite sends about comments (read on an archive of 400,000 comments):
--   - comments_article_status (0007) counted a story's approved comments; the kept
--     counts of 0020 answer that now, and comments_public serves any recount.
--   - comments_parent and comments_thread hold every top-level comment under NULL,
--     which no query looks up: replies are found by their parent or their thread, and
--     SQLite uses a partial index for "parent_id = ?" (the cascade of a deleted comment
--     included). The one statement that read comments_parent for "parent_id IS NULL",
--     a comment's place among threads ordered by votes, walked every top-level comment
--     of the site that way; it now reads the story's own (comments_roots).
-- A new thread then writes 11 pages instead of 14, a reply 12 instead of 13.
DROP INDEX comments_article_status;
DROP INDEX comments_parent;
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
DROP INDEX comments_thread;
CREATE INDEX comments_thread ON comments (root_id, status, user_id) WHERE root_id IS NOT NULL;
