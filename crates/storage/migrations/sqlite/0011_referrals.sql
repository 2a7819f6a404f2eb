-- The service directory, partner users of providers, and referrals
-- (see passage_domain::referral).
CREATE TABLE service_providers (
    id TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    -- Service codes, comma-separated.
    services TEXT NOT NULL,
    places TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    opening_hours TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE provider_users (
    provider_id TEXT NOT NULL REFERENCES service_providers(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (provider_id, user_id)
);
CREATE INDEX provider_users_user ON provider_users (user_id);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    provider_id TEXT NOT NULL REFERENCES service_providers(id),
    service TEXT NOT NULL,
    shared_fields TEXT NOT NULL,
    consent_id TEXT NOT NULL REFERENCES consents(id),
    status TEXT NOT NULL,
    sent_by TEXT NOT NULL REFERENCES users(id),
    sent_on TEXT NOT NULL,
    accepted_on TEXT,
    closed_on TEXT,
    feedback TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX referrals_case ON referrals (case_id);
CREATE INDEX referrals_provider ON referrals (provider_id, status);
