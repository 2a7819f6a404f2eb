#!/usr/bin/env python3
"""Splink 5.0.0 on a FEBRL file, configured as Splink's own FEBRL examples
(docs/demos/examples/duckdb/febrl3 and febrl4) configure it.

Usage:
  .venv/bin/python scripts/splink-febrl.py --input febrl3.csv --fields names|all \
      --output clusters.csv [--thresholds 0.5,0.8,0.9,0.95,0.99]

--fields all: the febrl3 example as published (NameComparison on each name,
  DateOfBirthComparison, Damerau-Levenshtein on soc_sec_id, exact street
  number and postcode with term frequencies; its five blocking rules; lambda
  from its deterministic rules with recall 0.9; u from 1e6 random pairs,
  seed 2; EM blocked on date of birth, then on postcode).
--fields names: the same with only given_name, surname and date_of_birth,
  which is what the issue compares on: the blocking rules that use no other
  field, the reversed-names rule of the example, and EM blocked on date of
  birth, then on given name (postcode is not there to block on).

Each extra threshold T writes OUTPUT with .T before .csv; the time printed is
the whole run (read, train, predict, cluster at every threshold, write).
"""
import argparse
import logging
import os
import time

import duckdb
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

logging.getLogger("splink").setLevel(logging.WARNING)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--fields", choices=["names", "all"], required=True)
    p.add_argument("--thresholds", default="0.5,0.8,0.9,0.95,0.99")
    a = p.parse_args()
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        """
        create table persons as
        select * replace (
            trim(cast(date_of_birth as varchar)) as date_of_birth,
            trim(cast(soc_sec_id as varchar)) as soc_sec_id,
            trim(cast(postcode as varchar)) as postcode
        )
        from read_csv(?, header = true, all_varchar = true)
        """,
        [a.input],
    ).fetchall()
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register("persons")
    reversed_names = "l.given_name = r.surname and l.surname = r.given_name"
    if a.fields == "all":
        blocking = [
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ]
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                     invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ]
        deterministic = [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            f"{reversed_names} and l.date_of_birth = r.date_of_birth",
        ]
        em = [block_on("date_of_birth"), block_on("postcode")]
    else:
        blocking = [
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            reversed_names,
        ]
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                     invalid_dates_as_null=True),
        ]
        deterministic = [
            block_on("given_name", "surname", "date_of_birth"),
            f"{reversed_names} and l.date_of_birth = r.date_of_birth",
        ]
        em = [block_on("date_of_birth"), block_on("given_name")]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for rule in em:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    thresholds = sorted(float(x) for x in a.thresholds.split(","))
    pred = linker.inference.predict(threshold_match_probability=min(thresholds))
    root, ext = os.path.splitext(a.output)
    for t in thresholds:
        c = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold_match_probability=t)
        con.execute(
            f"copy (select rec_id as record_id, cluster_id from {c.physical_name} order by rec_id) "
            f"to '{root}.{t}{ext}' (header, delimiter ',')"
        ).fetchall()
    print(f"splink {splink.__version__}, duckdb {duckdb.__version__}; fields={a.fields}; "
          f"whole run {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
