-- Appeal budgets (see passage_domain::budget). A budget is replaced whole on
-- re-import; rows keep the order of the appeal. A line per planned heading:
-- a heading with no line is "nothing planned", not zero.
CREATE TABLE budgets (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- The programme the budget belongs to, and the calendar year it plans, when known.
    programme_code TEXT,
    year BIGINT,
    imported_at TEXT NOT NULL,
    imported_by TEXT REFERENCES users(id)
);

CREATE TABLE budget_rows (
    budget_id TEXT NOT NULL REFERENCES budgets(id),
    position BIGINT NOT NULL,
    office_label TEXT NOT NULL,
    country TEXT,
    -- The office the row is for, when Passage knows it (the country office).
    office_id TEXT REFERENCES offices(id),
    PRIMARY KEY (budget_id, position)
);

CREATE TABLE budget_lines (
    budget_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    category TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (budget_id, position, category),
    FOREIGN KEY (budget_id, position) REFERENCES budget_rows(budget_id, position)
);
