"""The stocks' and flows' sums as SummingMergeTrees, read without ``FINAL``.

Why: over state this small, what a figure costs is mostly fixed work, and ``FINAL`` is a large part
of it. The sums of 0004 (``stock_daily``, ``stock_monthly``, ``flow_daily``) were ReplacingMergeTrees:
a refresh rewrote a slice's rows and the readers took the latest row per key with ``FINAL``, which
plans a merge of every part at every read (measured at 1 M events: ≈ 10 ms of a 2 ms read, and
about a sixth of ``/stats/indicators``).

``stock_daily_sum``, ``stock_monthly_sum`` and ``flow_daily_sum`` hold the same sums as
SummingMergeTrees, and a refresh adds to a key the *difference* between its new sum and what the
table holds (``state._changes``). What a SummingMergeTree holds is the plain sum of its rows, merged
or not, so every reader sums them without ``FINAL``; a refresh run again (a crash, even half-way
through its insert) finds no difference and adds nothing, so the sums stay exact. A key whose sum
comes back to 0 disappears at the next merge.

The new tables are built from what the sums are made of (``stock_deltas`` and the facts), with the
refresh's own statements over everything; then the old tables and the view marking the months of
``stock_daily`` go. New names rather than a swap under the old ones: every statement here can run
again after a crash half-way through.
"""

from services.monitoring.indicators.state import (
    FIRST_FLOW_SOURCES,
    flow_day_sums,
    flow_slices,
    stock_day_sums,
    stock_days,
    stock_month_sums,
    stock_months,
)

_GROUPS = "Array(LowCardinality(String))"

forwards = [
    *(f"""
    CREATE TABLE IF NOT EXISTS stock_{grain}_sum (
        measure LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        industry_section LowCardinality(String),
        value Int64
    ) ENGINE = SummingMergeTree(value) ORDER BY (measure, day, street_code, key_groups, industry_section)
    """ for grain in ("daily", "monthly")),
    f"""
    CREATE TABLE IF NOT EXISTS flow_daily_sum (
        measure LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        industry_section LowCardinality(String),
        detail LowCardinality(String),
        n Int64,
        a Int64,
        b Int64
    ) ENGINE = SummingMergeTree((n, a, b)) ORDER BY (measure, day, street_code, key_groups, industry_section, detail)
    """,
    "DROP VIEW IF EXISTS dirty_months_stock_mv",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_months_stock_sum_mv TO dirty_months AS "
    "SELECT 'stock' AS family, toStartOfMonth(day) AS month FROM stock_daily_sum",
    stock_day_sums(all_days=True),
    stock_month_sums(all_months=True),
    *(flow_day_sums(source, all_slices=True) for source in FIRST_FLOW_SOURCES),
    *(f"DROP TABLE IF EXISTS {table}" for table in ("stock_daily", "stock_monthly", "flow_daily")),
]

backwards = [
    # the ReplacingMergeTrees as 0004 and 0006 left them, rebuilt the way they were kept
    *(f"""
    CREATE TABLE IF NOT EXISTS stock_{grain} (
        measure LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        value Int64,
        industry_section LowCardinality(String)
    ) ENGINE = ReplacingMergeTree ORDER BY (measure, day, street_code, key_groups, industry_section)
    """ for grain in ("daily", "monthly")),
    f"""
    CREATE TABLE IF NOT EXISTS flow_daily (
        measure LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        industry_section LowCardinality(String),
        detail LowCardinality(String),
        n Int64,
        a Int64,
        b Int64
    ) ENGINE = ReplacingMergeTree ORDER BY (measure, day, street_code, key_groups, industry_section, detail)
    """,
    "DROP VIEW IF EXISTS dirty_months_stock_sum_mv",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_months_stock_mv TO dirty_months AS "
    "SELECT 'stock' AS family, toStartOfMonth(day) AS month FROM stock_daily",
    stock_days(all_days=True),
    stock_months(all_months=True),
    *(flow_slices(source, all_slices=True) for source in FIRST_FLOW_SOURCES),
    *(f"DROP TABLE IF EXISTS {table}" for table in ("stock_daily_sum", "stock_monthly_sum", "flow_daily_sum")),
]
