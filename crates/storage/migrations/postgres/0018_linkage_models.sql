-- The linkage model estimated on the database's own persons by the last
-- batch run (`passage linkage dedupe --database-url`): likely persons at
-- registration and the duplicates review page score with the same m and u
-- as the batch that filled the queue. Each run adds a row; the newest is
-- the one in use, and the older ones say how the model moved.
CREATE TABLE linkage_models (
    id TEXT PRIMARY KEY,
    estimated_at TEXT NOT NULL,
    -- configured or estimated (see the domain's ModelSource).
    source TEXT NOT NULL,
    persons BIGINT NOT NULL,
    -- m, u, the namesake u and λ per field and level, as JSON.
    model TEXT NOT NULL
);
CREATE INDEX linkage_models_estimated_at ON linkage_models (estimated_at);
