-- A discussion is paged by top-level thread. root_id names the thread a comment
-- belongs to (a top-level comment carries its own id), so one page of threads and
-- the page a comment sits on are index lookups rather than a walk over the whole
-- discussion, which cost 25 ms a page and 35 ms a post at 5,000 comments.
ALTER TABLE comments ADD COLUMN root_id INTEGER;

WITH RECURSIVE up(id, root) AS (
    SELECT id, id FROM comments WHERE parent_id IS NULL
    UNION ALL SELECT c.id, up.root FROM comments c JOIN up ON c.parent_id = up.id)
UPDATE comments SET root_id = up.root FROM up WHERE up.id = comments.id;

-- Every writer (posting, the WordPress import, bulk generators) gets root_id right
-- without knowing about it; a writer that already knows the root may set it itself.
-- A parent is always inserted before its replies (the foreign key demands it), so
-- the parent's root_id is already set.
CREATE TRIGGER comments_root AFTER INSERT ON comments WHEN NEW.root_id IS NULL BEGIN
    UPDATE comments SET root_id = coalesce((SELECT root_id FROM comments WHERE id = NEW.parent_id), NEW.id)
    WHERE id = NEW.id;
END;

-- Top-level threads in posting order, covering what paging and numbering read.
CREATE INDEX comments_roots ON comments (article_id, created_at, id, status, parent_id) WHERE parent_id IS NULL;
-- A thread's comments, and whether a thread holds anything a given reader may see.
CREATE INDEX comments_thread ON comments (root_id, status, user_id);
