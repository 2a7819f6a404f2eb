-- Flow monitoring (passage_domain::flow): the transit points where people
-- are counted, and the counts, one row per observation. An observation's
-- key is its point, period, direction, transport and the three countries
-- ('' when not recorded, so that the key stays a key): a re-import or a
-- resubmission of the same key replaces the row, never adds one.
CREATE TABLE flow_points (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT,
    admin2 TEXT,
    latitude_e6 BIGINT NOT NULL CHECK (latitude_e6 BETWEEN -90000000 AND 90000000),
    longitude_e6 BIGINT NOT NULL CHECK (longitude_e6 BETWEEN -180000000 AND 180000000),
    kind TEXT NOT NULL,
    office_id TEXT REFERENCES offices(id),
    active_from TEXT NOT NULL,
    active_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE flow_counts (
    point_code TEXT NOT NULL REFERENCES flow_points(code),
    period_start TEXT NOT NULL,
    period TEXT NOT NULL,
    -- The ISO week of period_start (2026-W47), which the weekly figures group on.
    week TEXT NOT NULL,
    direction TEXT NOT NULL,
    transport_mode TEXT NOT NULL,
    nationality TEXT NOT NULL,
    origin_country TEXT NOT NULL,
    destination_country TEXT NOT NULL,
    total BIGINT NOT NULL CHECK (total >= 1),
    men BIGINT CHECK (men >= 0),
    women BIGINT CHECK (women >= 0),
    boys BIGINT CHECK (boys >= 0),
    girls BIGINT CHECK (girls >= 0),
    unaccompanied_children BIGINT CHECK (unaccompanied_children >= 0),
    pregnant_women BIGINT CHECK (pregnant_women >= 0),
    persons_with_disabilities BIGINT CHECK (persons_with_disabilities >= 0),
    -- web, api, odk or import
    source TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (point_code, period_start, period, direction, transport_mode, nationality, origin_country, destination_country)
);
CREATE INDEX flow_counts_start ON flow_counts (period_start);
