-- Movements (charter flights, groups on commercial flights, bus convoys)
-- and their manifests (see passage_domain::movement).
CREATE TABLE movements (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices(id),
    origin TEXT NOT NULL,
    -- Transit points in order, separated by " | ".
    transit TEXT NOT NULL DEFAULT '',
    destination_country TEXT NOT NULL,
    destination TEXT NOT NULL,
    departure_on TEXT NOT NULL,
    arrival_on TEXT,
    capacity BIGINT NOT NULL,
    escorts BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX movements_office ON movements (office_id, departure_on);

CREATE TABLE movement_travellers (
    movement_id TEXT NOT NULL REFERENCES movements(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (movement_id, case_id)
);
CREATE INDEX movement_travellers_case ON movement_travellers (case_id);
