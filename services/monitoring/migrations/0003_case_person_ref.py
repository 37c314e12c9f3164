"""Who a 红娘 case event is about: ``person_ref`` on ``case_facts``.

Why: 离校未就业高校毕业生服务率 (``indicators.graduate_service_rate``) counts graduates who received a
红娘 service — a referral naming them, or a contact on a case dispatched for them. ``case.dispatched``
(when the case is about a person), ``referral.made`` and ``referral.outcome`` carry ``person_ref``,
but 0001 did not keep it. ``case.contacted``, ``case.sla_breached`` and ``case.closed`` name no
person: their rows keep ``''`` and the person is found through the case's dispatch row.

The row functions fill the column from now on. The second statement fills it for rows written
before this migration, from the raw log: it re-inserts those rows with the person taken from the
event's payload. A ReplacingMergeTree without a version column keeps the last inserted copy of a
row, and every read uses ``FINAL``, so the filled copy replaces the empty one. It only inserts rows
that are still empty and have a person in the payload, so running it again does nothing.
"""

_CASE_TYPES = ("'cn.xiqing.leye.case.dispatched.v1', 'cn.xiqing.leye.referral.made.v1', "
               "'cn.xiqing.leye.referral.outcome.v1'")

forwards = [
    "ALTER TABLE case_facts ADD COLUMN IF NOT EXISTS person_ref String DEFAULT ''",
    f"""
    INSERT INTO case_facts (event_id, event_time, day, kind, case_id, station_code, street_code, on_time, sla,
                            outcome, person_ref)
    SELECT c.event_id, c.event_time, c.day, c.kind, c.case_id, c.station_code, c.street_code, c.on_time, c.sla,
           c.outcome, e.person_ref
    FROM (SELECT * FROM case_facts FINAL WHERE kind IN ('dispatched', 'referral', 'outcome') AND person_ref = '')
        AS c
    INNER JOIN (
        SELECT event_id, JSONExtractString(payload, 'data', 'person_ref') AS person_ref
        FROM events FINAL WHERE type IN ({_CASE_TYPES})
    ) AS e ON e.event_id = c.event_id
    WHERE e.person_ref != ''
    """,
]

backwards = ["ALTER TABLE case_facts DROP COLUMN IF EXISTS person_ref"]
