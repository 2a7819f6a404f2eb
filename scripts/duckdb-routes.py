#!/usr/bin/env python3
"""The reference for the route-data benchmark: DuckDB reading the same two
CSV files Passage imports (the incidents in the Missing Migrants Project's
format, the flow counts) and running the same summaries.

Usage: duckdb-routes.py INCIDENTS_CSV FLOWS_CSV YEAR FROM TO RUNS
Prints one JSON line: the load times (s) and each summary's p50 (ms).
Loading (CSV into DuckDB's own tables) is timed apart from the queries, as
Passage's import is timed apart from its summaries.
"""
import json
import sys
import time

import duckdb


def p50(f, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2]


def main(incidents, flows, year, start, end, runs):
    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(f"CREATE TABLE incidents AS SELECT * FROM read_csv('{incidents}', header = true, all_varchar = true)")
    load_incidents = time.perf_counter() - t
    t = time.perf_counter()
    con.execute(f"CREATE TABLE flows AS SELECT * FROM read_csv('{flows}', header = true, types = {{'total': 'BIGINT', 'date': 'DATE'}})")
    load_flows = time.perf_counter() - t
    # Blank counts add nothing; a blank total adds dead + missing (the file's own rule).
    incident_sql = f"""
        SELECT "Migration Route", COUNT(*),
               SUM(COALESCE(TRY_CAST("Number of Dead" AS BIGINT), 0)),
               SUM(COALESCE(TRY_CAST("Minimum Estimated Number of Missing" AS BIGINT), 0)),
               SUM(COALESCE(TRY_CAST("Total Number of Dead and Missing" AS BIGINT),
                            COALESCE(TRY_CAST("Number of Dead" AS BIGINT), 0) + COALESCE(TRY_CAST("Minimum Estimated Number of Missing" AS BIGINT), 0)))
        FROM incidents WHERE "Incident Year" = '{year}' GROUP BY 1"""
    week_sql = f"SELECT strftime(date, '%G-W%V') AS week, SUM(total) FROM flows WHERE date BETWEEN '{start}' AND '{end}' GROUP BY 1"
    point_sql = f"SELECT point, SUM(total) FROM flows WHERE date BETWEEN '{start}' AND '{end}' GROUP BY 1"
    out = {
        "load_incidents_s": round(load_incidents, 3),
        "load_flows_s": round(load_flows, 3),
        "incident_summary_ms": round(p50(lambda: con.execute(incident_sql).fetchall(), runs), 2),
        "flow_week_ms": round(p50(lambda: con.execute(week_sql).fetchall(), runs), 2),
        "flow_point_ms": round(p50(lambda: con.execute(point_sql).fetchall(), runs), 2),
        "incident_rows": con.execute(incident_sql).fetchall(),
    }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    a = sys.argv
    main(a[1], a[2], a[3], a[4], a[5], int(a[6]))
