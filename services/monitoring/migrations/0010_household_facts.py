"""The 零就业家庭 facts (households identified and cleared), as flows and as a stock.

Why: the action plan's measure 零就业家庭动态清零 (§9; DOMAIN.md §2 "Households", §6) is followed
family by family — how many families are 零就业 now (target 0), how many were identified and cleared
in a period, and how long clearing took. The registration service publishes the derived flips on
``leye.household``; monitoring kept them in its raw log only.

``household_facts`` holds one row per household event (``ingest/rows.py``): the day it happened (an
identification on its ``identified_on``, a clearing on its ``cleared_on``), its kind, 街镇, community
code, the pseudonymous ``household_ref`` (a random id, nothing else about the family), and both
dates, keyed like the other fact tables, so a redelivered event is one row under ``FINAL``. It stays
small: a few rows per household, and the district has at most some 200,000.

From the facts, the state the indicators read (``state.py``), so a figure costs what its period costs:

- **flows** in ``flow_daily_sum`` (through ``dirty_flows``, as every flow): ``household_identified``
  and ``household_cleared`` per day, 街镇 and community (detail), ``a`` the cleared families' days to
  clear; and ``household_clear_days``, the cleared families per day, 街镇 and days to clear (detail):
  a histogram, from which the median and p90 are read without touching the facts;
- **a stock** in ``stock_deltas`` (measure ``zero_families``): +1 on an identification's day, −1 on a
  clearing's, written by a materialized view as the facts are written; summed into
  ``stock_daily_sum`` / ``stock_monthly_sum`` by the refresh like every stock (``dirty_stock_days``).

The household events already in the raw log are read back into facts (their JSON payload), which
feeds both views; then the flows of every slice and the stock of the days just written are summed.
"""

from schemas.events import household
from services.monitoring.indicators.state import (
    flow_day_sums,
    household_stock_deltas,
    stock_day_sums,
    stock_month_sums,
)

_IDENTIFIED = household.ZeroEmploymentIdentified.event_type
_DATA = "JSONExtractString(payload, 'data', '{}')"

forwards = [
    """
    CREATE TABLE IF NOT EXISTS household_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        household_ref String,
        street_code LowCardinality(String),
        community_code LowCardinality(String),
        identified_on Date,
        cleared_on Nullable(Date)
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_flows_household_mv TO dirty_flows AS "
    "SELECT 'household' AS source, street_code, day FROM household_facts",
    f"CREATE MATERIALIZED VIEW IF NOT EXISTS household_stock_mv TO stock_deltas AS {household_stock_deltas()}",
    f"""
    INSERT INTO household_facts
    SELECT event_id, event_time,
           toDate(if(type = '{_IDENTIFIED}', {_DATA.format('identified_on')}, {_DATA.format('cleared_on')})),
           if(type = '{_IDENTIFIED}', 'identified', 'cleared'), {_DATA.format('household_ref')},
           {_DATA.format('street_code')}, {_DATA.format('community_code')}, toDate({_DATA.format('identified_on')}),
           if(type = '{_IDENTIFIED}', NULL, toDate({_DATA.format('cleared_on')}))
    FROM events FINAL
    WHERE topic = '{household.ZeroEmploymentIdentified.topic}'
    """,
    flow_day_sums("household", all_slices=True),
    stock_day_sums(),
    stock_month_sums(),
]

backwards = [
    "DROP VIEW IF EXISTS household_stock_mv",
    "DROP VIEW IF EXISTS dirty_flows_household_mv",
    "ALTER TABLE flow_daily_sum DELETE WHERE startsWith(measure, 'household_') SETTINGS mutations_sync = 1",
    "ALTER TABLE stock_deltas DELETE WHERE measure = 'zero_families' SETTINGS mutations_sync = 1",
    *(f"ALTER TABLE stock_{grain}_sum DELETE WHERE measure = 'zero_families' SETTINGS mutations_sync = 1"
      for grain in ("daily", "monthly")),
    "DROP TABLE IF EXISTS household_facts",
]
