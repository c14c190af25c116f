-- models/migrations/0021_users_version.sql on PostgreSQL: the accounts' version, moved
-- by any change to an account, so servers may keep logged-in readers' accounts in memory.
ALTER TABLE cache_versions ADD COLUMN users BIGINT NOT NULL DEFAULT 1;
CREATE FUNCTION bump_users_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_versions SET users = users + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER users_version_upd AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION bump_users_version();
CREATE TRIGGER users_version_del AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION bump_users_version();
