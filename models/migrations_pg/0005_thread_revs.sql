-- models/migrations/0024_thread_revs.sql on PostgreSQL: a top-level comment's
-- thread_rev is its story's discussion version as of the last change to its thread,
-- set by the comments' triggers, so a page of threads is read again thread by thread.
-- As there, the thread index is left as it is (rebuilding it reads every comment).
ALTER TABLE comments ADD COLUMN thread_rev BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION comments_version_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    INSERT INTO discussions (article_id, version, approved, threads)
        VALUES (NEW.article_id, 1, (NEW.status = 'approved')::int,
                (NEW.status = 'approved' AND NEW.parent_id IS NULL)::int)
        ON CONFLICT (article_id) DO UPDATE SET version = discussions.version + 1,
            approved = discussions.approved + (NEW.status = 'approved')::int,
            threads = discussions.threads + (NEW.status = 'approved' AND NEW.parent_id IS NULL)::int;
    UPDATE comments SET thread_rev = (SELECT version FROM discussions WHERE article_id = NEW.article_id)
        WHERE id = coalesce(NEW.root_id, NEW.id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION comments_version_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1, approved = approved - (OLD.status = 'approved')::int,
            threads = threads - (OLD.status = 'approved' AND OLD.parent_id IS NULL)::int
        WHERE article_id = OLD.article_id;
    INSERT INTO discussions (article_id, version, approved, threads)
        VALUES (NEW.article_id, 1, (NEW.status = 'approved')::int,
                (NEW.status = 'approved' AND NEW.parent_id IS NULL)::int)
        ON CONFLICT (article_id) DO UPDATE SET version = discussions.version + 1,
            approved = discussions.approved + (NEW.status = 'approved')::int,
            threads = discussions.threads + (NEW.status = 'approved' AND NEW.parent_id IS NULL)::int;
    UPDATE comments SET thread_rev = (SELECT version FROM discussions WHERE article_id = NEW.article_id)
        WHERE id = coalesce(NEW.root_id, NEW.id);
    RETURN NULL;
END $$;
-- Not for the triggers' own writes of thread_rev, which change nothing a reader sees
-- (and would fire this trigger again: PostgreSQL's triggers recurse).
DROP TRIGGER comments_version_upd ON comments;
CREATE TRIGGER comments_version_upd AFTER UPDATE ON comments
    FOR EACH ROW WHEN (NEW.thread_rev = OLD.thread_rev) EXECUTE FUNCTION comments_version_upd_fn();

CREATE OR REPLACE FUNCTION comments_version_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1, approved = approved - (OLD.status = 'approved')::int,
            threads = threads - (OLD.status = 'approved' AND OLD.parent_id IS NULL)::int
        WHERE article_id = OLD.article_id;
    UPDATE comments SET thread_rev = (SELECT version FROM discussions WHERE article_id = OLD.article_id)
        WHERE id = OLD.root_id;
    RETURN NULL;
END $$;
