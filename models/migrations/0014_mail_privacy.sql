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
