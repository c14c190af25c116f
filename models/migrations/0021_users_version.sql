-- A version for accounts, beside the site and comments versions and read with them on
-- every request: any change to an account (blocked, logged out everywhere, renamed,
-- role or mail settings changed, deleted) moves it, so a server may keep the accounts
-- of logged-in readers in memory and read one again only after such a change, which
-- is as current as reading it on every request and costs nothing between changes.
-- New accounts need no bump: nothing can have kept an account before it existed.
ALTER TABLE cache_versions ADD COLUMN users INTEGER NOT NULL DEFAULT 1;
CREATE TRIGGER users_version_upd AFTER UPDATE ON users BEGIN UPDATE cache_versions SET users = users + 1; END;
CREATE TRIGGER users_version_del AFTER DELETE ON users BEGIN UPDATE cache_versions SET users = users + 1; END;
