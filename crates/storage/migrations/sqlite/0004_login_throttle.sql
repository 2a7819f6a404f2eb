-- Failed logins per subject (`user:<typed username>` or `addr:<client
-- address>`), for throttling and temporary lockout. Kept in the database so
-- that every server process of a deployment counts the same failures.
CREATE TABLE login_failures (
    subject TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);
