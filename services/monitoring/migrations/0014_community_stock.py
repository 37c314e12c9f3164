"""充分就业社区: per community, the residents able and willing to work and of them the employed.

Why: the action plan's measure 充分就业社区 (§10; DOMAIN.md §6) asks every 社区 and 行政村 to reach the
district standard — employed ≥ 90 % of its residents able and willing to work — and the figure is a
stock at the end of a period, per community. The person events carry the community code since
issue 18 (``community_code``, optional); monitoring kept it in the raw log only.

The state (``indicators/community.py``) is shaped like the stocks' (MONITORING.md), in tables of its
own because the stocks' key has no community: ``community_chain`` (each person's status events with
their community code, by person; a view reads it from the raw log's payload), ``community_deltas``
(per event, +1 for the state after it and −1 for the state before, keyed by the event so a
recomputation replaces rows), ``community_daily_sum`` and ``community_monthly_sum`` (SummingMergeTrees
brought to their values by differences, read without ``FINAL``), and the ``dirty_community_*``
tables the refresh consumes. A figure at any day costs the months before it plus the days of its
month, whatever the history.

The status events already in the raw log are read back into the chain (their JSON payload), then
the deltas and the sums of everybody are computed; every statement can run again and changes nothing.
"""

from services.monitoring.indicators.community import CHAIN_ROWS, CHAIN_WHERE, rebuild_statements

forwards = [
    """
    CREATE TABLE IF NOT EXISTS community_chain (
        person_ref String,
        event_time DateTime64(3, 'UTC'),
        event_id String,
        day Date,
        kind LowCardinality(String),
        street_code LowCardinality(String),
        community_code LowCardinality(String)
    ) ENGINE = ReplacingMergeTree ORDER BY (person_ref, event_time, event_id)
      SETTINGS index_granularity = 256
    """,
    """
    CREATE TABLE IF NOT EXISTS community_deltas (
        day Date,
        event_id String,
        slot LowCardinality(String),
        measure LowCardinality(String),
        street_code LowCardinality(String),
        community_code LowCardinality(String),
        value Int64
    ) ENGINE = ReplacingMergeTree ORDER BY (day, event_id, slot)
    """,
    *(f"""
    CREATE TABLE IF NOT EXISTS community_{grain}_sum (
        measure LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        community_code LowCardinality(String),
        value Int64
    ) ENGINE = SummingMergeTree ORDER BY (measure, day, street_code, community_code)
    """ for grain in ("daily", "monthly")),
    "CREATE TABLE IF NOT EXISTS dirty_community_people (person_ref String, day Date) ENGINE = MergeTree "
    "ORDER BY person_ref",
    "CREATE TABLE IF NOT EXISTS dirty_community_days (day Date) ENGINE = MergeTree ORDER BY day",
    "CREATE TABLE IF NOT EXISTS dirty_community_months (month Date) ENGINE = MergeTree ORDER BY month",
    f"CREATE MATERIALIZED VIEW IF NOT EXISTS community_chain_mv TO community_chain AS {CHAIN_ROWS} "
    f"WHERE {CHAIN_WHERE}",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_community_people_mv TO dirty_community_people AS "
    f"SELECT subject AS person_ref, day FROM events WHERE {CHAIN_WHERE}",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_community_days_mv TO dirty_community_days AS "
    "SELECT day FROM community_deltas",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_community_months_mv TO dirty_community_months AS "
    "SELECT toStartOfMonth(day) AS month FROM community_daily_sum",
    f"INSERT INTO community_chain {CHAIN_ROWS} FINAL WHERE {CHAIN_WHERE}",
    *rebuild_statements(),
]

backwards = [
    *(f"DROP VIEW IF EXISTS {view}" for view in (
        "dirty_community_months_mv", "dirty_community_days_mv", "dirty_community_people_mv", "community_chain_mv")),
    *(f"DROP TABLE IF EXISTS {table}" for table in (
        "dirty_community_months", "dirty_community_days", "dirty_community_people", "community_monthly_sum",
        "community_daily_sum", "community_deltas", "community_chain")),
]
