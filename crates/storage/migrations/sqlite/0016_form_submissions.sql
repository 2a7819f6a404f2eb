-- Submissions from the field: OpenRosa (ODK Collect, KoboCollect, Enketo)
-- and rows of KoboToolbox exports. Each is kept once per instance id, with
-- what it became or why it waits in quarantine, so that a phone that resends
-- creates nothing twice and nothing sent is ever silently dropped.
CREATE TABLE form_submissions (
    -- The instance id as the device sent it (uuid:…).
    id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    form_version TEXT NOT NULL,
    -- openrosa or kobo_import.
    source TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users(id),
    received_at TEXT NOT NULL,
    -- SHA-256 of the payload as received: a resend must be the same bytes.
    payload_sha256 TEXT NOT NULL,
    -- The payload itself, sealed: it holds names and screening notes.
    payload TEXT NOT NULL,
    -- applied, quarantined or rejected.
    status TEXT NOT NULL,
    -- JSON list of {field, code, message}: why it is quarantined.
    problems TEXT NOT NULL DEFAULT '[]',
    -- The office the submission names, when it names one it can be read for.
    office_id TEXT REFERENCES offices(id),
    -- 1 when what it holds would make a case restricted (trafficking,
    -- children, gender-based violence): only protection officers see it.
    restricted BIGINT NOT NULL DEFAULT 0,
    -- What it became: case:<id>, assistance:<id>, campaign:<id>, visit:<id>.
    record_ref TEXT,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    -- Why a data officer rejected it.
    decision_reason TEXT
);
CREATE INDEX form_submissions_status ON form_submissions (status, received_at);

-- Files sent with a submission (photos, signatures). A large submission may
-- arrive in several posts that repeat the XML and add files.
CREATE TABLE form_submission_files (
    submission_id TEXT NOT NULL REFERENCES form_submissions(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (submission_id, name)
);
