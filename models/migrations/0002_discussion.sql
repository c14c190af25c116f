-- Discussion: throttling state lives in the database so that several app servers
-- share it, and the indexes the comment rules and threads need.

-- One row per failed login, keyed both by account ('email:…') and by client
-- address ('ip:…'); rows older than the throttle window are pruned on write.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- Flood control looks up the latest comment from an address; replies find their parent.
CREATE INDEX comments_ip ON comments (ip, created_at DESC);
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comment_reports_open ON comment_reports (resolved, comment_id);
