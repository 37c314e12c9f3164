"""Sets of people and of 红娘 cases, flows read by day, and the raw log ordered by time.

Why: the cohort rates (登记失业人员就业率, 就业困难人员就业率, 离校未就业高校毕业生就业率 and 服务率)
count *distinct people* of a period — those registered in it, and of them those employed (or
served) in it. They read every person fact of their period (``uniqExact`` over ``person_facts
FINAL``), the costliest panels of the wall, and a cost that grows with the district's volume.
Distinct counts cannot be summed per day as the flows are (a person registered twice in a year is
one person), so the state keeps the people themselves, compactly:

- ``person_ids``: a dense number per ``person_ref`` (1, 2, 3 … as people first appear),
  assigned by the refresh, which is the store's only writer. Dense numbers make the sets roaring
  bitmaps of a few bytes per person, where hashes of the references would be sparse 64-bit values.
  The references themselves are already pseudonyms (HMAC of the ID number); the numbers add nothing
  personal and never leave ClickHouse.
- ``people_daily``: per day, kind of fact, 街镇 and key groups, the ``groupBitmap`` state of the
  people with such a fact. An AggregatingMergeTree: the state of a key is the *union* of what was
  ever added to it, and a union is idempotent — a redelivered or replayed event, a slice added twice
  by a retried refresh, adds nobody twice. That is why it can be fed incrementally and read without
  ``FINAL`` (merging states at read time is the union), where the counts of 0004 had to be
  recomputed and replaced. Facts are never withdrawn, so a set never has to lose anyone.
- Kinds: ``jobseeker``, ``unemployment``, ``employment`` and ``followup`` from the person facts;
  ``served`` from the 红娘 cases (a referral naming the person, or a contact on a case dispatched for
  them), on the day of the referral or contact, with no 街镇 or groups (the served set is
  district-wide, as the employment set is).

A rate reads the cohort's bitmaps for the days of the period, the found set's likewise, and takes
``bitmapAndCardinality``: the cost of a few thousand small bitmaps, whatever the history.

The 红娘 shares (当天联系率, 3日内推介率, 超时工单占比) and 派单数 count distinct cases of a period the
same way (a case dispatched twice in it counts once): ``case_ids`` numbers the cases, and
``case_sets`` holds per dispatch day, 街镇 and flag (``dispatched``, ``contacted``, ``referred``,
``breached``) the bitmap of the cases. A case's flags only ever turn on, so its sets only grow.
They replace ``uniqExact(case_id)`` over ``case_state FINAL``, whose cost was the period's cases.

Flows are read from ``flow_daily`` alone (``state.summed(monthly=False)``): over state this small, a
query's cost is its number of table reads (each a few milliseconds, whatever its rows), and a
day's rows are bounded by its 街镇, groups, industries and kinds, so a year of days is a few
thousand rows. ``flow_monthly`` and the view marking its months are dropped; the stocks, which sum
from the epoch, keep ``stock_monthly``.

The latest-events panel ordered the whole period's raw log by time (the log is keyed by event id):
the projection ``by_time`` keeps the few columns it shows in time order, so it reads the newest
granules only. Projections on a ReplacingMergeTree need ``deduplicate_merge_projection_mode``:
``rebuild`` recomputes a merged part's projection from the deduplicated rows.

The last statements build the sets from the facts already stored.
"""

from services.monitoring.indicators.state import PEOPLE_KINDS, people_rebuild_statements

_GROUPS = "Array(LowCardinality(String))"

forwards = [
    """
    CREATE TABLE IF NOT EXISTS person_ids (person_ref String, id UInt32)
    ENGINE = ReplacingMergeTree ORDER BY person_ref SETTINGS index_granularity = 1024
    """,
    f"""
    CREATE TABLE IF NOT EXISTS people_daily (
        kind LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        people AggregateFunction(groupBitmap, UInt32)
    ) ENGINE = AggregatingMergeTree ORDER BY (kind, day, street_code, key_groups)
    """,
    """
    CREATE TABLE IF NOT EXISTS case_ids (case_id String, id UInt32)
    ENGINE = ReplacingMergeTree ORDER BY case_id SETTINGS index_granularity = 1024
    """,
    """
    CREATE TABLE IF NOT EXISTS case_sets (
        flag LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        cases AggregateFunction(groupBitmap, UInt32)
    ) ENGINE = AggregatingMergeTree ORDER BY (flag, day, street_code)
    """,
    f"""
    CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_flows_people_mv TO dirty_flows AS
    SELECT 'people' AS source, street_code, day FROM person_facts
    WHERE {PEOPLE_KINDS}
    """,
    "ALTER TABLE events MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild'",
    "ALTER TABLE events ADD PROJECTION IF NOT EXISTS by_time "
    "(SELECT event_time, event_id, topic, type, street_code ORDER BY event_time)",
    "ALTER TABLE events MATERIALIZE PROJECTION by_time SETTINGS mutations_sync = 1",
    *people_rebuild_statements(),
    "DROP VIEW IF EXISTS dirty_months_flow_mv",
    "DROP TABLE IF EXISTS flow_monthly",
]

backwards = [
    """
    CREATE TABLE IF NOT EXISTS flow_monthly (
        measure LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        key_groups Array(LowCardinality(String)),
        industry_section LowCardinality(String),
        detail LowCardinality(String),
        n Int64,
        a Int64,
        b Int64
    ) ENGINE = ReplacingMergeTree ORDER BY (measure, day, street_code, key_groups, industry_section, detail)
    """,
    "INSERT INTO flow_monthly SELECT measure, toStartOfMonth(day) AS month, street_code, key_groups, "
    "industry_section, detail, sum(n), sum(a), sum(b) FROM flow_daily FINAL "
    "GROUP BY measure, month, street_code, key_groups, industry_section, detail",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_months_flow_mv TO dirty_months AS "
    "SELECT 'flow' AS family, toStartOfMonth(day) AS month FROM flow_daily",
    "ALTER TABLE events DROP PROJECTION IF EXISTS by_time",
    "DROP VIEW IF EXISTS dirty_flows_people_mv",
    "DROP TABLE IF EXISTS people_daily",
    "DROP TABLE IF EXISTS person_ids",
    "DROP TABLE IF EXISTS case_sets",
    "DROP TABLE IF EXISTS case_ids",
]
