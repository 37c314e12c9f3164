"""创业孵化基地 facts: bases recognised, firms entering and leaving, jobs incubated firms report.

Why: the action plan asks for at least one new 市级 创业孵化基地 a year (§6) and issue #17 for
创业带动就业; the programmes service publishes its incubator register on ``leye.programme``
(docs/PROGRAMMES.md, "创业孵化基地"), which monitoring kept only in its raw log.

``incubator_facts`` holds one row per incubator event (``ingest/rows.py``: on its own day — a
recognition on ``recognised_on``, a jobs report on ``reported_on`` —, its kind, 街镇, the level a
recognition gives, ``new_municipal`` for the recognition that first brings a base to 市级 or above,
and a report's ``headcount``). No base name and no firm: the figures are counts and sums. The flows
(``state.FLOW_SOURCES["incubator"]``, through ``dirty_flows``): ``incubator_<kind>`` per day and 街镇,
detail = level, ``a`` = jobs reported, ``b`` = new 市级-or-higher bases.

The events already in the raw log are read back into facts (their JSON payload, with the same days and
flags as ``rows.py``), then summed.
"""

from schemas.events import programme
from services.monitoring.indicators.state import flow_day_sums
from services.monitoring.ingest.rows import INCUBATOR_KIND

_DATA = "JSONExtractString(payload, 'data', '{}')"
_KIND = "multiIf(" + ", ".join(f"type = '{model.event_type}', '{kind}'"
                              for model, (kind, _) in INCUBATOR_KIND.items()) + ", '')"
_DAY = "multiIf(" + ", ".join(f"type = '{model.event_type}', toDate({_DATA.format(on)})"
                              for model, (_, on) in INCUBATOR_KIND.items()) + ", day)"
_LEVEL, _PREVIOUS = _DATA.format("level"), _DATA.format("previous_level")
# 市级 or above now, and not before (no previous level, or 区级): the vocabulary's rank >= 2
_NEW_MUNICIPAL = f"{_LEVEL} IN ('municipal', 'national') AND {_PREVIOUS} IN ('', 'district')"

forwards = [
    """
    CREATE TABLE IF NOT EXISTS incubator_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        street_code LowCardinality(String),
        level LowCardinality(String),
        new_municipal UInt8,
        headcount UInt32
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_flows_incubator_mv TO dirty_flows AS "
    "SELECT 'incubator' AS source, street_code, day FROM incubator_facts",
    f"""
    INSERT INTO incubator_facts
    SELECT event_id, event_time, {_DAY}, {_KIND}, {_DATA.format('street_code')}, {_LEVEL},
           {_NEW_MUNICIPAL}, JSONExtractUInt(payload, 'data', 'headcount')
    FROM events FINAL
    WHERE topic = '{programme.TOPIC}' AND type IN ({", ".join(f"'{m.event_type}'" for m in INCUBATOR_KIND)})
    """,
    flow_day_sums("incubator", all_slices=True),
]

backwards = [
    "DROP VIEW IF EXISTS dirty_flows_incubator_mv",
    "ALTER TABLE flow_daily_sum DELETE WHERE startsWith(measure, 'incubator_') SETTINGS mutations_sync = 1",
    "DROP TABLE IF EXISTS incubator_facts",
]
