-- Privacy by default. A comment's client address is kept only as a keyed hash of its
-- network (models/address.go), in a table apart from the comment, so that forgetting
-- it after the site's "keep addresses" days changes no page and so bumps no cache
-- version. The key lives in the data folder, not here, so the raw addresses older
-- versions stored in comments.ip are hashed into this table by the program at start
-- (Store.UseAddressKey) and the column is emptied; nothing writes it any more.
CREATE TABLE comment_networks (
    comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
    network    TEXT NOT NULL,   -- HMAC of the /24 (IPv4) or /48 (IPv6) the comment came from
    created_at TEXT NOT NULL    -- the comment's time: what the purge goes by
);
-- Flood control reads the latest comment from a network; the moderation queue counts them.
CREATE INDEX comment_networks_network ON comment_networks (network, created_at);
CREATE INDEX comment_networks_created ON comment_networks (created_at);
-- Only rows an older version wrote raw are left to find (and then none).
DROP INDEX comments_ip;
CREATE INDEX comments_raw_ip ON comments (id) WHERE ip <> '';

-- E-mail that arrives: reply notifications and notes on held comments, each opted into.
-- None of this is shown on a public page, so no trigger bumps a cache version (the
-- users_site_upd trigger watches only public columns).
ALTER TABLE users ADD COLUMN notify_replies    INTEGER NOT NULL DEFAULT 0; -- mail replies to any of my comments
ALTER TABLE users ADD COLUMN notify_moderation INTEGER NOT NULL DEFAULT 0; -- mail when my held comment is approved or removed
-- "E-mail me replies" ticked on one comment. Apart from comments so that an unsubscribe
-- changes no discussion (an update of comments bumps its page's version).
CREATE TABLE reply_watches (
    comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX reply_watches_user ON reply_watches (user_id);
-- Something to tell a reader, written in the same transaction as the event (a reply
-- made public, a held comment approved or removed). A periodic job turns a reader's
-- notices into one mail once the oldest has waited the digest window, so several
-- replies in a short time arrive as one message.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reply', 'approved', 'removed')),
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE, -- the reply, or the moderated comment
    created_at TEXT NOT NULL,
    UNIQUE (user_id, kind, comment_id)
);
CREATE INDEX notices_due ON notices (created_at);
CREATE INDEX notices_comment ON notices (comment_id);
