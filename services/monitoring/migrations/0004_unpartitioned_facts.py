"""The day-keyed fact tables without monthly partitions.

Why: 0001 partitioned person, vacancy, session, layoff, headcount and case facts by month
(``toYYYYMM(day)``). ClickHouse writes one part for each partition an insert touches and merges
parts only within a partition, so a batch spanning months — a replay or backfill of the topics, or
the ingest benchmark's ten-month event set — wrote up to ten small parts per table, each inserted
and merged on its own. At a district's volume a month is a few MB per table, far below the size at
which ClickHouse advises a partition key at all, and no query drops or reads whole months.

How: a partition key cannot be altered. Each table is copied into one with the same columns and
sorting key and no partitions, the copy swapped in with ``EXCHANGE TABLES`` (atomic: readers see
the old table or the new one, never half a copy), and the old table dropped. Each table's step
reads ``system.tables`` first, so running it again after a crash skips the tables already done and
drops a copy an interrupted run left behind. Migrations run before the worker subscribes, so no
insert reaches the old table while it is copied.
"""

from __future__ import annotations

from services.monitoring.migrations import Executor, Step

TABLES = ("person_facts", "vacancy_facts", "session_facts", "layoff_facts", "headcount_facts", "case_facts")
MONTHLY = "toYYYYMM(day)"


def partition_by(key: str) -> Step:
    """A step that rebuilds each of :data:`TABLES` with partition key ``key`` (``""``: none)."""

    def repartition(client: Executor) -> None:
        for table in TABLES:
            copy = f"{table}__repartitioned"
            client.command(f"DROP TABLE IF EXISTS {copy}")
            [(current, sorting_key)] = client.query(
                "SELECT partition_key, sorting_key FROM system.tables "
                f"WHERE database = currentDatabase() AND name = '{table}'").result_rows
            if current == key or (not key and current == "tuple()"):
                continue
            client.command(f"CREATE TABLE {copy} AS {table} "
                           f"ENGINE = ReplacingMergeTree PARTITION BY {key or 'tuple()'} ORDER BY ({sorting_key})")
            client.command(f"INSERT INTO {copy} SELECT * FROM {table}")
            client.command(f"EXCHANGE TABLES {table} AND {copy}")
            client.command(f"DROP TABLE {copy}")

    return repartition


forwards = [partition_by("")]

backwards = [partition_by(MONTHLY)]
