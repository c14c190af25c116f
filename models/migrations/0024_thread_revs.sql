-- After a comment, a story's page of threads is read again while most of its threads
-- are as they were. thread_rev, on a top-level comment, is its story's discussion
-- version (discussions.version) as of the last change to any comment of its thread,
-- so a server that read a page of threads at version V reads again only the threads
-- whose thread_rev is above V and keeps its copy of the rest (CommentStore.ThreadAgain).
-- The comments' triggers set it in the write that moves the version. The thread index
-- (comments_roots) does not hold it: rebuilding that index reads every comment, which
-- on an archive of ten million took longer than a start may (30 seconds), and a page
-- reads its threads' rows anyway, the revision with them.
ALTER TABLE comments ADD COLUMN thread_rev INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER IF EXISTS comments_version_ins;
DROP TRIGGER IF EXISTS comments_version_upd;
DROP TRIGGER IF EXISTS comments_version_del;
CREATE TRIGGER comments_version_ins AFTER INSERT ON comments BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    INSERT INTO discussions (article_id, version, approved, threads)
        VALUES (NEW.article_id, 1, NEW.status = 'approved', NEW.status = 'approved' AND NEW.parent_id IS NULL)
        ON CONFLICT (article_id) DO UPDATE SET version = version + 1, approved = approved + (NEW.status = 'approved'),
            threads = threads + (NEW.status = 'approved' AND NEW.parent_id IS NULL);
    UPDATE comments SET thread_rev = (SELECT version FROM discussions WHERE article_id = NEW.article_id)
        WHERE id = coalesce(NEW.root_id, NEW.id);
END;
-- Not for the triggers' own writes of thread_rev, which change nothing a reader sees.
CREATE TRIGGER comments_version_upd AFTER UPDATE ON comments WHEN NEW.thread_rev = OLD.thread_rev BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1, approved = approved - (OLD.status = 'approved'),
            threads = threads - (OLD.status = 'approved' AND OLD.parent_id IS NULL)
        WHERE article_id = OLD.article_id;
    INSERT INTO discussions (article_id, version, approved, threads)
        VALUES (NEW.article_id, 1, NEW.status = 'approved', NEW.status = 'approved' AND NEW.parent_id IS NULL)
        ON CONFLICT (article_id) DO UPDATE SET version = version + 1, approved = approved + (NEW.status = 'approved'),
            threads = threads + (NEW.status = 'approved' AND NEW.parent_id IS NULL);
    UPDATE comments SET thread_rev = (SELECT version FROM discussions WHERE article_id = NEW.article_id)
        WHERE id = coalesce(NEW.root_id, NEW.id);
END;
CREATE TRIGGER comments_version_del AFTER DELETE ON comments BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1, approved = approved - (OLD.status = 'approved'),
            threads = threads - (OLD.status = 'approved' AND OLD.parent_id IS NULL)
        WHERE article_id = OLD.article_id;
    UPDATE comments SET thread_rev = (SELECT version FROM discussions WHERE article_id = OLD.article_id)
        WHERE id = OLD.root_id;
END;
