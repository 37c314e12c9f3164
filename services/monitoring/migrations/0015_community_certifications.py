"""充分就业社区 certifications (区级, 市级, 国家级, each for a year), as the registration service records them.

Why: the action plan (§10; DOMAIN.md §6) asks for 3 municipal and 1 national certifications a year and
every community certified by the target year; the bureau records them through the registration
service, which publishes ``community.certified`` on ``leye.community``, and monitoring kept them in
its raw log only.

``certification_facts`` holds one row per certification (``ingest/rows.py``: on its ``certified_on``,
with community, 街镇, level and year), keyed by the event like every fact table, so a redelivered event
is one row under ``FINAL``.
It stays tiny — a few dozen rows a year for the district — so ``/stats/communities/certifications``
reads it directly, as the key-enterprise figures read their facts. The certifications already in the
raw log are read back (their JSON payload).
"""

from schemas.events.community import CommunityCertified

_TYPE = CommunityCertified.event_type
_ROWS = """
    SELECT event_id, event_time, toDate(JSONExtractString(payload, 'data', 'certified_on')) AS day,
           JSONExtractString(payload, 'data', 'community_code') AS community_code,
           JSONExtractString(payload, 'data', 'street_code') AS street_code,
           JSONExtractString(payload, 'data', 'level') AS level,
           toUInt16(JSONExtractUInt(payload, 'data', 'year')) AS year
    FROM events"""

forwards = [
    """
    CREATE TABLE IF NOT EXISTS certification_facts (
        event_id String,
        event_time DateTime64(3, 'UTC'),
        day Date,
        community_code LowCardinality(String),
        street_code LowCardinality(String),
        level LowCardinality(String),
        year UInt16
    ) ENGINE = ReplacingMergeTree ORDER BY (year, level, event_id)
    """,
    f"INSERT INTO certification_facts {_ROWS} FINAL WHERE type = '{_TYPE}'",
]

backwards = [
    "DROP TABLE IF EXISTS certification_facts",
]
