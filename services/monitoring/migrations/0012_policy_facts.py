"""政策找人 facts: the policy-origin 红娘 cases and the grants and payments to the people it found.

Why: issue #17 asks for 政策找人's indicators — people found eligible (``policy_matches``, migration
0009), of them contacted the same day, granted, and the time to benefit (eligibility → first payment,
median and p90 days). The programme facts hold no eligibility date and the case facts no origin.

``policy_facts`` holds one row per fact (``ingest/rows.py``): a ``case`` (a case.dispatched of origin
``policy``, on its dispatch day, ``ref`` the case), a ``granted`` or ``paid`` event that carries
``eligible_on`` (on its grant or payment day, ``ref`` the grant), with programme and 街镇. It stays small:
a few rows per person found. The flows (``state.FLOW_SOURCES["policy"]``, through ``dirty_flows``):
``policy_case`` (``a``: of them contacted on time, which for the same-day contact deadline is the same
day), ``policy_granted``, and ``policy_benefit_days``, a histogram of each grant's first payment by days
from eligibility (detail), from which the median and p90 are read as the households' clearing days.
A contact on time dirties its case's dispatch slice (a view on ``case_facts`` joined to the cases),
and the refresh recounts with a dirty payment the slices of every payment of its grant (one recorded
late may be the first: ``state.flow_day_sums``).

The events already in the raw log are read back into facts (their JSON payload), then summed.
"""

from schemas.events import programme, referral
from services.monitoring.indicators.state import flow_day_sums

_DATA = "JSONExtractString(payload, 'data', '{}')"
_DISPATCHED = referral.CaseDispatched.event_type
_GRANTED = programme.Granted.event_type
_PAID = programme.Paid.event_type

forwards = [
    """
    CREATE TABLE IF NOT EXISTS policy_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        ref String,
        programme_code LowCardinality(String),
        street_code LowCardinality(String),
        eligible_on Nullable(Date)
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_flows_policy_mv TO dirty_flows AS "
    "SELECT 'policy' AS source, street_code, day FROM policy_facts",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_flows_policy_contact_mv TO dirty_flows AS "
    "SELECT 'policy' AS source, p.street_code AS street_code, p.day AS day FROM case_facts AS c "
    "INNER JOIN (SELECT ref, street_code, day FROM policy_facts WHERE kind = 'case') AS p ON p.ref = c.case_id "
    "WHERE c.kind = 'contacted' AND c.on_time = 1",
    f"""
    INSERT INTO policy_facts
    SELECT event_id, event_time,
           if(type = '{_DISPATCHED}', day,
              toDate({_DATA.format('granted_on')} || {_DATA.format('paid_on')})),
           multiIf(type = '{_DISPATCHED}', 'case', type = '{_GRANTED}', 'granted', 'paid'),
           if(type = '{_DISPATCHED}', {_DATA.format('case_id')}, {_DATA.format('grant_id')}),
           {_DATA.format('programme_code')}, {_DATA.format('street_code')},
           if(type = '{_DISPATCHED}', NULL, toDate({_DATA.format('eligible_on')}))
    FROM events FINAL
    WHERE (type = '{_DISPATCHED}' AND {_DATA.format('origin')} = 'policy')
       OR (type IN ('{_GRANTED}', '{_PAID}') AND {_DATA.format('eligible_on')} != '')
    """,
    flow_day_sums("policy", all_slices=True),
]

backwards = [
    "DROP VIEW IF EXISTS dirty_flows_policy_contact_mv",
    "DROP VIEW IF EXISTS dirty_flows_policy_mv",
    "ALTER TABLE flow_daily_sum DELETE WHERE startsWith(measure, 'policy_') SETTINGS mutations_sync = 1",
    "DROP TABLE IF EXISTS policy_facts",
]
