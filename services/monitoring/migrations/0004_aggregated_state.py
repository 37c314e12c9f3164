"""Pre-aggregated state for the indicators, so that a figure reads small state, not every fact.

Why: every indicator re-derived its figure from the whole history (each person's latest status by
``argMax`` over ``person_facts``, every posting's, every registration in a year …), so the wall, the
API and the warnings cost more with every event ever ingested (issue #16: a wall refresh took ≈24 s
of ClickHouse at 1 M events). The state below makes a figure cost what its period and its scopes
cost: a stock reads one row per (month or day, 街镇, key groups), a flow one row per (day or month,
街镇, key groups, industry, kind).

Exactness under redelivery, replay and crashes decides each shape (the statements that fill the
tables are in ``indicators/state.py``):

- ``person_chain`` / ``vacancy_chain``: the status facts again, sorted by aggregate. Filled by
  materialized views from the fact tables; they are ReplacingMergeTrees whose key ends in the event,
  so an event written twice is one row under ``FINAL``, as in 0001. (A plain materialized view is
  safe here only because its target *replaces*; into a SummingMergeTree the same view would count a
  redelivered event twice, since views fire per insert, before any merge.) They let a batch's people
  or postings be re-read by primary key instead of by a scan; small granules (256 rows) because they
  are read by key, a few thousand scattered aggregates at a time, never scanned. ``case_chain`` does
  the same for the 红娘 case events.
- ``case_state``: one row per 红娘 case and dispatch (day, 街镇) with whether the case was ever
  contacted on time, referred on time, or breached a deadline; recomputed from ``case_chain`` for the
  cases a write touched (keys never disappear: dispatches only accumulate). The SLA shares and
  红娘派单数 count distinct cases of the period in it (``uniqExact``: a case dispatched twice in a
  period counts once, as in the facts) instead of joining every case event ever recorded.
- ``stock_deltas``: per event of a chain, the rows its state adds and takes back, keyed by ``(day,
  event_id, slot)`` — a key made of the event's own data only, so recomputing a chain (a late event
  changes its neighbours' rows) replaces rows in place. Why deltas rather than a current-state
  table: the indicators take the state *at the end of any period* (the API's ``to``, the trend's
  weeks), and the sum of the deltas up to a day is exactly that, per 街镇 and key groups. Current
  state by aggregate (argMax states) would give "now" only, and would still be a table of people.
- ``stock_daily`` / ``stock_monthly``: those deltas summed per day / month, 街镇 and key groups;
  ReplacingMergeTrees recomputed for exactly the days (months) whose deltas changed, from the
  ``FINAL``'d deltas of those days only. Recomputing is idempotent, so a replay, a retry or a crash
  half-way changes nothing. A key that lost all its rows is written as 0, not left stale.
- ``flow_daily`` / ``flow_monthly``: counts and sums per day / month, 街镇, key groups, industry and
  kind, for the flows (registrations, posts published, sessions ended). A (街镇, day)
  slice is recounted from the ``FINAL``'d facts of that slice — a range of the facts' sorting key —
  whenever a batch wrote to it. An AggregatingMergeTree or SummingMergeTree fed per insert would
  count a redelivered event twice; ``uniqExact`` / ``groupBitmap`` states keyed on event ids would
  be exact but as large as the facts.
- ``dirty_*``: what the last writes touched (people, postings, cases, stock days, flow slices, months),
  recorded by materialized views as the rows go in. MergeTrees, so a crash between a batch's insert
  and its refresh leaves them for the next refresh; each refresh step empties its table only after
  its results are written. The writer is one thread (``store.py``), so nothing is added in between.

Left on the facts (their cost is bounded by their period or by a small table): the survey rate, the
job-loss rate (one row per monitored enterprise and month), the cohort rates (distinct people of
the period) and the mass layoffs (few, and read as fresh as the facts: they warn within a second,
while the state may lag the facts by a refresh interval).

The last statements build the state from the facts already stored, with the same statements a
refresh runs, over every aggregate and slice.
"""

from services.monitoring.indicators.state import STATUS_KINDS, rebuild_statements

_GROUPS = "Array(LowCardinality(String))"

