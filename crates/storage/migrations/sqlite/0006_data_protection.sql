-- When a person's identity was erased (on their request, or by the
-- retention schedule). The row stays, without identity, so that figures
-- keep counting them.
ALTER TABLE persons ADD COLUMN anonymised_at TEXT;

-- Installation-wide values made once (the salt behind M&E pseudonyms).
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
