"""岗位流失率 as a stock (the monitored enterprises' ruling headcount reports kept as deltas), and the
mass layoffs in a table of their own.

Why: the job-loss rate took each monitored enterprise's latest report up to the end of the period
with ``argMax`` over every headcount report ever received (``headcount_facts FINAL``, grouped by
enterprise): its cost grew with every month of reports of every enterprise, and it was the
costliest indicator of ``/stats`` and of a full warning evaluation (≈250 ms of ClickHouse at 1 M
events, ten times the others).

The rate at a day is a sum over enterprises of their ruling report's baseline and current
headcount, so it is a stock like the registered unemployed, and is kept the same way
(``indicators/state.py``, ``employer_deltas``): each report owns rows in ``stock_deltas``, keyed by
its own event, that add its headcounts when it becomes the ruling report and take back the previous
one's. ``headcount_chain`` holds the reports by enterprise (a ReplacingMergeTree keyed to the event,
fed by a view, as ``person_chain``), ``dirty_employers`` the enterprises a write touched.

The rate has an industry dimension, which the stocks had not: ``industry_section`` joins
``stock_deltas``, ``stock_daily`` and ``stock_monthly`` (at the end of the sorting key of the sums;
ClickHouse allows adding a new column there). The other stocks' rows keep it empty, so their sums
do not change.

``mass_layoffs``: the layoff reports that are mass layoffs (Labour Contract Law art. 41), copied by
a view as they are written, so as fresh as the facts (a mass layoff warns within a second). The
three mass-layoff indicators read it instead of ``layoff_facts``, which is partitioned by month and
so spread over dozens of parts that ``FINAL`` has to merge; this table is small and unpartitioned.
Keyed to the event, so a redelivered report is one row under ``FINAL``.

The last statements build the rows from the reports already stored and re-sum the stock tables.
"""

from services.monitoring.indicators.state import employer_deltas, stock_days, stock_months

forwards = [
    "ALTER TABLE stock_deltas ADD COLUMN IF NOT EXISTS industry_section LowCardinality(String)",
    *(f"ALTER TABLE stock_{grain} ADD COLUMN IF NOT EXISTS industry_section LowCardinality(String), "
      "MODIFY ORDER BY (measure, day, street_code, key_groups, industry_section)" for grain in ("daily", "monthly")),
    """
    CREATE TABLE IF NOT EXISTS headcount_chain (
        employer_ref String,
        event_time DateTime64(3, 'UTC'),
        event_id String,
        day Date,
        month String,
        street_code LowCardinality(String),
        industry_section LowCardinality(String),
        baseline_headcount UInt32,
        current_headcount UInt32
    ) ENGINE = ReplacingMergeTree ORDER BY (employer_ref, event_time, event_id)
      SETTINGS index_granularity = 256
    """,
    "CREATE TABLE IF NOT EXISTS dirty_employers (employer_ref String, day Date) ENGINE = MergeTree "
    "ORDER BY employer_ref",
    """
    CREATE MATERIALIZED VIEW IF NOT EXISTS headcount_chain_mv TO headcount_chain AS
    SELECT employer_ref, event_time, event_id, day, month, street_code, industry_section, baseline_headcount,
           current_headcount
    FROM headcount_facts
    """,
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_employers_mv TO dirty_employers AS "
    "SELECT employer_ref, day FROM headcount_facts",
    """
    INSERT INTO headcount_chain
    SELECT employer_ref, event_time, event_id, day, month, street_code, industry_section, baseline_headcount,
           current_headcount
    FROM headcount_facts FINAL
    """,
    """
    CREATE TABLE IF NOT EXISTS mass_layoffs (
        event_id String,
        day Date,
        street_code LowCardinality(String),
        industry_section LowCardinality(String),
        planned_cuts UInt32,
        notice_compliant UInt8
    ) ENGINE = ReplacingMergeTree ORDER BY (day, event_id)
    """,
    *(f"""
    {into} SELECT event_id, day, street_code, industry_section, planned_cuts, notice_compliant
    FROM layoff_facts {final} WHERE is_mass_layoff = 1
    """ for into, final in (("CREATE MATERIALIZED VIEW IF NOT EXISTS mass_layoffs_mv TO mass_layoffs AS", ""),
                            ("INSERT INTO mass_layoffs", "FINAL"))),
    employer_deltas(all_employers=True),
    stock_days(all_days=True),
    stock_months(all_months=True),
    *(f"TRUNCATE TABLE {table}" for table in ("dirty_employers", "dirty_stock_days", "dirty_months")),
]

backwards = [
    "DROP VIEW IF EXISTS mass_layoffs_mv",
    "DROP TABLE IF EXISTS mass_layoffs",
    "DROP VIEW IF EXISTS dirty_employers_mv",
    "DROP VIEW IF EXISTS headcount_chain_mv",
    "DROP TABLE IF EXISTS dirty_employers",
    "DROP TABLE IF EXISTS headcount_chain",
    *(f"ALTER TABLE stock_{table} DELETE WHERE measure IN ('loss_baseline', 'loss_current') "
      "SETTINGS mutations_sync = 1" for table in ("deltas", "daily", "monthly")),
]
