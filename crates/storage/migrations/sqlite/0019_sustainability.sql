-- Reintegration sustainability (see passage_domain::sustainability): the
-- scoring schemes an organisation imports, the one active per programme,
-- the survey answered at a monitoring visit and its scores.

-- A scheme version is never edited: a revision is a new version.
CREATE TABLE sustainability_schemes (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    threshold_micro BIGINT NOT NULL,
    source TEXT NOT NULL,
    -- The whole scheme (dimensions, indicators, answers, both languages), as JSON.
    content TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE active_schemes (
    programme_id TEXT PRIMARY KEY REFERENCES programmes(id),
    scheme_id TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    activated_at TEXT NOT NULL,
    FOREIGN KEY (scheme_id, scheme_version) REFERENCES sustainability_schemes (id, version)
);

-- The answers (sealed: they describe a person's life after return) and the
-- scores in use, under the scheme they were last computed with.
CREATE TABLE visit_surveys (
    visit_id TEXT PRIMARY KEY REFERENCES monitoring_visits(id),
    answers TEXT NOT NULL,
    answered_under_id TEXT NOT NULL,
    answered_under_version TEXT NOT NULL,
    scheme_id TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    -- The domain's Sustainability, as JSON.
    scores TEXT NOT NULL,
    -- The composite in millionths (none when nothing was answered), and 1/0, for the figures.
    composite_micro BIGINT,
    sustainable BIGINT,
    computed_at TEXT NOT NULL
);

-- Every set of scores a survey has had: a rescore keeps the old ones.
CREATE TABLE visit_score_history (
    visit_id TEXT NOT NULL REFERENCES monitoring_visits(id),
    scheme_id TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    scores TEXT NOT NULL,
    computed_at TEXT NOT NULL
);
CREATE INDEX visit_score_history_visit ON visit_score_history (visit_id);
