-- Missing-migrant incidents (passage_domain::incident): anonymous, aggregate
-- records of deaths and disappearances on the routes, one row per Main ID as
-- the Missing Migrants Project publishes them, or as a search-and-rescue team
-- records one. Lists are kept as the file joins them (a bare comma), which is
-- also the group a summary counts the incident in. A blank count is NULL:
-- unknown is not zero.
CREATE TABLE missing_migrant_incidents (
    main_id TEXT PRIMARY KEY,
    incident_ids TEXT NOT NULL,
    incident_type TEXT NOT NULL,
    region TEXT NOT NULL,
    incident_date TEXT,
    incident_year BIGINT,
    incident_month BIGINT,
    dead BIGINT CHECK (dead >= 0),
    missing BIGINT CHECK (missing >= 0),
    dead_and_missing BIGINT CHECK (dead_and_missing >= 0),
    survivors BIGINT CHECK (survivors >= 0),
    females BIGINT CHECK (females >= 0),
    males BIGINT CHECK (males >= 0),
    children BIGINT CHECK (children >= 0),
    countries_of_origin TEXT NOT NULL,
    regions_of_origin TEXT NOT NULL,
    causes TEXT NOT NULL,
    countries_of_incident TEXT NOT NULL,
    route TEXT NOT NULL,
    location TEXT NOT NULL,
    latitude_e6 BIGINT CHECK (latitude_e6 BETWEEN -90000000 AND 90000000),
    longitude_e6 BIGINT CHECK (longitude_e6 BETWEEN -180000000 AND 180000000),
    unsd_grouping TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    source_quality TEXT NOT NULL,
    -- A search-and-rescue operation recorded here that found this incident.
    sar_operation_id TEXT REFERENCES sar_operations(id),
    first_imported_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX missing_migrant_incidents_year ON missing_migrant_incidents (incident_year);
