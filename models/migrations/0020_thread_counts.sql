-- Where a comment lands in a long discussion (the redirect after posting, every
-- permalink) is "how many threads come before its thread". Counting them walked every
-- top-level comment, so posting slowed as a discussion grew. discussions.threads keeps
-- the number of approved top-level comments, so the page follows from the threads
-- *after* a comment's thread (none, for a comment just posted) and the few unapproved
-- top-level comments a reader may still see (their own pending ones, removed ones
-- standing above visible replies), read from a partial index of their own.
ALTER TABLE discussions ADD COLUMN threads INTEGER NOT NULL DEFAULT 0;
UPDATE discussions SET threads = (SELECT count(*) FROM comments c
    WHERE c.article_id = discussions.article_id AND c.parent_id IS NULL AND c.status = 'approved');

CREATE INDEX comments_unapproved_roots ON comments (article_id, created_at, id, status, user_id, parent_id)
    WHERE parent_id IS NULL AND status <> 'approved';

DROP TRIGGER comments_version_ins;
DROP TRIGGER comments_version_upd;
DROP TRIGGER comments_version_del;
CREATE TRIGGER comments_version_ins AFTER INSERT ON comments BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    INSERT INTO discussions (article_id, version, approved, threads)
        VALUES (NEW.article_id, 1, NEW.status = 'approved', NEW.status = 'approved' AND NEW.parent_id IS NULL)
        ON CONFLICT (article_id) DO UPDATE SET version = version + 1, approved = approved + (NEW.status = 'approved'),
            threads = threads + (NEW.status = 'approved' AND NEW.parent_id IS NULL);
END;
CREATE TRIGGER comments_version_upd AFTER UPDATE ON comments BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1, approved = approved - (OLD.status = 'approved'),
            threads = threads - (OLD.status = 'approved' AND OLD.parent_id IS NULL)
        WHERE article_id = OLD.article_id;
    INSERT INTO discussions (article_id, version, approved, threads)
        VALUES (NEW.article_id, 1, NEW.status = 'approved', NEW.status = 'approved' AND NEW.parent_id IS NULL)
        ON CONFLICT (article_id) DO UPDATE SET version = version + 1, approved = approved + (NEW.status = 'approved'),
            threads = threads + (NEW.status = 'approved' AND NEW.parent_id IS NULL);
END;
CREATE TRIGGER comments_version_del AFTER DELETE ON comments BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1, approved = approved - (OLD.status = 'approved'),
            threads = threads - (OLD.status = 'approved' AND OLD.parent_id IS NULL)
        WHERE article_id = OLD.article_id;
END;
