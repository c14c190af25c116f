-- Content versions for the page cache. A cached page remembers the versions it was
-- built from and is served only while they are unchanged, so no write can leave a
-- stale page behind and every server reading this database shares the same rule.
-- Triggers bump them, so a write path added later cannot forget to.
--   site:     anything shown on many pages (stories, sections, tags, bylines, settings, photos)
--   comments: any comment anywhere (lists show comment counts)
--   discussions: one article's own discussion version (so a comment on one story
--             leaves every other story's cached page alone) and its approved count
CREATE TABLE cache_versions (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    site     INTEGER NOT NULL,
    comments INTEGER NOT NULL
);
INSERT INTO cache_versions (id, site, comments) VALUES (1, 1, 1);

CREATE TABLE discussions (
    article_id INTEGER PRIMARY KEY,   -- no foreign key: a leftover row of a deleted story is harmless
    version    INTEGER NOT NULL,
    approved   INTEGER NOT NULL       -- approved comments, kept here so no page has to count them
);
INSERT INTO discussions (article_id, version, approved)
    SELECT article_id, 1, sum(status = 'approved') FROM comments GROUP BY article_id;

CREATE TRIGGER articles_site_ins AFTER INSERT ON articles BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER articles_site_upd AFTER UPDATE ON articles BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER articles_site_del AFTER DELETE ON articles BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER sections_site_ins AFTER INSERT ON sections BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER sections_site_upd AFTER UPDATE ON sections BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER sections_site_del AFTER DELETE ON sections BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER tags_site_ins AFTER INSERT ON tags BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER tags_site_upd AFTER UPDATE ON tags BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER tags_site_del AFTER DELETE ON tags BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER article_tags_site_ins AFTER INSERT ON article_tags BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER article_tags_site_del AFTER DELETE ON article_tags BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER article_authors_site_ins AFTER INSERT ON article_authors BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER article_authors_site_upd AFTER UPDATE ON article_authors BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER article_authors_site_del AFTER DELETE ON article_authors BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER settings_site_ins AFTER INSERT ON settings BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER settings_site_upd AFTER UPDATE ON settings BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER settings_site_del AFTER DELETE ON settings BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER media_site_upd AFTER UPDATE ON media BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER media_site_del AFTER DELETE ON media BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER slug_redirects_site_ins AFTER INSERT ON slug_redirects BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER slug_redirects_site_del AFTER DELETE ON slug_redirects BEGIN UPDATE cache_versions SET site = site + 1; END;
-- Users appear on public pages by name (bylines, "NAME said:"), slug, bio, and by role
-- and status (an author page exists only for staff). Logins, password changes and
-- session bumps change none of these and leave the cache alone.
CREATE TRIGGER users_site_upd AFTER UPDATE OF name, slug, bio, role, deactivated ON users
BEGIN UPDATE cache_versions SET site = site + 1; END;
CREATE TRIGGER users_site_del AFTER DELETE ON users BEGIN UPDATE cache_versions SET site = site + 1; END;

CREATE TRIGGER comments_version_ins AFTER INSERT ON comments BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    INSERT INTO discussions (article_id, version, approved) VALUES (NEW.article_id, 1, NEW.status = 'approved')
        ON CONFLICT (article_id) DO UPDATE SET version = version + 1, approved = approved + (NEW.status = 'approved');
END;
CREATE TRIGGER comments_version_upd AFTER UPDATE ON comments BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1, approved = approved - (OLD.status = 'approved')
        WHERE article_id = OLD.article_id;
    INSERT INTO discussions (article_id, version, approved) VALUES (NEW.article_id, 1, NEW.status = 'approved')
        ON CONFLICT (article_id) DO UPDATE SET version = version + 1, approved = approved + (NEW.status = 'approved');
END;
CREATE TRIGGER comments_version_del AFTER DELETE ON comments BEGIN
    UPDATE cache_versions SET comments = comments + 1;
    UPDATE discussions SET version = version + 1, approved = approved - (OLD.status = 'approved')
        WHERE article_id = OLD.article_id;
END;
