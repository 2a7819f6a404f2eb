-- Reintegration plans, their activities and beneficiaries, and the
-- monitoring visits that follow returnees (see passage_domain::reintegration).
CREATE TABLE reintegration_plans (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices(id),
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE plan_beneficiaries (
    plan_id TEXT NOT NULL REFERENCES reintegration_plans(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (plan_id, case_id)
);
CREATE INDEX plan_beneficiaries_case ON plan_beneficiaries (case_id);

CREATE TABLE plan_activities (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES reintegration_plans(id),
    kind TEXT NOT NULL,
    description TEXT,
    budget BIGINT NOT NULL,
    currency TEXT NOT NULL,
    due_on TEXT,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX plan_activities_plan ON plan_activities (plan_id);

CREATE TABLE monitoring_visits (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    done_on TEXT,
    notes TEXT,
    recorded_by TEXT REFERENCES users(id),
    updated_at TEXT NOT NULL
);
CREATE INDEX monitoring_visits_case ON monitoring_visits (case_id);
CREATE INDEX monitoring_visits_due ON monitoring_visits (status, due_on);
