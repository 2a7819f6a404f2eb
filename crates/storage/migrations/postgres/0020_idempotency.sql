-- Idempotent creates (the IETF httpapi Idempotency-Key draft): the first
-- answer to a POST with a key, kept so that a retry with the same key and
-- body gets the same answer and creates nothing. `status` 0 marks a request
-- still being handled. The owner is a digest of the credentials the request
-- came with, never the credentials themselves.
CREATE TABLE idempotency_keys (
    owner TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status BIGINT NOT NULL,
    content_type TEXT,
    location TEXT,
    body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (owner, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
