#!/usr/bin/env python3
"""The peer for Passage's record linkage: the same person file deduplicated by
Splink (DuckDB backend), configured as Splink's documentation does it for
persons.

Usage:
  .venv/bin/python scripts/splink-linkage.py --input persons.csv --output clusters.csv
      [--threshold 0.92] [--also-thresholds 0.5,0.9,0.99]
      [--names forename-surname-dmeta|forename-surname|separate]
      [--dates custom|template] [--em phone-dob|names-dob]
      [--u-max-pairs 1e7] [--memory-limit 4GB]

Needs: pip install splink==5.0.0 phonetics==1.0.5 (phonetics only for the
default --names forename-surname-dmeta).

Input: record_id,given_name,family_name,sex,date_of_birth,nationality,phone
(date YYYY-MM-DD, YYYY or empty). Output: record_id,cluster_id for every input
record, singletons included -- the file `passage linkage evaluate` reads.

Where the configuration comes from (the Splink 4 API, which Splink 5 keeps):
- the worked examples `deduplicate_50k_synthetic` (ForenameSurnameComparison
  with a concatenated full name for term frequencies, DateOfBirthComparison,
  ExactMatch with term frequencies, lambda from deterministic rules with an
  assumed recall, u by random sampling with max_pairs=1e7, two EM sessions
  without term frequencies, connected-components clustering) and `febrl3`
  (NameComparison per name column, the reversed-names rule);
- the topic guides: feature engineering (full-name column for term
  frequencies; double metaphone with the `phonetics` package), data
  preparation in SQL, "modelling tips" (many strict prediction blocking
  rules; EM rules need not have high recall), customising comparisons
  (CustomComparison built from the comparison level library).
Departures, each for a reason in the data, are commented where they are made.

Timings printed: the whole run (read to written), and prediction + clustering
(predict and cluster_pairwise_predictions_at_threshold for --threshold, and
writing the clusters).
"""
import argparse
import logging
import math
import os
import time

import duckdb
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# Splink logs each step at INFO; keep the output to our own lines and warnings.
logging.getLogger("splink").setLevel(logging.WARNING)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument(
        "--threshold",
        type=float,
        default=0.92,
        help="match probability at which pairs are predicted and clustered "
        "(default 0.92: the best F1 of the thresholds tried on the 100k set, "
        "0.5 to 0.999)",
    )
    p.add_argument(
        "--also-thresholds",
        default="",
        help="comma-separated further clustering thresholds, for sweeps: "
        "pairs are predicted once at the lowest of all thresholds, and each "
        "extra threshold T writes OUTPUT with .T before .csv. The timed "
        "figures are for --threshold only.",
    )
    p.add_argument(
        "--names",
        choices=["forename-surname", "forename-surname-dmeta", "separate"],
        default="forename-surname-dmeta",
        help="forename-surname: cl.ForenameSurnameComparison with a full-name "
        "column (50k example); forename-surname-dmeta (default): the same "
        "levels plus a double-metaphone level (feature-engineering guide; "
        "needs `pip install phonetics`); separate: cl.NameComparison per "
        "column (febrl3)",
    )
    p.add_argument(
        "--dates",
        choices=["custom", "template"],
        default="custom",
        help="custom: a CustomComparison from the level library that knows "
        "year-only dates; template: cl.DateOfBirthComparison on the full dates "
        "only, year-only dates being null",
    )
    p.add_argument(
        "--em",
        choices=["phone-dob", "names-dob"],
        default="phone-dob",
        help="blocking rules of the two EM sessions",
    )
    p.add_argument("--u-max-pairs", type=float, default=1e7)
    p.add_argument("--recall", type=float, default=0.6,
                   help="assumed recall of the deterministic rules for lambda")
    p.add_argument("--memory-limit", default="4GB",
                   help="DuckDB memory_limit; beyond it DuckDB spills to --temp-dir")
    p.add_argument("--temp-dir", default="/var/tmp/splink-duckdb-tmp")
    p.add_argument("--seed", type=int, default=1, help="seed for u sampling")
    return p.parse_args()


