-- Programmes and their indicators (see passage_domain::indicator): an
-- indicator's definition is JSON data; its value is computed, never stored.
CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    donor TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- ISO 3166-1 alpha-3 codes, comma-separated.
    countries TEXT NOT NULL,
    -- What the programme is for, for its public page.
    purpose_en TEXT NOT NULL DEFAULT '',
    purpose_fr TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

-- The programme's areas of work, for its public page.
CREATE TABLE programme_areas (
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    position BIGINT NOT NULL,
    title_en TEXT NOT NULL,
    title_fr TEXT NOT NULL,
    body_en TEXT NOT NULL,
    body_fr TEXT NOT NULL,
    PRIMARY KEY (programme_id, position)
);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    code TEXT NOT NULL,
    position BIGINT NOT NULL,
    name_en TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    definition TEXT NOT NULL,
    baseline BIGINT NOT NULL DEFAULT 0,
    target BIGINT,
    UNIQUE (programme_id, code)
);

-- Activities that count people rather than persons: totals as recorded,
-- with the sex and age breakdowns where the activity has them.
CREATE TABLE campaign_events (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    place TEXT NOT NULL,
    people_reached BIGINT NOT NULL CHECK (people_reached >= 0),
    women BIGINT, men BIGINT, girls BIGINT, boys BIGINT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX campaign_events_held ON campaign_events (held_on);

CREATE TABLE trainings (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    participants BIGINT NOT NULL CHECK (participants >= 0),
    government BIGINT, civil_society BIGINT, ngo BIGINT, health_workers BIGINT, border_officials BIGINT,
    women BIGINT, men BIGINT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX trainings_held ON trainings (held_on);

-- Coordinates in millionths of a degree: exact, and the same on both databases.
CREATE TABLE sar_operations (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    held_on TEXT NOT NULL,
    latitude_e6 BIGINT NOT NULL CHECK (latitude_e6 BETWEEN -90000000 AND 90000000),
    longitude_e6 BIGINT NOT NULL CHECK (longitude_e6 BETWEEN -180000000 AND 180000000),
    people_found BIGINT NOT NULL CHECK (people_found >= 0),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX sar_operations_held ON sar_operations (held_on);

CREATE TABLE sar_survivor_cases (
    operation_id TEXT NOT NULL REFERENCES sar_operations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (operation_id, case_id)
);

CREATE TABLE shelter_works (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    completed_on TEXT NOT NULL,
    shelter TEXT NOT NULL,
    kind TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);

-- The resources library: studies and data products.
CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    countries TEXT NOT NULL,
    published_on TEXT NOT NULL,
    file_name TEXT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX resources_published ON resources (published_on);

-- A resource's file, for download from the public page.
CREATE TABLE resource_files (
    resource_id TEXT PRIMARY KEY REFERENCES resources(id),
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL
);
