-- Autosaved drafts of the story form: one per person and story (article_id 0 is a
-- story not saved yet), kept until that person saves the story or discards it. They
-- are the newsroom's own and never shown to readers, so no cache version is bumped.
CREATE TABLE article_autosaves (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL DEFAULT 0,
    form       TEXT NOT NULL,   -- the form's fields, URL-encoded as the browser sent them
    saved_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, article_id)
);

CREATE TRIGGER article_autosaves_gone AFTER DELETE ON articles BEGIN
    DELETE FROM article_autosaves WHERE article_id = old.id;
END;

-- A revision also records what else the save set: section, byline, topics, photo and
-- time, in words as they were then (a later rename does not rewrite history).
ALTER TABLE article_revisions ADD COLUMN details TEXT NOT NULL DEFAULT '';
