-- The case registry. Kept in lockstep with ../postgres/0001_registry.sql:
-- same tables, same columns, same order (a test compares them).
-- Ids are UUIDv7 text; dates are YYYY-MM-DD text; moments are RFC 3339 UTC text.

CREATE TABLE offices (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    kind TEXT NOT NULL,
    capacity BIGINT,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE user_offices (
    user_id TEXT NOT NULL REFERENCES users(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    PRIMARY KEY (user_id, office_id)
);

-- Session ids and API tokens are stored as SHA-256 hashes: a copy of this
-- table cannot be replayed.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT,
    birth_date_precision TEXT,
    birth_year BIGINT,
    nationality TEXT,
    languages TEXT NOT NULL DEFAULT '',
    phone TEXT,
    registered_office_id TEXT NOT NULL REFERENCES offices(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_office ON persons (registered_office_id);

CREATE TABLE person_names (
    person_id TEXT NOT NULL REFERENCES persons(id),
    position BIGINT NOT NULL,
    given TEXT,
    family TEXT,
    kind TEXT NOT NULL,
    PRIMARY KEY (person_id, position)
);

-- One row per (search key, office, person): see passage_domain::names. The
-- office is each office the person is known in (registered there, or a case
-- there), so a caseworker's search reads only their offices' part of the
-- index instead of filtering a common name's whole posting list.
-- The year of birth rides along (a copy of persons.birth_year) so the
-- filter a caseworker adds most often is applied inside the index, without
-- a lookup of every candidate in persons. `restricted` is 1 when the person
-- has no case of normal sensitivity in that office: only readers allowed to
-- see restricted cases there (or the assigned caseworker) may find them
-- through it (see passage_domain::policy).
CREATE TABLE person_search_keys (
    key TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices(id),
    person_id TEXT NOT NULL REFERENCES persons(id),
    birth_year BIGINT,
    restricted BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (key, office_id, person_id)
) WITHOUT ROWID;
CREATE INDEX person_search_keys_person ON person_search_keys (person_id);

CREATE TABLE identity_documents (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    issuing_country TEXT,
    expires_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX identity_documents_person ON identity_documents (person_id);
CREATE INDEX identity_documents_number ON identity_documents (number);

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    partner TEXT,
    method TEXT NOT NULL,
    given_on TEXT NOT NULL,
    withdrawn_on TEXT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX consents_person ON consents (person_id);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices(id),
    assigned_to TEXT REFERENCES users(id),
    status TEXT NOT NULL,
    sensitivity TEXT NOT NULL,
    priority TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_office_status ON cases (office_id, status);
CREATE INDEX cases_assigned ON cases (assigned_to, status);

CREATE TABLE case_status_history (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    changed_by TEXT NOT NULL REFERENCES users(id),
    changed_at TEXT NOT NULL
);
CREATE INDEX case_status_history_case ON case_status_history (case_id);

CREATE TABLE screenings (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    screened_on TEXT NOT NULL,
    findings TEXT NOT NULL,
    exploitation TEXT NOT NULL,
    notes TEXT,
    screened_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX screenings_case ON screenings (case_id);

-- One row per finding, for counting by vulnerability without parsing lists.
CREATE TABLE screening_findings (
    screening_id TEXT NOT NULL REFERENCES screenings(id),
    category TEXT NOT NULL,
    PRIMARY KEY (screening_id, category)
);

CREATE TABLE assistance (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    provided_on TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit TEXT NOT NULL,
    place TEXT,
    provider TEXT,
    cost BIGINT,
    currency TEXT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX assistance_case ON assistance (case_id);
CREATE INDEX assistance_kind_date ON assistance (kind, provided_on);

CREATE TABLE case_notes (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    body TEXT NOT NULL,
    author TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id);

-- What happened, for the home page's recent activity. The tamper-evident
-- audit trail is its own table (access-model issue).
CREATE TABLE activity (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    case_id TEXT REFERENCES cases(id),
    person_id TEXT REFERENCES persons(id)
);
CREATE INDEX activity_user_at ON activity (user_id, at);
CREATE INDEX activity_at ON activity (at);

-- Per-office, per-year counters for case references (NER-AGZ-2026-000123).
CREATE TABLE reference_counters (
    office_id TEXT NOT NULL REFERENCES offices(id),
    year BIGINT NOT NULL,
    next_value BIGINT NOT NULL,
    PRIMARY KEY (office_id, year)
);
