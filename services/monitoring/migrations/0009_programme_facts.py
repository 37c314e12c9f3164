"""The programmes' facts (training, loans, subsidies, placements, 政策找人), and their sums per day.

Why: the action plan sets yearly targets for its programmes (马兰花 2,500 trained, 创业担保贷款 and
创业补贴 5,000万元 each, 1,000 trainees, 200 interns, 300 公益性岗位: DOMAIN.md §8) and the wall
and ``/stats`` must show progress against them. Monitoring already kept the programme events in
its raw log (it reads every topic) but had no facts for them.

``programme_facts`` holds one row per programme event (``ingest/rows.py``: the day it happened —
a completion on its completion date, a loan on its issue date —, its kind, programme, 街镇,
recipient kind, amount, whether a 见习 trainee was kept, whether a certificate was awarded), keyed
like the other fact tables, so a redelivered event is one row under ``FINAL``. No person reference:
every programme figure is a count or a sum. The facts feed ``flow_daily_sum`` as the other flows do
(``state.FLOW_SOURCES["programme"]``: measure ``programme_<kind>``, detail = the programme, ``n`` =
events, ``a`` = 元, ``b`` = trainees kept), through ``dirty_flows``.

The programme events already in the raw log are read back into facts (their JSON payload, with the
same kinds and days as ``rows.py``), then their sums are built.
"""

from schemas.events import programme
from services.monitoring.indicators.state import flow_day_sums
from services.monitoring.ingest.rows import PROGRAMME_KIND


def _from_log(field: str) -> str:
    return f"JSONExtractString(payload, 'data', '{field}')"


_KIND = "multiIf(" + ", ".join(f"type = '{model.event_type}', '{kind}'"
                              for model, (kind, _) in PROGRAMME_KIND.items()) + ", '')"
_DAY = "multiIf(" + ", ".join(f"type = '{model.event_type}', toDate({_from_log(on)})"
                              for model, (_, on) in PROGRAMME_KIND.items() if on) + ", day)"

forwards = [
    """
    CREATE TABLE IF NOT EXISTS programme_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        programme_code LowCardinality(String),
        street_code LowCardinality(String),
        recipient LowCardinality(String),
        amount_yuan UInt64,
        retained UInt8,
        certificate UInt8
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_flows_programme_mv TO dirty_flows AS "
    "SELECT 'programme' AS source, street_code, day FROM programme_facts",
    f"""
    INSERT INTO programme_facts
    SELECT event_id, event_time, {_DAY}, {_KIND}, {_from_log('programme_code')}, {_from_log('street_code')},
           if({_from_log('employer_ref')} != '' AND {_from_log('person_ref')} = '', 'employer', 'person'),
           JSONExtractUInt(payload, 'data', 'amount_yuan'), JSONExtractBool(payload, 'data', 'retained_after'),
           JSONExtractBool(payload, 'data', 'certificate')
    FROM events FINAL
    WHERE topic = '{programme.TOPIC}' AND {_KIND} != ''  -- as rows.py: the incubators' events have their own facts
    """,
    flow_day_sums("programme", all_slices=True),
]

backwards = [
    "DROP VIEW IF EXISTS dirty_flows_programme_mv",
    "ALTER TABLE flow_daily_sum DELETE WHERE startsWith(measure, 'programme_') SETTINGS mutations_sync = 1",
    "DROP TABLE IF EXISTS programme_facts",
]
