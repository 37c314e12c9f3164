"""直播带岗 live facts: the viewer samples, applications and their outcomes recorded while a session runs.

Why: issue #19 item 5. The vacancies service now records a 直播带岗 as it happens
(``recruitment.viewers_sampled``, ``recruitment.application_received``,
``recruitment.application_decided``), and the wall shows the session in progress, the applications
and hires it led to, and whether a session ran on every working day (action plan §13).

``livestream_facts`` holds one row per live event (``ingest/rows.py``): its kind (``sample``,
``application``, ``decided``), session, vacancy and 街镇, the moment it happened (``at``: sampled,
applied, decided) and its day in Asia/Shanghai, the viewers of a sample, whether a decision hired.
No person reference: every figure is a count. It stays small: a sample a minute or so and the
applications of one session a working day. Sorted by day first, so the wall's live panel reads the
rows of one day (the session in progress), never the history.

The flows (``state.FLOW_SOURCES["live"]``, through ``dirty_flows``): ``live_application`` per day and
街镇, ``live_decided`` (``a``: of them hires) on the day of the decision. And the session flow gains
``live_workday``: each 直播带岗 that ended on a working day (Monday to Friday; no holiday calendar
exists in the repository) once more, with its day as detail, so a period's working days with a session
are the distinct details. Both are summed again here from the facts already written (the live events
read back from the raw log's JSON, the sessions from ``session_facts``).
"""

from services.monitoring.indicators.state import flow_day_sums
from services.monitoring.ingest.rows import LIVE_KIND

_DATA = "JSONExtractString(payload, 'data', '{}')"
_KIND = "multiIf(" + ", ".join(f"type = '{model.event_type}', '{kind}'" for model, (kind, _) in LIVE_KIND.items()) \
    + ", '')"
_AT = "parseDateTime64BestEffort(multiIf(" + ", ".join(
    f"type = '{model.event_type}', {_DATA.format(on)}" for model, (_, on) in LIVE_KIND.items()) + ", ''), 3, 'UTC')"
_TYPES = ", ".join(f"'{model.event_type}'" for model in LIVE_KIND)

forwards = [
    """
    CREATE TABLE IF NOT EXISTS livestream_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        session_id String,
        vacancy_id String,
        street_code LowCardinality(String),
        at DateTime64(3, 'UTC'),
        viewers UInt32,
        hired UInt8
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (day, street_code, kind, event_id)
    """,
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_flows_live_mv TO dirty_flows AS "
    "SELECT 'live' AS source, street_code, day FROM livestream_facts",
    f"""
    INSERT INTO livestream_facts
    SELECT event_id, event_time, toDate(at, 'Asia/Shanghai'), kind, session_id, vacancy_id, street_code, at,
           viewers, hired
    FROM (
        SELECT event_id, event_time, {_KIND} AS kind, {_DATA.format('session_id')} AS session_id,
               {_DATA.format('vacancy_id')} AS vacancy_id, {_DATA.format('street_code')} AS street_code,
               {_AT} AS at, JSONExtractUInt(payload, 'data', 'viewers') AS viewers,
               JSONExtractBool(payload, 'data', 'hired') AS hired
        FROM events FINAL
        WHERE type IN ({_TYPES})
    )
    """,
    flow_day_sums("live", all_slices=True),
    flow_day_sums("session", all_slices=True),
]

backwards = [
    "DROP VIEW IF EXISTS dirty_flows_live_mv",
    "ALTER TABLE flow_daily_sum DELETE WHERE measure IN ('live_application', 'live_decided', 'live_workday') "
    "SETTINGS mutations_sync = 1",
    "DROP TABLE IF EXISTS livestream_facts",
]
