-- Summary tables for the indicators that count persons (see
-- passage_storage::analytics): each counted person's group, and the count of
-- persons per group, kept up to date in the transaction of every write that
-- can move a person between groups. Dashboards read the counts: a few
-- hundred rows instead of millions. Unknown birth year is 0, no
-- vulnerability -1 (primary key columns cannot be NULL).
CREATE TABLE indicator_person_facts (
    programme_id TEXT NOT NULL,
    indicator_code TEXT NOT NULL,
    person_id TEXT NOT NULL,
    office_id TEXT NOT NULL,
    month TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_year BIGINT NOT NULL,
    vulnerability BIGINT NOT NULL,
    PRIMARY KEY (programme_id, indicator_code, person_id)
);

CREATE TABLE indicator_counts (
    programme_id TEXT NOT NULL,
    indicator_code TEXT NOT NULL,
    office_id TEXT NOT NULL,
    month TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_year BIGINT NOT NULL,
    vulnerability BIGINT NOT NULL,
    persons BIGINT NOT NULL CHECK (persons > 0),
    PRIMARY KEY (programme_id, indicator_code, office_id, month, sex, birth_year, vulnerability)
);
