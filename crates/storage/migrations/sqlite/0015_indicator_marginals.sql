-- The indicator counts kept per breakdown rather than per full combination
-- (see passage_storage::analytics): per office, persons by month, by sex and
-- age group, and by vulnerability. The full combination (office × month ×
-- sex × year of birth × vulnerability) had hundreds of thousands of rows at
-- a million persons; these have a few thousand. Rebuilt at the next start.
DROP TABLE indicator_counts;
CREATE TABLE indicator_counts (
    programme_id TEXT NOT NULL,
    indicator_code TEXT NOT NULL,
    office_id TEXT NOT NULL,
    -- 'month', 'sex_age' or 'vulnerability'.
    dimension TEXT NOT NULL,
    -- '2021-05'; 'female|18-24'; a rank in the vulnerability order, or 'none'.
    category TEXT NOT NULL,
    persons BIGINT NOT NULL CHECK (persons > 0),
    PRIMARY KEY (programme_id, indicator_code, office_id, dimension, category)
);
DELETE FROM settings WHERE name = 'indicator_summaries';