# Data preparation, in SQL as the docs recommend for DuckDB.
# - names: trimmed, whitespace collapsed, lower case, accents stripped
#   ("Traoré" / "TRAORE" are one spelling);
# - full_name: given || ' ' || family, for term frequencies on the full name;
# - dob_year: the year of any date, full or year-only;
# - dob: the date only when it is a full date, and not 1 January (which in
#   this field is how an estimated date is written);
# - phone: digits only, international prefix 00 dropped (+224 69 950 635 and
#   0022469950635 are one number).
PREPARE_SQL = r"""
create table persons as
with raw as (
    select * from read_csv(?, header = true, all_varchar = true)
),
clean as (
    select
        record_id,
        nullif(strip_accents(lower(trim(regexp_replace(given_name, '\s+', ' ', 'g')))), '') as given_name,
        nullif(strip_accents(lower(trim(regexp_replace(family_name, '\s+', ' ', 'g')))), '') as family_name,
        nullif(upper(trim(sex)), '') as sex,
        nullif(trim(date_of_birth), '') as date_of_birth,
        nullif(upper(trim(nationality)), '') as nationality,
        nullif(regexp_replace(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), '^00', ''), '') as phone
    from raw
)
select
    record_id,
    given_name,
    family_name,
    case when given_name is not null and family_name is not null
         then given_name || ' ' || family_name end as full_name,
    sex,
    nationality,
    phone,
    case when regexp_matches(date_of_birth, '^\d{4}') then substr(date_of_birth, 1, 4) end as dob_year,
    case when regexp_matches(date_of_birth, '^\d{4}-\d{2}-\d{2}$')
              and substr(date_of_birth, 6, 5) <> '01-01'
         then date_of_birth end as dob
from clean
"""


def name_comparisons(kind):
    if kind == "forename-surname":
        return [
            cl.ForenameSurnameComparison(
                "given_name",
                "family_name",
                forename_surname_concat_col_name="full_name",
            )
        ]
    if kind == "separate":
        return [cl.NameComparison("given_name"), cl.NameComparison("family_name")]
    # forename-surname-dmeta: the levels of ForenameSurnameComparison, with
    # the feature-engineering guide's double-metaphone level added after the
    # Jaro-Winkler ones (the place NameComparison gives it): both names share
    # a double-metaphone code (Cisse/Ceesay/Sesay, Moussa/Musa, Mohamed/
    # Muhammad, Toure/Touray). ForenameSurnameComparison takes no dmeta
    # column, so the comparison is written out from the level library.
    g, f = "given_name", "family_name"
    return [
        cl.CustomComparison(
            output_column_name="given_name_family_name",
            comparison_description="ForenameSurnameComparison with double metaphone",
            comparison_levels=[
                cll.And(cll.NullLevel(g), cll.NullLevel(f)),
                cll.ExactMatchLevel("full_name").configure(tf_adjustment_column="full_name"),
                cll.ColumnsReversedLevel(g, f, symmetrical=True),
                cll.And(cll.JaroWinklerLevel(g, 0.92), cll.JaroWinklerLevel(f, 0.92)),
                cll.And(cll.JaroWinklerLevel(g, 0.88), cll.JaroWinklerLevel(f, 0.88)),
                cll.And(
                    cll.ArrayIntersectLevel("given_name_dm", 1),
                    cll.ArrayIntersectLevel("family_name_dm", 1),
                ).configure(label_for_charts="Double metaphone match on both names"),
                cll.ExactMatchLevel(f).configure(tf_adjustment_column=f),
                cll.ExactMatchLevel(g).configure(tf_adjustment_column=g),
                cll.ElseLevel(),
            ],
        )
    ]


