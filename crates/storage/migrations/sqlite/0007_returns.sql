-- The assisted voluntary return journey of a case (see passage_domain::journey).
-- A step without a row is pending. Whether the returnee is an unaccompanied
-- child is not stored: it follows from the person's cases and screenings.
CREATE TABLE journeys (
    case_id TEXT PRIMARY KEY REFERENCES cases(id),
    fit_to_travel TEXT,
    escort TEXT,
    voluntariness_withdrawn BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE journey_steps (
    case_id TEXT NOT NULL REFERENCES cases(id),
    step TEXT NOT NULL,
    state TEXT NOT NULL,
    done_by TEXT REFERENCES users(id),
    done_on TEXT,
    evidence TEXT,
    reason TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (case_id, step)
);
