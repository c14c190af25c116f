-- Readers' votes on comments: one per account per comment, up (+1) or down (-1),
-- changed by updating the row and withdrawn by deleting it. The primary key is what
-- makes a second vote replace the first instead of counting twice.
CREATE TABLE comment_votes (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at DATETIME NOT NULL,
    PRIMARY KEY (comment_id, user_id)
) WITHOUT ROWID;
-- Staff's "who voted" list reads by comment (the key); a reader's own votes on a page
-- are looked up by (comment, reader), the key too. Deleting an account finds its votes here.
CREATE INDEX comment_votes_user ON comment_votes (user_id);

-- The score is kept on the comment, so a page of a discussion reads it with the
-- comment and "best first" orders threads without summing votes.
ALTER TABLE comments ADD COLUMN score INTEGER NOT NULL DEFAULT 0;

-- A score is public content: every vote bumps the comments version and its story's
-- discussion version, so a cached anonymous page shows the new score on the very next
-- request. The bumps are written here rather than left to the comments table's own
-- update trigger, so they hold whatever that trigger comes to watch.
CREATE TRIGGER comment_votes_ins AFTER INSERT ON comment_votes BEGIN
    UPDATE comments SET score = score + NEW.value WHERE id = NEW.comment_id;
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1 WHERE article_id = (SELECT article_id FROM comments WHERE id = NEW.comment_id);
END;
CREATE TRIGGER comment_votes_upd AFTER UPDATE ON comment_votes BEGIN
    UPDATE comments SET score = score - OLD.value + NEW.value WHERE id = NEW.comment_id;
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1 WHERE article_id = (SELECT article_id FROM comments WHERE id = NEW.comment_id);
END;
CREATE TRIGGER comment_votes_del AFTER DELETE ON comment_votes BEGIN
    UPDATE comments SET score = score - OLD.value WHERE id = OLD.comment_id;
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1 WHERE article_id = (SELECT article_id FROM comments WHERE id = OLD.comment_id);
END;