def add_dmetaphone(con):
    """given_name_dm, family_name_dm: the double-metaphone codes of every word
    of the name (as the feature-engineering guide derives them with the
    `phonetics` package), empty codes dropped. Computed once per distinct
    name."""
    import phonetics

    def codes(name):
        out = set()
        for word in name.split():
            try:
                out.update(c for c in phonetics.dmetaphone(word) if c)
            except Exception:
                pass
        return sorted(out)

    names = [r[0] for r in con.execute(
        "select distinct given_name from persons where given_name is not null "
        "union select distinct family_name from persons where family_name is not null"
    ).fetchall()]
    con.execute("create table name_dm (name varchar, dm varchar[])").fetchall()
    con.executemany("insert into name_dm values (?, ?)", [(n, codes(n)) for n in names])
    con.execute("""
        create or replace table persons as
        select p.*, g.dm as given_name_dm, f.dm as family_name_dm
        from persons p
        left join name_dm g on g.name = p.given_name
        left join name_dm f on f.name = p.family_name
    """).fetchall()


def date_comparison(kind):
    if kind == "template":
        return cl.DateOfBirthComparison("dob", input_is_string=True)
    # Levels of DateOfBirthComparison, plus what the field writes: a year
    # alone, a 1 January estimate (null dob, see PREPARE_SQL), a day and month
    # swapped.
    year_diff = "abs(try_cast(dob_year_l as integer) - try_cast(dob_year_r as integer))"
    swapped = (
        "substr(dob_l, 1, 5) || substr(dob_l, 9, 2) || '-' || substr(dob_l, 6, 2) = dob_r"
    )
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_description="Date of birth: full date where known, else the year",
        comparison_levels=[
            cll.NullLevel("dob_year"),
            cll.ExactMatchLevel("dob").configure(label_for_charts="Exact match on full date"),
            cll.Or(
                cll.DamerauLevenshteinLevel("dob", 1),
                cll.CustomLevel(swapped, label_for_charts="day and month swapped"),
            ).configure(label_for_charts="Full date: one edit, or day and month swapped"),
            cll.AbsoluteDateDifferenceLevel(
                "dob", input_is_string=True, threshold=1, metric="month"
            ),
            cll.CustomLevel(
                "dob_year_l = dob_year_r and (dob_l is null or dob_r is null)",
                label_for_charts="Same year, one side year-only or estimated",
            ),
            cll.ExactMatchLevel("dob_year").configure(
                label_for_charts="Same year, two different full dates"
            ),
            cll.CustomLevel(f"{year_diff} <= 1", label_for_charts="Years differ by 1"),
            cll.CustomLevel(f"{year_diff} <= 5", label_for_charts="Years differ by 2 to 5"),
            cll.ElseLevel(),
        ],
    )


