"""Bounded storage over a long simulator run: with a retention of seconds, the runtime tables of every
service database (sent outbox rows, idempotency keys, matching's processed event ids) empty out after
each round of traffic instead of growing round by round, and every indicator still equals the
simulator's totals (purging neither loses nor re-counts an event). At the end `leye up` is killed
outright, and no process it started may outlive it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from leye.simulator.traffic import Traffic
from tests.e2e.test_platform import Platform, assert_converges
from tests.leye.test_up import assert_no_process_outlives_a_kill

pytestmark = pytest.mark.slow

RETENTION = {"OUTBOX_REPLAY_WINDOW_S": "2", "OUTBOX_RETENTION_S": "4", "IDEMPOTENCY_KEY_TTL_S": "4",
             "RETENTION_PURGE_EVERY_S": "1"}
TABLES = {
    "registration": ("outbox", "idempotency_keys"),
    "vacancies": ("outbox", "idempotency_keys"),
    "matching": ("outbox", "idempotency_keys", "processed_events"),
    "monitoring": ("outbox", "idempotency_keys"),
    "gateway": ("outbox", "idempotency_keys"),
}


def row_counts(var_dir: Path) -> dict[str, int]:
    counts = {}
    for service, tables in TABLES.items():
        with sqlite3.connect(var_dir / f"{service}.sqlite3", timeout=30) as db:
            for table in tables:
                counts[f"{service}.{table}"] = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return counts


def test_runtime_tables_stay_bounded_over_rounds_of_traffic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RETENTION.items():
        monkeypatch.setenv(name, value)
    platform = Platform(tmp_path)
    try:
        seen = {name: 0 for name in row_counts(tmp_path)}
        for round_ in range(2):  # the second round starts from what the first left: nothing
            platform.run(Traffic(700 + round_), count=150)
            seen = {name: max(seen[name], count) for name, count in row_counts(tmp_path).items()}
            assert_converges(platform)
            deadline = time.monotonic() + 60
            while (left := {name: n for name, n in row_counts(tmp_path).items() if n}) and time.monotonic() < deadline:
                time.sleep(0.25)
            assert left == {}, f"round {round_ + 1}: rows older than the retention were not purged"
        # The rounds did write to the tables the purges emptied (else the test could not fail).
        assert seen["registration.outbox"] > 0 and seen["registration.idempotency_keys"] > 0
        assert seen["matching.processed_events"] > 0
        assert_converges(platform)
        assert_no_process_outlives_a_kill(platform.process, platform.broker_port)
    finally:
        if platform.process.poll() is None:
            platform.stop()
