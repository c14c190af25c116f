-- models/migrations/0022_fewer_comment_pages.sql on PostgreSQL: no index entries for
-- what no query looks up, so a post writes fewer index pages.
DROP INDEX comments_article_status;
DROP INDEX comments_parent;
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
DROP INDEX comments_thread;
CREATE INDEX comments_thread ON comments (root_id, status, user_id) WHERE root_id IS NOT NULL;
