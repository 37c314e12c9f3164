"""The facts of key enterprises (重点企业) and monitored enterprises (失业动态监测), from ``leye.enterprise``.

Why: the action plan's measure on serving key enterprises (§2, seed 002 of issue 18: 一企一专员一台账,
挂账销号, 用缺工) is followed by the wall — the open labour shortage (缺工) and the key enterprises short
of staff, the key enterprises on the register, and the ledger's issues opened, closed, open and
overdue. The vacancies service publishes the register on ``leye.enterprise``; monitoring kept those
events in its raw log only.

``enterprise_facts`` holds one row per enterprise event (``ingest/rows.py``): the day it happened (a
registration or enrolment on its ``enrolled_on``, an issue on its ``opened_on`` or ``closed_on``, a
shortage on its ``reported_on`` or ``closed_on``), its kind, the enterprise and its 街镇, the issue or
shortage (``item_id``), the shortage's occupation code and headcount (the baseline for an enrolment),
and the issue's opening, due and closing days; keyed like the other fact tables, so a redelivered event
is one row under ``FINAL``. No names: the events carry none.

The indicators read these facts directly (``catalogue.py``), each issue or shortage's state at the end
of the period taken per item: the table stays tiny (the district has a few hundred key enterprises,
each with a few issues and shortages a year), so pre-aggregated state would cost more than it saves,
and the states (open, overdue) move with the calendar, not only with events.

The enterprise events already in the raw log are read back into facts (their JSON payload).
"""

from schemas.events import enterprise


def _from_log(field: str) -> str:
    return f"JSONExtractString(payload, 'data', '{field}')"


def _date(field: str) -> str:
    return f"toDate32OrNull({_from_log(field)})"


_KINDS = {
    enterprise.KeyEnterpriseRegistered.event_type: ("key_registered", "enrolled_on"),
    enterprise.IssueOpened.event_type: ("issue_opened", "opened_on"),
    enterprise.IssueClosed.event_type: ("issue_closed", "closed_on"),
    enterprise.ShortageReported.event_type: ("shortage_reported", "reported_on"),
    enterprise.ShortageClosed.event_type: ("shortage_closed", "closed_on"),
    enterprise.MonitoringEnrolled.event_type: ("monitoring_enrolled", "enrolled_on"),
}
_KIND = "multiIf(" + ", ".join(f"type = '{t}', '{kind}'" for t, (kind, _) in _KINDS.items()) + ", '')"
_DAY = "multiIf(" + ", ".join(f"type = '{t}', toDate({_from_log(on)})" for t, (_, on) in _KINDS.items()) + ", day)"
_OPENED = (f"toDate(coalesce({_date('opened_on')}, {_date('reported_on')}, {_date('enrolled_on')}, "
           "toDate32(day)))")

forwards = [
    """
    CREATE TABLE IF NOT EXISTS enterprise_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        employer_ref String,
        street_code LowCardinality(String),
        item_id String,
        occupation_code LowCardinality(String),
        headcount UInt32,
        opened_on Date,
        due_on Nullable(Date),
        closed_on Nullable(Date)
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    f"""
    INSERT INTO enterprise_facts
    SELECT event_id, event_time, {_DAY}, {_KIND}, {_from_log('employer_ref')}, {_from_log('street_code')},
           concat({_from_log('issue_id')}, {_from_log('shortage_id')}), {_from_log('occupation_code')},
           JSONExtractUInt(payload, 'data', 'headcount') + JSONExtractUInt(payload, 'data', 'baseline_headcount'),
           {_OPENED}, toDate({_date('due_on')}), toDate({_date('closed_on')})
    FROM events FINAL
    WHERE topic = '{enterprise.KeyEnterpriseRegistered.topic}'
    """,
]

backwards = ["DROP TABLE IF EXISTS enterprise_facts"]
