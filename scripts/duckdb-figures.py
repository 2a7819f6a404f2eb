#!/usr/bin/env python3
"""The reference for the figures benchmark: the same indicator queries Passage
runs over its records, run by DuckDB over an export of the same data.

Usage: duckdb-figures.py SQLITE_FILE EXPORT_DIR QUERIES_JSON RUNS
QUERIES_JSON holds the list of SQL texts (the period already substituted).
Prints one JSON line: load seconds, and the whole set's time per run in ms.
The export (CSV, from Python's sqlite3) is made once and reused; loading it
into DuckDB is timed apart from the queries, as Passage's storage is.
"""
import csv, json, os, sqlite3, sys, time

import duckdb

TABLES = {
    "persons": "id, sex, birth_year",
    "cases": "id, person_id, office_id",
    "assistance": "case_id, kind, provided_on",
    "screenings": "id, case_id",
    "screening_findings": "screening_id, category",
    "plan_beneficiaries": "plan_id, case_id",
    "reintegration_plans": "id, office_id, created_at",
    "offices": "id, code, country",
    "sar_operations": "office_id, held_on, people_found",
    "campaign_events": "office_id, held_on, people_reached",
    "trainings": "office_id, held_on, participants",
    "shelter_works": "office_id, completed_on",
    "resources": "office_id, published_on",
}


def export(db, out):
    os.makedirs(out, exist_ok=True)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for table, cols in TABLES.items():
        path = os.path.join(out, f"{table}.csv")
        if os.path.exists(path + ".done"):
            continue
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([c.strip() for c in cols.split(",")])
            for row in con.execute(f"SELECT {cols} FROM {table}"):
                w.writerow(row)
        open(path + ".done", "w").close()


def main():
    db, out, queries, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    export(db, out)
    sqls = json.load(open(queries))
    duck = duckdb.connect()
    started = time.perf_counter()
    for table, cols in TABLES.items():
        types = {c.strip(): "VARCHAR" for c in cols.split(",")}
        for c in ("birth_year", "people_found", "people_reached", "participants"):
            if c in types:
                types[c] = "BIGINT"
        duck.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{os.path.join(out, table)}.csv', header=true, columns={types!r})")
    load = time.perf_counter() - started
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = sum(len(duck.execute(q).fetchall()) for q in sqls)
        times.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"load_s": load, "runs_ms": times, "rows": rows, "threads": duck.execute("SELECT current_setting('threads')").fetchone()[0]}))


if __name__ == "__main__":
    main()
