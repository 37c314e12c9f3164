"""The raw event log and one fact table per event family.

Why this shape: every table is a ReplacingMergeTree whose sorting key ends in ``event_id``, and one
event always yields the same rows (the row functions in ``services/monitoring/ingest/rows.py`` are pure).
A row written twice — redelivery, a replay of the topics, a crash between insert and offset commit —
therefore collapses into one, and every indicator reads with ``FINAL`` so it never sees the copy
before a background merge removes it (``store.py`` says why this, rather than filtering batches
against the raw log, is the mechanism).

Days are bucketed in Asia/Shanghai (``day``), times stored in UTC. No table holds names, ID numbers
or phone numbers: events never carry them, and ``person_ref`` is a keyed hash.
"""

forwards = [
    """
    CREATE TABLE IF NOT EXISTS events (
        event_id String,
        topic LowCardinality(String),
        type LowCardinality(String),
        subject String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        street_code LowCardinality(String),
        payload String CODEC(ZSTD(3)),
        ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree ORDER BY event_id
    """,
    """
    CREATE TABLE IF NOT EXISTS person_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        person_ref String,
        street_code LowCardinality(String),
        key_groups Array(LowCardinality(String)),
        closed_registration LowCardinality(String),
        unemployed_since Nullable(Date),
        was_registered_unemployed UInt8,
        employment_form LowCardinality(String),
        industry_section LowCardinality(String)
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS vacancy_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        vacancy_id String,
        street_code LowCardinality(String),
        vacancy_kind LowCardinality(String),
        industry_section LowCardinality(String),
        headcount UInt32,
        open_headcount UInt32,
        valid_until Nullable(Date)
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS employers (
        employer_ref String,
        street_code LowCardinality(String),
        industry_section LowCardinality(String),
        industry_division LowCardinality(String),
        staff_count UInt32,
        event_time DateTime64(3, 'UTC'),
        event_id String
    ) ENGINE = ReplacingMergeTree(event_time) ORDER BY employer_ref
    """,
    """
    CREATE TABLE IF NOT EXISTS session_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        session_id String,
        session_kind LowCardinality(String),
        street_code LowCardinality(String),
        viewers UInt32,
        applications UInt32,
        hires UInt32
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS layoff_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        report_id String,
        employer_ref String,
        street_code LowCardinality(String),
        industry_section LowCardinality(String),
        industry_division LowCardinality(String),
        total_staff UInt32,
        planned_cuts UInt32,
        is_mass_layoff UInt8,
        notice_days Int32,
        notice_compliant UInt8,
        planned_on Date
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, event_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS headcount_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        report_id String,
        employer_ref String,
        month String,
        street_code LowCardinality(String),
        industry_section LowCardinality(String),
        baseline_headcount UInt32,
        current_headcount UInt32,
        supersedes_report_id String
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, event_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS case_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        kind LowCardinality(String),
        case_id String,
        station_code String,
        street_code LowCardinality(String),
        on_time UInt8,
        sla LowCardinality(String),
        outcome LowCardinality(String)
    ) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (street_code, day, kind, event_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS survey_rates (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        period String,
        rate_percent Float64,
        source String
    ) ENGINE = ReplacingMergeTree ORDER BY (period, event_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS alerts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        alert_id String,
        status LowCardinality(String),
        level LowCardinality(String),
        scope_kind LowCardinality(String),
        scope_code String,
        signal LowCardinality(String),
        value Float64,
        threshold Float64,
        window String,
        source LowCardinality(String)
    ) ENGINE = ReplacingMergeTree ORDER BY (alert_id, event_id)
    """,
]

backwards = [
    f"DROP TABLE IF EXISTS {table}"
    for table in ("alerts", "survey_rates", "case_facts", "headcount_facts", "layoff_facts", "session_facts",
                  "employers", "vacancy_facts", "person_facts", "events")
]
