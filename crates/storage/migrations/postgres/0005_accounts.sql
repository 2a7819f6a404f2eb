-- Second factor (TOTP, RFC 6238): the secret, sealed with the data key
-- (see passage_storage::sealed), and the last time step accepted, so that
-- a code once used is never accepted again.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Between a correct password and a correct code: a short-lived challenge.
-- It opens nothing by itself; a session exists only once the code is right.
-- `pending_secret` (sealed) is a new secret being enrolled at first login.
CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    pending_secret TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);

-- API tokens for integrations: only a hash is stored; each carries the
-- grants it may use (never more than its owner holds at the time of use),
-- expires, and can be revoked.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    grants TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at TEXT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