def settings(args):
    blocking_rules = [
        block_on("family_name", "dob_year"),
        block_on("given_name", "dob_year"),
        block_on("given_name", "family_name"),
        # the reversed-names rule of the febrl3 example
        "l.given_name = r.family_name and l.family_name = r.given_name",
        block_on("phone"),
        block_on("dob"),
        block_on("substr(given_name, 1, 3)", "substr(family_name, 1, 3)", "dob_year"),
    ]
    comparisons = name_comparisons(args.names) + [
        date_comparison(args.dates),
        cl.ExactMatch("sex"),
        cl.ExactMatch("nationality").configure(term_frequency_adjustments=True),
        cl.ExactMatch("phone"),  # no typos in this field: digits are copied
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def main():
    args = parse_args()
    t0 = time.perf_counter()
    os.makedirs(args.temp_dir, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{args.memory_limit}'").fetchall()
    con.execute(f"set temp_directory = '{args.temp_dir}'").fetchall()
    con.execute(PREPARE_SQL, [args.input]).fetchall()
    if args.names == "forename-surname-dmeta":
        add_dmetaphone(con)
    n = con.execute("select count(*) from persons").fetchall()[0][0]
    t_read = time.perf_counter()

    db_api = DuckDBAPI(connection=con)
    df_sdf = db_api.register("persons")
    s = settings(args)
    linker = Linker(df_sdf, s)

    # Training, as in the examples: lambda from deterministic rules with an
    # assumed recall, u by random sampling, m by EM on two blocking rules.
    deterministic_rules = [
        block_on("given_name", "family_name", "dob"),
        "l.given_name = r.family_name and l.family_name = r.given_name and l.dob = r.dob",
        block_on("phone"),
    ]
    linker.training.estimate_probability_two_random_records_match(
        deterministic_rules, recall=args.recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=args.u_max_pairs, seed=args.seed
    )
    em_rules = {
        # the 50k example's pair of rules
        "names-dob": [block_on("given_name", "family_name"), block_on("dob")],
        # names blocks here are full of namesakes, and EM on them takes the
        # namesakes for the matches (exact date m 0.04); a shared phone number
        # gives EM a block that is mostly true matches to learn dates from
        "phone-dob": [block_on("phone"), block_on("dob")],
    }[args.em]
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    t_trained = time.perf_counter()

    extra = sorted(float(x) for x in args.also_thresholds.split(",") if x.strip())
    predict_at = min([args.threshold] + extra)

    t_p0 = time.perf_counter()
    df_predict = linker.inference.predict(threshold_match_probability=predict_at)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        df_predict, threshold_match_probability=args.threshold
    )
    write_clusters(con, clusters, args.output)
    t_p1 = time.perf_counter()
    pairs = con.execute(
        f"select count(*) from {df_predict.physical_name} "
        f"where match_probability >= {args.threshold}"
    ).fetchall()[0][0]
    total = t_p1 - t0

    for t in extra:
        if t == args.threshold:
            continue
        c = linker.clustering.cluster_pairwise_predictions_at_threshold(
            df_predict, threshold_match_probability=t
        )
        root, ext = os.path.splitext(args.output)
        write_clusters(con, c, f"{root}.{t}{ext}")

    model = linker.misc.save_model_to_json()
    threads = con.execute("select current_setting('threads')").fetchall()[0][0]
    print(f"splink {splink.__version__}, duckdb {duckdb.__version__}, "
          f"threads {threads}, "
          f"memory_limit {args.memory_limit}")
    print(f"records {n}; names={args.names} dates={args.dates} "
          f"em={args.em} u_max_pairs={args.u_max_pairs:g} recall={args.recall}")
    print(f"probability_two_random_records_match "
          f"{model['probability_two_random_records_match']:.3g}")
    print("blocking rules for prediction:")
    for br in model["blocking_rules_to_generate_predictions"]:
        print("  ", br["blocking_rule"] if isinstance(br, dict) else br)
    print("comparisons (m, u, match weight):")
    for c in model["comparisons"]:
        print(f"  {c['output_column_name']}: {c.get('comparison_description', '')}")
        for lv in c["comparison_levels"]:
            label = lv.get("label_for_charts", lv["sql_condition"])
            if lv.get("is_null_level"):
                print(f"    - {label}: null level")
                continue
            m, u = lv.get("m_probability"), lv.get("u_probability")
            if m is None and u is not None:
                # left out of the model JSON when EM never saw the level;
                # prediction then uses m = 1e-6 (ComparisonLevel.m_probability)
                print(f"    - {label}: m not observed in EM, 1e-6 used, u {u:.4g} "
                      f"weight {math.log2(1e-6 / u):+.2f}")
                continue
            w = ""
            if m and u:
                w = f" weight {math.log2(m / u):+.2f}"
            tf = " [tf]" if lv.get("tf_adjustment_column") else ""
            ms = f"{m:.4g}" if m is not None else "-"
            us = f"{u:.4g}" if u is not None else "-"
            print(f"    - {label}: m {ms}, u {us}{w}{tf}")
    print(f"pairs at or above {args.threshold}: {pairs} "
          f"(predicted at {predict_at})")
    print(f"time: read+prepare {t_read - t0:.1f} s, training {t_trained - t_read:.1f} s, "
          f"prediction+clustering {t_p1 - t_p0:.1f} s, whole run {total:.1f} s")


def write_clusters(con, clusters, path):
    con.execute(
        f"copy (select record_id, cluster_id from {clusters.physical_name} "
        f"order by record_id) to '{path}' (header, delimiter ',')"
    ).fetchall()


if __name__ == "__main__":
    main()
