-- The audit trail (passage_domain::audit): append-only, hash-chained. Every
-- entry's hash covers its fields and the previous entry's hash. `person` is
-- the person the entry concerns, for browsing a person's trail.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record TEXT NOT NULL,
    person TEXT NOT NULL,
    changes TEXT NOT NULL,
    source TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_record ON audit_log (record, seq);
CREATE INDEX audit_log_person ON audit_log (person, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The head: the last sequence number and hash written, in one row. Each
-- appending transaction updates it first, which serialises appenders (a row
-- lock on PostgreSQL; SQLite has one writer) and lets `passage audit verify`
-- notice entries cut from the end.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only for the application; an owner can drop this, which is what
-- the hash chain is for.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