forwards = [
    f"""
    CREATE TABLE IF NOT EXISTS person_chain (
        person_ref String,
        event_time DateTime64(3, 'UTC'),
        event_id String,
        day Date,
        kind LowCardinality(String),
        closed_registration LowCardinality(String),
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        unemployed_since Nullable(Date)
    ) ENGINE = ReplacingMergeTree ORDER BY (person_ref, event_time, event_id)
      SETTINGS index_granularity = 256
    """,
    """
    CREATE TABLE IF NOT EXISTS vacancy_chain (
        vacancy_id String,
        event_time DateTime64(3, 'UTC'),
        event_id String,
        day Date,
        kind LowCardinality(String),
        street_code LowCardinality(String),
        open_headcount UInt32,
        valid_until Nullable(Date)
    ) ENGINE = ReplacingMergeTree ORDER BY (vacancy_id, event_time, event_id)
      SETTINGS index_granularity = 256
    """,
    """
    CREATE TABLE IF NOT EXISTS case_chain (
        case_id String,
        event_time DateTime64(3, 'UTC'),
        event_id String,
        day Date,
        street_code LowCardinality(String),
        kind LowCardinality(String),
        on_time UInt8,
        person_ref String
    ) ENGINE = ReplacingMergeTree ORDER BY (case_id, event_time, event_id)
      SETTINGS index_granularity = 256
    """,
    f"""
    CREATE TABLE IF NOT EXISTS stock_deltas (
        day Date,
        event_id String,
        slot LowCardinality(String),
        measure LowCardinality(String),
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        value Int64
    ) ENGINE = ReplacingMergeTree ORDER BY (day, event_id, slot)
    """,
    *(f"""
    CREATE TABLE IF NOT EXISTS stock_{grain} (
        measure LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        value Int64
    ) ENGINE = ReplacingMergeTree ORDER BY (measure, day, street_code, key_groups)
    """ for grain in ("daily", "monthly")),
    """
    CREATE TABLE IF NOT EXISTS case_state (
        day Date,
        street_code LowCardinality(String),
        case_id String,
        contacted UInt8,
        referred UInt8,
        breached UInt8
    ) ENGINE = ReplacingMergeTree ORDER BY (day, street_code, case_id)
    """,
    *(f"""
    CREATE TABLE IF NOT EXISTS flow_{grain} (
        measure LowCardinality(String),
        day Date,
        street_code LowCardinality(String),
        key_groups {_GROUPS},
        industry_section LowCardinality(String),
        detail LowCardinality(String),
        n Int64,
        a Int64,
        b Int64
    ) ENGINE = ReplacingMergeTree ORDER BY (measure, day, street_code, key_groups, industry_section, detail)
    """ for grain in ("daily", "monthly")),
    "CREATE TABLE IF NOT EXISTS dirty_people (person_ref String, day Date) ENGINE = MergeTree ORDER BY person_ref",
    "CREATE TABLE IF NOT EXISTS dirty_vacancies (vacancy_id String, day Date) ENGINE = MergeTree ORDER BY vacancy_id",
    "CREATE TABLE IF NOT EXISTS dirty_stock_days (day Date) ENGINE = MergeTree ORDER BY day",
    "CREATE TABLE IF NOT EXISTS dirty_cases (case_id String) ENGINE = MergeTree ORDER BY case_id",
    """CREATE TABLE IF NOT EXISTS dirty_flows (source LowCardinality(String), street_code LowCardinality(String),
       day Date) ENGINE = MergeTree ORDER BY (source, street_code, day)""",
    "CREATE TABLE IF NOT EXISTS dirty_months (family LowCardinality(String), month Date) ENGINE = MergeTree "
    "ORDER BY (family, month)",
    f"""
    CREATE MATERIALIZED VIEW IF NOT EXISTS person_chain_mv TO person_chain AS
    SELECT person_ref, event_time, event_id, day, kind, closed_registration, street_code, key_groups, unemployed_since
    FROM person_facts WHERE {STATUS_KINDS}
    """,
    f"""
    CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_people_mv TO dirty_people AS
    SELECT person_ref, day FROM person_facts WHERE {STATUS_KINDS}
    """,
    """
    CREATE MATERIALIZED VIEW IF NOT EXISTS vacancy_chain_mv TO vacancy_chain AS
    SELECT vacancy_id, event_time, event_id, day, kind, street_code, open_headcount, valid_until FROM vacancy_facts
    """,
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_vacancies_mv TO dirty_vacancies AS "
    "SELECT vacancy_id, day FROM vacancy_facts",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS case_chain_mv TO case_chain AS "
    "SELECT case_id, event_time, event_id, day, street_code, kind, on_time, person_ref FROM case_facts",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_cases_mv TO dirty_cases AS SELECT case_id FROM case_facts",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_stock_days_mv TO dirty_stock_days AS SELECT day FROM stock_deltas",
    *(f"""
    CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_flows_{source}_mv TO dirty_flows AS
    SELECT '{source}' AS source, street_code, day FROM {table} WHERE {which}
    """ for source, table, which in (
        ("person", "person_facts", "kind IN ('employment', 'unemployment')"),
        ("posting", "vacancy_facts", "kind = 'posted'"),
        ("session", "session_facts", "kind = 'ended'"),
    )),
    *(f"""
    CREATE MATERIALIZED VIEW IF NOT EXISTS dirty_months_{family}_mv TO dirty_months AS
    SELECT '{family}' AS family, toStartOfMonth(day) AS month FROM {family}_daily
    """ for family in ("stock", "flow")),
    # the facts already stored (their chains through the views' targets first)
    f"""
    INSERT INTO person_chain
    SELECT person_ref, event_time, event_id, day, kind, closed_registration, street_code, key_groups, unemployed_since
    FROM person_facts FINAL WHERE {STATUS_KINDS}
    """,
    """
    INSERT INTO vacancy_chain
    SELECT vacancy_id, event_time, event_id, day, kind, street_code, open_headcount, valid_until
    FROM vacancy_facts FINAL
    """,
    "INSERT INTO case_chain SELECT case_id, event_time, event_id, day, street_code, kind, on_time, person_ref "
    "FROM case_facts FINAL",
    *rebuild_statements(),
]

backwards = [
    *(f"DROP VIEW IF EXISTS {view}" for view in (
        "dirty_months_flow_mv", "dirty_months_stock_mv", "dirty_flows_session_mv", "dirty_flows_posting_mv",
        "dirty_flows_person_mv", "dirty_stock_days_mv", "dirty_vacancies_mv",
        "dirty_cases_mv", "case_chain_mv", "vacancy_chain_mv", "dirty_people_mv", "person_chain_mv")),
    *(f"DROP TABLE IF EXISTS {table}" for table in (
        "dirty_months", "dirty_flows", "dirty_cases", "dirty_stock_days", "dirty_vacancies", "dirty_people",
        "flow_monthly", "flow_daily", "case_state", "stock_monthly", "stock_daily", "stock_deltas", "case_chain",
        "vacancy_chain", "person_chain")),
]
