"""The 红娘 stations' cases and deadlines summed per dispatch day, 街镇 and station.

Why: the wall's 星级排名 and the stations on the 用工电子地图 read ``case_facts``: the ranking took
every event of the period's cases under ``FINAL``, the map counted the distinct stations of all case
events ever. Their cost grew with the history (at 10 M events the ranking alone was 1.1 s of a 2.2 s
wall refresh). A station's figures over a period are sums over its cases, so they are kept as the
flows are: ``station_daily_sum`` (a SummingMergeTree, read without ``FINAL``) holds per dispatch
day, 街镇 and station the cases, the deadlines met and due, the closed and the placed cases;
a refresh brings the slices of the cases a batch touched to their recounted values by adding the
differences (``state.station_day_sums``).

A case's figures need its station, the missed deadline's kind and the referral outcome, which
``case_chain`` (the case events by case, from 0004) did not hold: the columns join it, its view is
made again with them, and the chain is written again from the facts (a ReplacingMergeTree keyed to
the event: the new rows replace the old under ``FINAL``). Then the sums are built from every case.
"""

from services.monitoring.indicators.state import station_day_sums

_CHAIN = "case_id, event_time, event_id, day, street_code, kind, on_time, person_ref"

forwards = [
    "ALTER TABLE case_chain ADD COLUMN IF NOT EXISTS station_code String, "
    "ADD COLUMN IF NOT EXISTS sla LowCardinality(String), ADD COLUMN IF NOT EXISTS outcome LowCardinality(String)",
    "DROP VIEW IF EXISTS case_chain_mv",
    f"CREATE MATERIALIZED VIEW IF NOT EXISTS case_chain_mv TO case_chain AS "
    f"SELECT {_CHAIN}, station_code, sla, outcome FROM case_facts",
    f"INSERT INTO case_chain ({_CHAIN}, station_code, sla, outcome) "
    f"SELECT {_CHAIN}, station_code, sla, outcome FROM case_facts FINAL",
    """
    CREATE TABLE IF NOT EXISTS station_daily_sum (
        day Date,
        street_code LowCardinality(String),
        station_code String,
        cases Int64,
        contact_met Int64,
        contact_due Int64,
        referral_met Int64,
        referral_due Int64,
        closed Int64,
        placed Int64
    ) ENGINE = SummingMergeTree ORDER BY (day, street_code, station_code)
    """,
    station_day_sums(all_cases=True),
]

backwards = [
    "DROP TABLE IF EXISTS station_daily_sum",
    "DROP VIEW IF EXISTS case_chain_mv",
    f"CREATE MATERIALIZED VIEW IF NOT EXISTS case_chain_mv TO case_chain AS SELECT {_CHAIN} FROM case_facts",
    "ALTER TABLE case_chain DROP COLUMN IF EXISTS station_code, DROP COLUMN IF EXISTS sla, "
    "DROP COLUMN IF EXISTS outcome",
]
