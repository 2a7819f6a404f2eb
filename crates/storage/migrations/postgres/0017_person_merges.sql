-- One person, one record: likely duplicate pairs waiting for a data
-- officer's decision, and merges that can be undone. A merge moves the
-- merged person's cases, consents, documents and activity to the person
-- kept, adds their names as aliases, and records exactly what it moved
-- (`moved`, JSON) so that an unmerge moves exactly that back. The merged
-- person's row stays, pointing at the person kept.
ALTER TABLE persons ADD COLUMN merged_into TEXT REFERENCES persons(id);

CREATE TABLE duplicate_pairs (
    id TEXT PRIMARY KEY,
    -- The two persons, the smaller id first: a pair is found once.
    person_a TEXT NOT NULL REFERENCES persons(id),
    person_b TEXT NOT NULL REFERENCES persons(id),
    -- The linkage model's probability when found, in thousandths.
    score_milli BIGINT NOT NULL,
    found_at TEXT NOT NULL,
    -- open, same, different or unsure.
    decision TEXT NOT NULL DEFAULT 'open',
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    -- The merge a "same" decision made.
    merge_id TEXT,
    UNIQUE (person_a, person_b)
);
CREATE INDEX duplicate_pairs_decision ON duplicate_pairs (decision, score_milli);

CREATE TABLE person_merges (
    id TEXT PRIMARY KEY,
    kept_person_id TEXT NOT NULL REFERENCES persons(id),
    merged_person_id TEXT NOT NULL REFERENCES persons(id),
    moved TEXT NOT NULL,
    merged_by TEXT NOT NULL REFERENCES users(id),
    merged_at TEXT NOT NULL,
    undone_by TEXT REFERENCES users(id),
    undone_at TEXT
);
CREATE INDEX person_merges_kept ON person_merges (kept_person_id);
CREATE INDEX person_merges_merged ON person_merges (merged_person_id);
