-- Outgoing mail waits here until a worker has handed it to the SMTP server (or written
-- it to data/mail/). Rows are written in the same transaction as the action that
-- causes them, so a message exists exactly when its cause does, and a restart loses
-- nothing: a worker that dies mid-send leaves a claim that expires (claimed_until)
-- and another worker takes the message again.
--   state: queued → sending → sent, or back to queued (next_attempt_at later) after a
--          failure, or failed after the last attempt (kept, with last_error, for an operator)
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,               -- what it is for ('signup', 'reset', …): rate limits, operators
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,               -- emptied once sent: it may hold a live link
    headers         TEXT NOT NULL DEFAULT '{}',  -- JSON object of extra headers (List-Unsubscribe, …)
    state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
-- The worker's claim looks only at rows still to send.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state IN ('queued', 'sending');
-- "Was this address sent this kind of mail lately?" (no one can make us flood an inbox).
CREATE INDEX mail_outbox_recent ON mail_outbox (to_addr COLLATE NOCASE, kind, created_at);

-- Single-use links sent by mail: finishing a sign-up, resetting a password. Only the
-- SHA-256 of the token is kept here, and the outbox forgets a message's body once it
-- is sent, so a copy of the database opens no account (save links still queued). A sign-up
-- creates no account until its link is followed: the address is proven before it can
-- be used, and nobody can hold an address they do not own.
CREATE TABLE mail_tokens (
    hash          TEXT PRIMARY KEY,
    purpose       TEXT NOT NULL CHECK (purpose IN ('signup', 'reset')),
    email         TEXT NOT NULL COLLATE NOCASE,
    user_id       INTEGER REFERENCES users(id) ON DELETE CASCADE,   -- reset: whose password
    name          TEXT NOT NULL DEFAULT '',                         -- signup: the chosen display name
    password_hash TEXT NOT NULL DEFAULT '',                         -- signup: the chosen password, hashed
    next          TEXT NOT NULL DEFAULT '/',                        -- signup: where the reader was going
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT
);
