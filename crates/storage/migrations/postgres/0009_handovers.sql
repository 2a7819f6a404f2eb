-- Hand-over of a case between offices (a return: from the transit country's
-- office to the office of the country of origin), with the person's consent.
CREATE TABLE case_handovers (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    from_office_id TEXT NOT NULL REFERENCES offices(id),
    to_office_id TEXT NOT NULL REFERENCES offices(id),
    status TEXT NOT NULL,
    reason TEXT,
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT
);
CREATE INDEX case_handovers_to ON case_handovers (to_office_id, status);
CREATE INDEX case_handovers_case ON case_handovers (case_id);

-- Offices that keep reading a case they handed over (what they recorded
-- stays theirs to see); the case's own office is cases.office_id.
CREATE TABLE case_read_offices (
    case_id TEXT NOT NULL REFERENCES cases(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    PRIMARY KEY (case_id, office_id)
);
CREATE INDEX case_read_offices_office ON case_read_offices (office_id);
